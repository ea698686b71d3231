package extract

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/seclake/seclake/internal/entity"
	ext "github.com/seclake/seclake/internal/extract"
	"github.com/seclake/seclake/internal/testutil/failstore"
	"github.com/seclake/seclake/jobs/convert"
)

// copyDir copies every file of src into a fresh directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755)
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestExtractCrashAtEveryPutThenRerun: the backfill dies at every write in
// turn (parts are rewritten in place, then the manifest); it commits no
// manifest, every part is either the old or the new complete file, and a
// rerun leaves exactly the bytes of an extract that never failed.
func TestExtractCrashAtEveryPutThenRerun(t *testing.T) {
	ctx := context.Background()
	raw := store(t, filepath.Join(repoRoot(t), "testdata", "raw"))
	base := t.TempDir()
	if _, err := convert.Run(ctx, convert.Config{Raw: raw, Lake: store(t, base)}); err != nil { // no entities yet
		t.Fatal(err)
	}
	x := &ext.Extraction{Extractor: entity.New(entity.Options{})}
	clean := copyDir(t, base)
	m, err := Run(ctx, Config{Lake: store(t, clean), Extraction: x})
	if err != nil {
		t.Fatal(err)
	}
	want := parts(t, clean)
	before := parts(t, base)
	puts := len(m.Outputs) + 1
	for n := 0; n < puts; n++ {
		dir := copyDir(t, base)
		fs := failstore.New(store(t, dir), int64(n))
		if _, err := Run(ctx, Config{Lake: fs, Extraction: x}); !errors.Is(err, failstore.ErrInjected) {
			t.Fatalf("crash after %d puts: err %v", n, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "runs", "extract")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("crash after %d puts committed an extract manifest", n)
		}
		for k, v := range parts(t, dir) {
			if v != want[k] && v != before[k] {
				t.Fatalf("crash after %d puts: %s is neither the old nor the new part", n, k)
			}
		}
		if _, err := Run(ctx, Config{Lake: store(t, dir), Extraction: x}); err != nil {
			t.Fatal(err)
		}
		got := parts(t, dir)
		if len(got) != len(want) {
			t.Fatalf("crash after %d puts, rerun: %d files, want %d", n, len(got), len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("crash after %d puts, rerun: %s differs", n, k)
			}
		}
	}
}
