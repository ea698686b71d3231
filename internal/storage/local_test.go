package storage_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/storage/storagetest"
)

func newLocal(t *testing.T) *storage.Local {
	t.Helper()
	s, err := storage.NewLocal(filepath.Join(t.TempDir(), "lake"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLocalConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store { return newLocal(t) })
}

// No temp files survive failed Puts, and temp files of in-progress Puts are
// invisible to List.
func TestLocalTempFiles(t *testing.T) {
	s := newLocal(t)
	ctx := context.Background()
	storagetest.MustPut(t, s, "p/ok", []byte("ok"))
	if err := s.Put(ctx, "p/bad", iotestErrReader{}, storage.PutOptions{}); err == nil {
		t.Fatal("Put with failing reader succeeded")
	}
	entries, err := os.ReadDir(filepath.Join(s.URI(), "p"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"ok"}) {
		t.Errorf("directory after failed Put holds %q, want [ok]", names)
	}

	// Simulate a Put in progress in another process.
	if err := os.WriteFile(filepath.Join(s.URI(), "p", ".seclake-tmp-123"), []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	if keys := storagetest.Keys(t, s, ""); !slices.Equal(keys, []string{"p/ok"}) {
		t.Errorf("List = %q, want [p/ok]", keys)
	}
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("broken source") }

// File system errors come back wrapped with the key, not as panics.
func TestLocalWriteErrors(t *testing.T) {
	s := newLocal(t)
	ctx := context.Background()
	storagetest.MustPut(t, s, "blocker", []byte("a file where a directory is needed"))
	err := s.Put(ctx, "blocker/x", strings.NewReader("x"), storage.PutOptions{})
	if err == nil || !strings.Contains(err.Error(), "blocker/x") {
		t.Errorf("Put below a file: err = %v, want an error naming the key", err)
	}

	if os.Geteuid() == 0 {
		t.Log("running as root: read-only directory check skipped (root ignores permissions)")
		return
	}
	ro := filepath.Join(s.URI(), "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(ro, 0o755) })
	err = s.Put(ctx, "ro/x", strings.NewReader("x"), storage.PutOptions{})
	if !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), "ro/x") {
		t.Errorf("Put into read-only dir: err = %v, want a permission error naming the key", err)
	}
}

func TestLocalETagChangesWithMtime(t *testing.T) {
	s := newLocal(t)
	ctx := context.Background()
	storagetest.MustPut(t, s, "k", []byte("same"))
	a, err := s.Stat(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(s.URI(), "k")
	later := a.LastModified.Add(3e9)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	b, err := s.Stat(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if a.ETag == b.ETag {
		t.Errorf("ETag %q unchanged after mtime change", a.ETag)
	}
}

// TestLocalNoSyncConformance: without fsync the store keeps every other
// guarantee (atomic puts, no partial objects, ordering).
func TestLocalNoSyncConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s, err := storage.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		s.NoSync = true
		return s
	})
}

// TestLocalDeferredPutThenSync: a deferred put is complete and visible at
// once; Sync (syncfs) then succeeds, and Flush is a no-op for other stores.
func TestLocalDeferredPutThenSync(t *testing.T) {
	ctx := context.Background()
	s, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "a/b.parquet", strings.NewReader("data"), storage.PutOptions{Deferred: true}); err != nil {
		t.Fatal(err)
	}
	rc, _, err := s.Get(ctx, "a/b.parquet")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "data" {
		t.Fatalf("got %q", b)
	}
	if err := storage.Flush(ctx, s); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Sync(cancelled); err == nil {
		t.Fatal("Sync ignored a cancelled context")
	}
}
