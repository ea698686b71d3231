package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/storage"
)

type run struct {
	job   string
	at    time.Time
	owner string
}

// recorder is a Runner that records activations and checks for overlap.
type recorder struct {
	mu      sync.Mutex
	runs    []run
	running atomic.Int32
	maxSeen atomic.Int32
	ch      chan run
	// block, when set, is waited on inside every run (slow job).
	block chan struct{}
	// panicAt makes the run at this time panic.
	panicAt time.Time
}

func newRecorder() *recorder { return &recorder{ch: make(chan run, 1000)} }

func (r *recorder) runner(owner string) Runner {
	return func(ctx context.Context, job string, at time.Time) error {
		n := r.running.Add(1)
		defer r.running.Add(-1)
		for {
			m := r.maxSeen.Load()
			if n <= m || r.maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		if r.block != nil {
			select {
			case <-r.block:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		rn := run{job, at, owner}
		r.mu.Lock()
		r.runs = append(r.runs, rn)
		r.mu.Unlock()
		r.ch <- rn
		if at.Equal(r.panicAt) {
			panic("boom")
		}
		return nil
	}
}

func (r *recorder) wait(t *testing.T) run {
	t.Helper()
	select {
	case rn := <-r.ch:
		return rn
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a run")
		return run{}
	}
}

func (r *recorder) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case rn := <-r.ch:
		t.Fatalf("unexpected run %s %s", rn.job, rn.at)
	case <-time.After(d):
	}
}

func newLake(t *testing.T) storage.Store {
	t.Helper()
	s, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type harness struct {
	t     *testing.T
	clock *FakeClock
	lake  storage.Store
	rec   *recorder
	done  chan error
	stop  context.CancelFunc
}

func hourlyOnly() []Spec {
	s, _ := Lookup(Hourly)
	return []Spec{s}
}

func start(t *testing.T, clock *FakeClock, lake storage.Store, rec *recorder, owner string, specs []Spec) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{Specs: specs, Run: rec.runner(owner), Store: lake, Clock: clock, Owner: owner,
		Lease: 90 * 24 * time.Hour, Retry: 5 * time.Minute, Logger: slog.New(slog.DiscardHandler)}
	h := &harness{t: t, clock: clock, lake: lake, rec: rec, done: make(chan error, 1), stop: cancel}
	go func() { h.done <- s.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-h.done })
	return h
}

func (h *harness) shutdown() error {
	h.stop()
	select {
	case err := <-h.done:
		h.done <- err // for Cleanup
		return err
	case <-time.After(10 * time.Second):
		h.t.Fatal("Serve did not return after cancel")
		return nil
	}
}

func writeState(t *testing.T, lake storage.Store, job string, last time.Time) {
	t.Helper()
	if err := (&Scheduler{Store: lake}).writeState(context.Background(), State{Job: job, Last: last}); err != nil {
		t.Fatal(err)
	}
}

func TestDayOfHourlyRuns(t *testing.T) {
	t0 := mustTime(t, "2026-11-21T00:05:00Z")
	clock := NewFakeClock(t0)
	rec := newRecorder()
	h := start(t, clock, newLake(t), rec, "a", hourlyOnly())
	if !clock.WaitFor(1, 5*time.Second) {
		t.Fatal("scheduler never waited")
	}
	rec.none(t, 20*time.Millisecond) // first start: nothing is missed
	for i := range 24 {
		want := t0.Truncate(time.Hour).Add(time.Duration(i)*time.Hour + 20*time.Minute)
		clock.Set(want.Add(time.Minute))
		if got := rec.wait(t); !got.at.Equal(want) || got.job != Hourly {
			t.Fatalf("run %d = %s %s, want hourly %s", i, got.job, got.at, want)
		}
	}
	rec.none(t, 20*time.Millisecond)
	if err := h.shutdown(); err != nil {
		t.Fatal(err)
	}
	st, err := (&Scheduler{Store: h.lake}).readState(context.Background(), Hourly)
	if err != nil || !st.Last.Equal(mustTime(t, "2026-11-21T23:20:00Z")) {
		t.Fatalf("state = %+v, %v", st, err)
	}
	if rec.maxSeen.Load() != 1 {
		t.Errorf("max concurrent runs = %d", rec.maxSeen.Load())
	}
}

