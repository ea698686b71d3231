package convert

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/testutil/failstore"
)

// TestCrashAtEveryPutThenRerun: whichever write a run dies at, it commits no
// manifest, and a rerun leaves exactly the bytes of a run that never failed.
func TestCrashAtEveryPutThenRerun(t *testing.T) {
	files := map[string][]byte{}
	for i, slot := range []string{"20261121T0955Z", "20261121T1005Z", "20261121T1055Z"} {
		files["AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/21/111122223333_CloudTrail_eu-west-1_"+slot+"_x.json.gz"] = gz(ctFile(30 + i))
	}
	files["misc/notes.txt"] = []byte("not a log") // a quarantine part too
	rawDir := writeRaw(t, files)
	opts := lake.WriterOptions{MaxPartRows: 20, MaxBufferedRows: 20}

	clean := t.TempDir()
	m := run(t, Config{Raw: localStore(t, rawDir), Lake: localStore(t, clean), Writer: opts})
	want := snapshot(t, clean)
	puts := len(m.Outputs) + 1
	if puts < 5 {
		t.Fatalf("only %d puts: the test would prove little", puts)
	}
	for n := 0; n < puts; n++ {
		dir := t.TempDir()
		fs := failstore.New(localStore(t, dir), int64(n))
		if _, err := Run(context.Background(), Config{Raw: localStore(t, rawDir), Lake: fs, Writer: opts}); !errors.Is(err, failstore.ErrInjected) {
			t.Fatalf("crash after %d puts: err %v", n, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "runs")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("crash after %d puts left a manifest", n)
		}
		run(t, Config{Raw: localStore(t, rawDir), Lake: localStore(t, dir), Writer: opts})
		got := snapshot(t, dir)
		if len(got) != len(want) {
			t.Fatalf("crash after %d puts, rerun: %d objects, want %d", n, len(got), len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("crash after %d puts, rerun: %s differs", n, k)
			}
		}
	}
}
