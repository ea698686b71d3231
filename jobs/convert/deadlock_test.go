package convert

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/storage"
)

// getFailingStore fails reading one object: a fatal error in a worker while
// the lister still holds objects that no worker will take.
type getFailingStore struct {
	storage.Store
	fail string
}

var errGet = errors.New("injected read failure")

func (s *getFailingStore) Get(ctx context.Context, key string) (io.ReadCloser, storage.ObjectInfo, error) {
	if strings.HasSuffix(key, s.fail) {
		return nil, storage.ObjectInfo{}, errGet
	}
	return s.Store.Get(ctx, key)
}

// TestFatalErrorWithQueuedObjectsReturns: a run that fails while objects are
// still queued returns the error instead of waiting forever for an object
// that was listed but never handed to a worker (seen under load in the S3
// fault tests, where cancellation raced the hand-over).
func TestFatalErrorWithQueuedObjectsReturns(t *testing.T) {
	files := map[string][]byte{}
	for i := range 40 {
		files[fmt.Sprintf(ctKey, fmt.Sprintf("f%02d", i))] = gz(ctFile(20))
	}
	raw := writeRaw(t, files)
	for i := range 30 {
		done := make(chan error, 1)
		go func() {
			_, err := Run(context.Background(), Config{Raw: &getFailingStore{Store: localStore(t, raw), fail: fmt.Sprintf("_f%02d.json.gz", i%5)},
				Lake: localStore(t, t.TempDir()), Workers: 2})
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, errGet) {
				t.Fatalf("run %d: error %v, want the injected read failure", i, err)
			}
		case <-time.After(time.Minute):
			t.Fatalf("run %d: convert hung after a fatal error", i)
		}
	}
}