func TestCatchUpOldestFirstBounded(t *testing.T) {
	for _, c := range []struct {
		name     string
		downFrom string
		want     int
	}{
		{"within bound", "2026-11-21T02:20:00Z", 8},  // 03:20 … 10:20
		{"beyond bound", "2026-11-18T10:20:00Z", 24}, // 72 missed, newest 24 run
	} {
		t.Run(c.name, func(t *testing.T) {
			lake := newLake(t)
			writeState(t, lake, Hourly, mustTime(t, c.downFrom))
			now := mustTime(t, "2026-11-21T10:30:00Z")
			rec := newRecorder()
			start(t, NewFakeClock(now), lake, rec, "a", hourlyOnly())
			want := mustTime(t, "2026-11-21T10:20:00Z").Add(-time.Duration(c.want-1) * time.Hour)
			for i := range c.want {
				got := rec.wait(t)
				if !got.at.Equal(want) {
					t.Fatalf("catch-up run %d at %s, want %s", i, got.at, want)
				}
				want = want.Add(time.Hour)
			}
			rec.none(t, 20*time.Millisecond)
		})
	}
}

// A run slower than the period delays the next activations; they are then
// caught up one after the other, never overlapping.
func TestNoOverlapWhenSlow(t *testing.T) {
	t0 := mustTime(t, "2026-11-21T10:00:00Z")
	clock := NewFakeClock(t0)
	rec := newRecorder()
	rec.block = make(chan struct{})
	start(t, clock, newLake(t), rec, "a", hourlyOnly())
	clock.WaitFor(1, 5*time.Second)
	clock.Set(mustTime(t, "2026-11-21T10:20:00Z"))
	for rec.running.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// Three more activations pass while the first run is still going.
	for i := 1; i <= 3; i++ {
		clock.Set(mustTime(t, "2026-11-21T10:20:00Z").Add(time.Duration(i) * time.Hour))
		time.Sleep(5 * time.Millisecond)
		if n := rec.running.Load(); n != 1 {
			t.Fatalf("%d runs at once", n)
		}
	}
	close(rec.block)
	for i := range 4 {
		want := mustTime(t, "2026-11-21T10:20:00Z").Add(time.Duration(i) * time.Hour)
		if got := rec.wait(t); !got.at.Equal(want) {
			t.Fatalf("run %d at %s, want %s", i, got.at, want)
		}
	}
	if rec.maxSeen.Load() != 1 {
		t.Errorf("max concurrent runs = %d, want 1", rec.maxSeen.Load())
	}
}

// Two daemons on one lake (two processes, or hosts): each activation runs
// once, never two at a time.
func TestTwoSchedulersOneLake(t *testing.T) {
	t0 := mustTime(t, "2026-11-21T00:00:00Z")
	clock := NewFakeClock(t0)
	lake := newLake(t)
	rec := newRecorder()
	start(t, clock, lake, rec, "host-a", hourlyOnly())
	start(t, clock, lake, rec, "host-b", hourlyOnly())
	clock.WaitFor(2, 5*time.Second)
	seen := map[time.Time]string{}
	for i := range 12 {
		at := t0.Add(time.Duration(i)*time.Hour + 20*time.Minute)
		clock.Set(at)
		got := rec.wait(t)
		if !got.at.Equal(at) {
			t.Fatalf("run at %s, want %s", got.at, at)
		}
		seen[got.at] = got.owner
		// The loser may retry after the Retry interval; it must find the
		// activation done and not run it again.
		clock.Set(at.Add(6 * time.Minute))
		rec.none(t, 10*time.Millisecond)
	}
	if len(seen) != 12 || rec.maxSeen.Load() != 1 {
		t.Fatalf("runs %d, max concurrent %d", len(seen), rec.maxSeen.Load())
	}
}

func TestPanicRecovered(t *testing.T) {
	t0 := mustTime(t, "2026-11-21T10:00:00Z")
	clock := NewFakeClock(t0)
	lake := newLake(t)
	rec := newRecorder()
	rec.panicAt = mustTime(t, "2026-11-21T10:20:00Z")
	start(t, clock, lake, rec, "a", hourlyOnly())
	clock.WaitFor(1, 5*time.Second)
	clock.Set(rec.panicAt)
	rec.wait(t)
	clock.Set(rec.panicAt.Add(time.Hour))
	if got := rec.wait(t); !got.at.Equal(rec.panicAt.Add(time.Hour)) {
		t.Fatalf("after the panic: run at %s", got.at)
	}
	time.Sleep(10 * time.Millisecond)
	// The panicking run was recorded as failed (and not retried).
	rec.none(t, 10*time.Millisecond)
}

