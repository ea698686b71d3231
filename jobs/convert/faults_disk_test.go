package convert

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/testutil/tmpfs"
)

// incompressibleRaw is CloudTrail whose Parquet does not shrink to nothing:
// every event carries 300 pseudo-random hex characters (fixed seed).
func incompressibleRaw(t *testing.T, files, events int) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	raw := map[string][]byte{}
	for f := range files {
		var b strings.Builder
		b.WriteString(`{"Records":[`)
		for i := range events {
			if i > 0 {
				b.WriteByte(',')
			}
			pad := make([]byte, 150)
			for j := range pad {
				pad[j] = byte(rng.Uint32())
			}
			ev := strings.Replace(ctEvent(i), strings.Repeat("x", 200), fmt.Sprintf("%x", pad), 1)
			b.WriteString(strings.Replace(ev, fmt.Sprintf(`"id-%06d"`, i), fmt.Sprintf(`"id-%d-%06d"`, f, i), 1))
		}
		b.WriteString("]}")
		raw[fmt.Sprintf("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/21/111122223333_CloudTrail_eu-west-1_20261121T10%02dZ_x.json.gz", f*5)] = gz([]byte(b.String()))
	}
	return writeRaw(t, raw)
}

// TestConvertDiskFull: the lake's file system fills up mid-run (a 1 MiB
// tmpfs). The run fails with ENOSPC, commits no manifest, leaves no temp
// file, no truncated part and none of the complete parts it had put; once
// space is freed a rerun writes exactly the bytes of a run that never ran out
// of space.
func TestConvertDiskFull(t *testing.T) {
	rawDir := incompressibleRaw(t, 6, 1500)
	opts := lake.WriterOptions{MaxPartRows: 500, MaxBufferedRows: 1000}
	refDir := t.TempDir()
	run(t, Config{Raw: localStore(t, rawDir), Lake: localStore(t, refDir), Writer: opts, Workers: 2})
	ref := snapshot(t, refDir)
	var total int
	for _, v := range ref {
		total += len(v)
	}
	if total < 2<<20 {
		t.Fatalf("reference lake is only %d bytes: it would fit the 1 MiB file system", total)
	}

	dir := tmpfs.Mount(t, "size=1m")
	lk := &countingStore{Store: localStore(t, dir)}
	_, err := Run(context.Background(), Config{Raw: localStore(t, rawDir), Lake: lk, Writer: opts, Workers: 2})
	t.Logf("disk full after %d complete puts: %v", lk.puts.Load(), err)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("want ENOSPC, got %v", err)
	}
	if lk.puts.Load() == 0 {
		t.Fatal("nothing was written before the disk filled: the test proves little")
	}
	// the failed run removed the parts it had put; no temp file is left
	if got := snapshot(t, dir); len(got) != 0 {
		t.Errorf("the failed run left %d files: %v", len(got), keys(got))
	}
	tmpfs.Remount(t, dir, "size=64m") // space freed
	run(t, Config{Raw: localStore(t, rawDir), Lake: localStore(t, dir), Writer: opts, Workers: 2})
	got := snapshot(t, dir)
	if len(got) != len(ref) {
		t.Errorf("rerun after freeing space: %d objects, want %d", len(got), len(ref))
	}
	for k, v := range ref {
		if got[k] != v {
			t.Errorf("rerun after freeing space: %s differs", k)
		}
	}
}

// TestConvertReadOnlyLake: a lake on a read-only file system fails the run
// with EROFS before anything is visible.
func TestConvertReadOnlyLake(t *testing.T) {
	dir := tmpfs.ReadOnlyDir(t)
	rawDir := incompressibleRaw(t, 1, 100)
	_, err := Run(context.Background(), Config{Raw: localStore(t, rawDir), Lake: localStore(t, dir)})
	t.Logf("read-only lake: %v", err)
	if !errors.Is(err, syscall.EROFS) {
		t.Fatalf("want EROFS, got %v", err)
	}
	if got := snapshot(t, dir); len(got) != 0 {
		t.Fatalf("read-only lake holds %d files", len(got))
	}
}

// countingStore counts the puts that succeeded.
type countingStore struct {
	storage.Store
	puts atomic.Int64
}

func (c *countingStore) Put(ctx context.Context, key string, r io.Reader, o storage.PutOptions) error {
	err := c.Store.Put(ctx, key, r, o)
	if err == nil {
		c.puts.Add(1)
	}
	return err
}

func keys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
