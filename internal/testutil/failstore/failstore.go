// Package failstore wraps a storage.Store so that every Put after the first
// n fails: a process dying between any two writes, for the crash tests of
// the jobs.
package failstore

import (
	"context"
	"errors"
	"io"
	"sync/atomic"

	"github.com/seclake/seclake/internal/storage"
)

// ErrInjected is what a refused Put returns.
var ErrInjected = errors.New("injected crash")

// Store lets Left more Puts through to the wrapped store (which does the
// work), then refuses every one.
type Store struct {
	storage.Store
	Left   atomic.Int64
	failed atomic.Value // key of the first refused Put
}

// New wraps st, letting n Puts through.
func New(st storage.Store, n int64) *Store {
	f := &Store{Store: st}
	f.Left.Store(n)
	return f
}

// Put refuses once the allowance is spent.
func (f *Store) Put(ctx context.Context, key string, r io.Reader, o storage.PutOptions) error {
	if f.Left.Add(-1) < 0 {
		f.failed.CompareAndSwap(nil, key)
		return ErrInjected
	}
	return f.Store.Put(ctx, key, r, o)
}

// Failed is the key of the first refused Put, "" when none was.
func (f *Store) Failed() string {
	k, _ := f.failed.Load().(string)
	return k
}
