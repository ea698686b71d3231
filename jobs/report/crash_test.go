package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/compliance"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/testutil/failstore"
)

// dirSnapshot maps every file under root (relative, slash-separated) to the
// SHA-256 of its bytes; in-progress upload files count too.
func dirSnapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		sum := sha256.Sum256(data)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// copyDir copies the files of src into a new temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestReportCrashAtEveryPutThenRerun: whichever write a report run dies at
// (gap findings, any framework's json/md/html, the manifest), it commits no
// runs/report/<period>/manifest.json, and a rerun leaves exactly the bytes of
// a run that never failed.
func TestReportCrashAtEveryPutThenRerun(t *testing.T) {
	src := t.TempDir()
	st, err := storage.NewLocal(src)
	if err != nil {
		t.Fatal(err)
	}
	buildLake(t, st)
	p, _ := compliance.ParsePeriod("2026-11-21")
	cfg := func(s storage.Store, root string) Config {
		return Config{Lake: s, Root: root, Period: p, Now: func() time.Time { return fixedNow }, Threads: 1}
	}
	manKey := lake.ManifestKey(JobName, lake.Window{From: p.Start, To: p.End})

	clean := copyDir(t, src)
	cst, _ := storage.NewLocal(clean)
	counter := failstore.New(cst, 1<<40)
	if _, err := Run(context.Background(), cfg(counter, clean)); err != nil {
		t.Fatal(err)
	}
	want := dirSnapshot(t, clean)
	puts := int(1<<40 - counter.Left.Load())
	if puts < 5 {
		t.Fatalf("only %d puts: the test would prove little", puts)
	}
	t.Logf("clean run: %d puts", puts)
	for n := 0; n < puts; n++ {
		dir := copyDir(t, src)
		local, _ := storage.NewLocal(dir)
		fs := failstore.New(local, int64(n))
		if _, err := Run(context.Background(), cfg(fs, dir)); !errors.Is(err, failstore.ErrInjected) {
			t.Fatalf("crash at put %d: err %v", n, err)
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(manKey))); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("crash at put %d committed the report manifest", n)
		}
		if _, err := Run(context.Background(), cfg(local, dir)); err != nil {
			t.Fatalf("rerun after crash at put %d: %v", n, err)
		}
		got := dirSnapshot(t, dir)
		for k, v := range want {
			if got[k] != v {
				t.Errorf("crash at put %d, rerun: %s missing or different", n, k)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok && !strings.HasSuffix(k, "conditional.lock") {
				t.Errorf("crash at put %d, rerun: extra object %s", n, k)
			}
		}
		if t.Failed() {
			return
		}
	}
}