// Cancelling Serve (SIGTERM in the CLI) lets the running job finish with a
// live context, then returns; no new run starts.
func TestStopWaitsForRunningJob(t *testing.T) {
	t0 := mustTime(t, "2026-11-21T10:00:00Z")
	clock := NewFakeClock(t0)
	rec := newRecorder()
	rec.block = make(chan struct{})
	h := start(t, clock, newLake(t), rec, "a", hourlyOnly())
	clock.WaitFor(1, 5*time.Second)
	clock.Set(mustTime(t, "2026-11-21T10:20:00Z"))
	for rec.running.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	h.stop()
	select {
	case <-h.done:
		t.Fatal("Serve returned while a run was in progress")
	case <-time.After(30 * time.Millisecond):
	}
	close(rec.block) // the run was not cancelled: it completes
	got := rec.wait(t)
	if !got.at.Equal(mustTime(t, "2026-11-21T10:20:00Z")) {
		t.Fatalf("run at %s", got.at)
	}
	select {
	case err := <-h.done:
		h.done <- err
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the run ended")
	}
	clock.Set(mustTime(t, "2026-11-21T12:20:00Z"))
	rec.none(t, 20*time.Millisecond)
	st, _ := (&Scheduler{Store: h.lake}).readState(context.Background(), Hourly)
	if !st.Last.Equal(got.at) || st.LastError != "" {
		t.Errorf("state after stop = %+v", st)
	}
}

func TestLease(t *testing.T) {
	ctx := context.Background()
	lake := newLake(t)
	clock := NewFakeClock(mustTime(t, "2026-11-21T10:00:00Z"))
	a := &Locker{Store: lake, Owner: "a", TTL: 10 * time.Minute, Clock: clock}
	b := &Locker{Store: lake, Owner: "b", TTL: 10 * time.Minute, Clock: clock}
	la, err := a.Acquire(ctx, Hourly, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Acquire(ctx, Hourly, clock.Now()); !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), "a ") {
		t.Fatalf("second owner: err = %v, want ErrHeld naming a", err)
	}
	clock.Advance(9 * time.Minute)
	if err := la.Renew(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(9 * time.Minute) // 18 min after acquire, 9 after renew: still held
	if _, err := b.Acquire(ctx, Hourly, clock.Now()); !errors.Is(err, ErrHeld) {
		t.Fatalf("after renew: err = %v, want ErrHeld", err)
	}
	clock.Advance(2 * time.Minute) // a died without releasing: expired
	lb, err := b.Acquire(ctx, Hourly, clock.Now())
	if err != nil {
		t.Fatalf("takeover of an expired lease: %v", err)
	}
	if err := la.Renew(ctx); !errors.Is(err, ErrLost) {
		t.Fatalf("renew after takeover: err = %v, want ErrLost", err)
	}
	if err := la.Release(ctx); !errors.Is(err, ErrLost) {
		t.Fatalf("release after takeover: err = %v, want ErrLost", err)
	}
	if err := lb.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Acquire(ctx, Hourly, clock.Now()); err != nil {
		t.Fatalf("acquire after release: %v", err)
	}
	// Other jobs have their own locks.
	if _, err := b.Acquire(ctx, Daily, clock.Now()); err != nil {
		t.Fatal(err)
	}
	// Many contenders for a free lock: one wins.
	var won atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := &Locker{Store: lake, Owner: fmt.Sprint("c", i), TTL: time.Minute, Clock: clock}
			if _, err := l.Acquire(ctx, Quarterly, clock.Now()); err == nil {
				won.Add(1)
			} else if !errors.Is(err, ErrHeld) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Errorf("%d contenders won", won.Load())
	}
}

// A lease lost during a run (another owner took it after expiry) cancels the run.
func TestLostLeaseCancelsRun(t *testing.T) {
	ctx := context.Background()
	lake := newLake(t)
	clock := NewFakeClock(mustTime(t, "2026-11-21T10:00:00Z"))
	a := &Locker{Store: lake, Owner: "a", TTL: 3 * time.Minute, Clock: clock}
	la, err := a.Acquire(ctx, Hourly, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Someone rewrites the lock object (e.g. an operator, or a takeover).
	b := &Locker{Store: lake, Owner: "b", TTL: 3 * time.Minute, Clock: clock}
	clock.Advance(4 * time.Minute)
	if _, err := b.Acquire(ctx, Hourly, clock.Now()); err != nil {
		t.Fatal(err)
	}
	lost := make(chan error, 1)
	kctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go la.Keep(kctx, func(err error) { lost <- err })
	clock.WaitFor(1, 5*time.Second)
	clock.Advance(time.Minute)
	select {
	case err := <-lost:
		if !errors.Is(err, ErrLost) {
			t.Fatalf("lost: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Keep did not report the lost lease")
	}
}
