// Package freelist recycles scratch values between calls of a hot path.
//
// A free list rather than a sync.Pool: the convert job allocates enough to
// run a garbage collection every few batches, and a collection empties a
// pool (after one more cycle), so every batch after it would fault in fresh
// scratch memory. A List keeps at most Max values for the process's life;
// what a value references stays alive with it, so callers drop references
// to per-call data before Put.
package freelist

import "sync"

// List is a bounded stack of recycled *T; the zero value is empty and ready.
type List[T any] struct {
	Max int // values kept at most; Put drops the rest

	mu    sync.Mutex
	items []*T
}

// Get returns a recycled value, or nil when there is none.
func (l *List[T]) Get() *T {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.items)
	if n == 0 {
		return nil
	}
	v := l.items[n-1]
	l.items[n-1] = nil
	l.items = l.items[:n-1]
	return v
}

// Put keeps v for a later Get unless Max values are kept already.
func (l *List[T]) Put(v *T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.items) < l.Max {
		l.items = append(l.items, v)
	}
}
