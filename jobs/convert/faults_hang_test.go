package convert

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/testutil/failstore"
)

// TestFailedRunReturns: a run whose lake fails (or whose context is
// cancelled) while raw objects are still being listed returns its error; it
// must not wait for objects that were listed but never handed to a worker.
// (A regression test: Run used to hang in this case.) It removes the parts
// it put before failing.
func TestFailedRunReturns(t *testing.T) {
	files := map[string][]byte{}
	for i := range 300 {
		files[fmt.Sprintf("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/21/111122223333_CloudTrail_eu-west-1_20261121T10%02dZ_%03d.json.gz", i%60, i)] = gz(ctFile(3))
	}
	rawDir := writeRaw(t, files)
	for i := range 30 {
		dir := t.TempDir()
		fs := failstore.New(localStore(t, dir), int64(i%3))
		ctx, cancel := context.WithCancel(context.Background())
		if i%2 == 1 { // and the caller's context is cancelled, as on SIGTERM
			go func() { time.Sleep(time.Duration(i) * time.Millisecond); cancel() }()
		}
		done := make(chan error, 1)
		go func() {
			_, err := Run(ctx, Config{Raw: localStore(t, rawDir), Lake: fs, Workers: 1 + i%3,
				Writer: lake.WriterOptions{MaxPartRows: 1, MaxBufferedRows: 1}})
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, failstore.ErrInjected) && !errors.Is(err, context.Canceled) {
				t.Fatalf("run %d: err %v", i, err)
			}
			// a failed run removes the parts it put: nothing for readers to find
			if left := snapshot(t, dir); len(left) != 0 {
				t.Fatalf("run %d: failed run left %d files", i, len(left))
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("run %d: Run did not return within 60s of its lake failing", i)
		}
		cancel()
	}
}
