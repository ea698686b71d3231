package schedule

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/seclake/seclake/internal/storage"
)

// ErrHeld is returned by Acquire when another owner holds a live lease.
var ErrHeld = errors.New("schedule: lock held by another owner")

// ErrLost is returned when a lease could not be renewed: another owner took
// it over (after it expired) or the lock object was changed.
var ErrLost = errors.New("schedule: lease lost")

// LockPrefix is where lock objects live in the lake.
const LockPrefix = "locks/"

// leaseDoc is the lock object's content.
type leaseDoc struct {
	Owner   string    `json:"owner"`
	Job     string    `json:"job"`
	At      time.Time `json:"at,omitzero"` // the activation being run
	Expires time.Time `json:"expires"`     // zero or past: free
}

// Locker takes leases on lock objects in a store, with conditional Puts, so
// that two daemons (or a daemon and a manual `seclake run`) never run the
// same job at once, across processes and hosts. A holder that dies leaves a
// lease that others may take once it expires.
type Locker struct {
	Store storage.Store
	Owner string        // unique per process, e.g. host:pid:start
	TTL   time.Duration // lease length; renewed every TTL/3
	Clock Clock
}

// Lease is a held lock.
type Lease struct {
	l    *Locker
	key  string
	doc  leaseDoc
	etag string
}

func (l *Locker) key(job string) string { return LockPrefix + job + ".json" }

// Acquire takes the lock of job, or returns ErrHeld (wrapped, naming the
// holder) when another owner's lease has not expired.
func (l *Locker) Acquire(ctx context.Context, job string, at time.Time) (*Lease, error) {
	key := l.key(job)
	doc := leaseDoc{Owner: l.Owner, Job: job, At: at.UTC(), Expires: l.Clock.Now().Add(l.TTL).UTC()}
	err := l.put(ctx, key, doc, storage.PutOptions{IfNoneMatch: true})
	if err == nil {
		info, err := l.Store.Stat(ctx, key)
		if err != nil {
			return nil, err
		}
		return &Lease{l: l, key: key, doc: doc, etag: info.ETag}, nil
	}
	if !errors.Is(err, storage.ErrPreconditionFailed) {
		return nil, err
	}
	cur, etag, err := l.read(ctx, key)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) { // released and deleted meanwhile: try again next time
			return nil, fmt.Errorf("%w: lock object changed while acquiring", ErrHeld)
		}
		return nil, err
	}
	if cur.Owner != l.Owner && l.Clock.Now().Before(cur.Expires) {
		return nil, fmt.Errorf("%w: %s (running %s %s, lease until %s)", ErrHeld, cur.Owner, cur.Job,
			cur.At.Format(time.RFC3339), cur.Expires.Format(time.RFC3339))
	}
	// Free, expired, or our own stale lease: take it over, if nobody else
	// changes it first.
	if err := l.put(ctx, key, doc, storage.PutOptions{IfMatch: etag}); err != nil {
		if errors.Is(err, storage.ErrPreconditionFailed) {
			return nil, fmt.Errorf("%w: another owner took the expired lease first", ErrHeld)
		}
		return nil, err
	}
	info, err := l.Store.Stat(ctx, key)
	if err != nil {
		return nil, err
	}
	return &Lease{l: l, key: key, doc: doc, etag: info.ETag}, nil
}

func (l *Locker) put(ctx context.Context, key string, doc leaseDoc, o storage.PutOptions) error {
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	o.ContentType = "application/json"
	return l.Store.Put(ctx, key, bytes.NewReader(data), o)
}

func (l *Locker) read(ctx context.Context, key string) (leaseDoc, string, error) {
	rc, info, err := l.Store.Get(ctx, key)
	if err != nil {
		return leaseDoc{}, "", err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 1<<16))
	if err != nil {
		return leaseDoc{}, "", err
	}
	var d leaseDoc
	if err := json.Unmarshal(data, &d); err != nil {
		// A corrupt lock object counts as free (expired); taking it over
		// still needs its ETag, so two takers cannot both win.
		return leaseDoc{}, info.ETag, nil
	}
	return d, info.ETag, nil
}

// Renew extends the lease by the TTL. ErrLost means another owner changed
// the lock object: stop working.
func (le *Lease) Renew(ctx context.Context) error {
	doc := le.doc
	doc.Expires = le.l.Clock.Now().Add(le.l.TTL).UTC()
	if err := le.l.put(ctx, le.key, doc, storage.PutOptions{IfMatch: le.etag}); err != nil {
		if errors.Is(err, storage.ErrPreconditionFailed) {
			return fmt.Errorf("%w: %s", ErrLost, le.key)
		}
		return err
	}
	info, err := le.l.Store.Stat(ctx, le.key)
	if err != nil {
		return err
	}
	le.doc, le.etag = doc, info.ETag
	return nil
}

// Release frees the lock (an expired lease, written only if we still hold
// it), so the next owner need not wait for the TTL.
func (le *Lease) Release(ctx context.Context) error {
	doc := le.doc
	doc.Expires = time.Time{}
	err := le.l.put(ctx, le.key, doc, storage.PutOptions{IfMatch: le.etag})
	if errors.Is(err, storage.ErrPreconditionFailed) {
		return fmt.Errorf("%w: %s", ErrLost, le.key)
	}
	return err
}

// Keep renews the lease every TTL/3 until ctx is done; when a renewal fails
// with ErrLost it calls lost (which should cancel the work).
func (le *Lease) Keep(ctx context.Context, lost func(error)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-le.l.Clock.After(le.l.TTL / 3):
		}
		if ctx.Err() != nil {
			return
		}
		if err := le.Renew(ctx); err != nil {
			if errors.Is(err, ErrLost) {
				lost(err)
				return
			}
			// Transient (network): keep trying; the lease is still ours
			// until it expires.
		}
	}
}
