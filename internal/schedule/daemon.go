package schedule

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/seclake/seclake/internal/storage"
)

// errNotStarted marks an activation that did not start (lock held, storage
// unavailable): the loop retries it after Scheduler.Retry.
var errNotStarted = errors.New("schedule: run not started")

// Runner runs one activation of a job (in the CLI: `seclake run <job> --at <at>`).
type Runner func(ctx context.Context, job string, at time.Time) error

// StatePrefix is where the daemon records the last activation of each job.
const StatePrefix = "schedule/state/"

// State is a job's record in the lake: the last activation that was run (or
// deliberately skipped), so a restarted daemon knows what it missed.
type State struct {
	Job       string    `json:"job"`
	Last      time.Time `json:"last"`
	LastError string    `json:"last_error,omitempty"`
}

// Scheduler runs the jobs of Specs on their schedules.
//
//   - One activation of a job at a time: activations are run one after the
//     other by the job's loop (a slow run delays the next, never overlaps
//     it), and under a lease on locks/<job>.json in the lake, so other
//     daemons and manual runs against the same lake do not overlap either.
//   - Missed activations (downtime, slow runs) are caught up oldest first,
//     at most Spec.CatchUp of them; older ones are logged as skipped.
//   - A panicking run is recovered, logged with its stack and recorded as
//     failed; the daemon goes on.
//   - Cancelling Serve's context stops new runs; a running one finishes
//     first (it gets a context without the cancellation).
type Scheduler struct {
	Specs  []Spec
	Run    Runner
	Store  storage.Store // the lake: locks and state
	Clock  Clock
	Owner  string
	Lease  time.Duration // default 10 min
	Retry  time.Duration // wait after finding the lock held; default 1 min
	Logger *slog.Logger
	// Jobs limits the daemon to these jobs (all when empty).
	Jobs []string
}

func (s *Scheduler) defaults() {
	if s.Clock == nil {
		s.Clock = RealClock{}
	}
	if s.Lease <= 0 {
		s.Lease = 10 * time.Minute
	}
	if s.Retry <= 0 {
		s.Retry = time.Minute
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.Specs == nil {
		s.Specs = Specs()
	}
}

// Serve runs until ctx is cancelled and every running activation has ended.
func (s *Scheduler) Serve(ctx context.Context) error {
	s.defaults()
	if s.Run == nil || s.Store == nil {
		return errors.New("schedule: Scheduler needs Run and Store")
	}
	locker := &Locker{Store: s.Store, Owner: s.Owner, TTL: s.Lease, Clock: s.Clock}
	var wg sync.WaitGroup
	errs := make(chan error, len(s.Specs))
	for _, spec := range s.Specs {
		if len(s.Jobs) > 0 && !contains(s.Jobs, spec.Job) {
			continue
		}
		sch, err := spec.Schedule()
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.loop(ctx, spec, sch, locker); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	s.Logger.Info("scheduler stopped")
	return errors.Join(all...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// loop is one job's life: catch up, run due activations, sleep until the next.
func (s *Scheduler) loop(ctx context.Context, spec Spec, sch cron.Schedule, locker *Locker) error {
	log := s.Logger.With("job", spec.Job)
	st, err := s.readState(ctx, spec.Job)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("schedule: %s: read state: %w", spec.Job, err)
	}
	last := st.Last
	if last.IsZero() {
		// First start on this lake: nothing is "missed"; begin with the next activation.
		last = Prev(sch, s.Clock.Now())
		log.Info("no schedule state in the lake: starting with the next activation", "next", sch.Next(last))
	}
	for {
		now := s.Clock.Now()
		due := Between(sch, last, now)
		if n := len(due) - max(spec.CatchUp, 1); n > 0 {
			log.Warn("missed activations beyond the catch-up bound are skipped (use seclake backfill)",
				"skipped", n, "from", due[0], "to", due[n-1], "catch_up", spec.CatchUp)
			due = due[n:]
		}
		held := false
		for _, at := range due {
			if ctx.Err() != nil {
				return nil
			}
			err := s.activate(ctx, spec, at, locker, log)
			if errors.Is(err, errNotStarted) {
				held = true
				break
			}
			last = at
		}
		if ctx.Err() != nil {
			return nil
		}
		// Sleep until the activation after the last one handled; if it
		// passed while running, wait is ≤ 0 and the loop goes round at once.
		wait := sch.Next(last).Sub(s.Clock.Now())
		if held {
			wait = s.Retry // the holder is running it, or storage is down: look again later
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.Clock.After(wait):
		}
	}
}

// activate runs one activation under the job's lease and records it.
func (s *Scheduler) activate(ctx context.Context, spec Spec, at time.Time, locker *Locker, log *slog.Logger) error {
	// Storage calls and the run itself outlive a stop request: the running
	// job ends first.
	work := context.WithoutCancel(ctx)
	lease, err := locker.Acquire(work, spec.Job, at)
	if err != nil {
		if errors.Is(err, ErrHeld) {
			log.Info("run postponed: lock held", "at", at, "reason", err)
		} else {
			log.Error("run not started: lock", "at", at, "err", err)
		}
		return fmt.Errorf("%w: %w", errNotStarted, err)
	}
	defer func() {
		if err := lease.Release(work); err != nil {
			log.Warn("lock release", "err", err)
		}
	}()
	st, err := s.readState(work, spec.Job)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		log.Error("run not started: read state", "at", at, "err", err)
		return fmt.Errorf("%w: %w", errNotStarted, err)
	}
	if !st.Last.Before(at) {
		log.Info("run skipped: already done by another scheduler", "at", at, "state_last", st.Last)
		return nil
	}
	runCtx, cancel := context.WithCancelCause(work)
	keepCtx, stopKeep := context.WithCancel(work)
	go lease.Keep(keepCtx, func(err error) { cancel(err) })
	start := s.Clock.Now()
	wall := time.Now()
	log.Info("run started", "at", at)
	runErr := s.safeRun(runCtx, spec.Job, at)
	stopKeep()
	cancel(nil)
	attrs := []any{"at", at, "seconds", time.Since(wall).Seconds(), "clock_seconds", s.Clock.Now().Sub(start).Seconds()}
	st.Job, st.Last = spec.Job, at
	if runErr != nil {
		st.LastError = runErr.Error()
		log.Error("run failed", append(attrs, "err", runErr)...)
	} else {
		st.LastError = ""
		log.Info("run finished", attrs...)
	}
	if err := s.writeState(work, st); err != nil {
		log.Error("record state", "at", at, "err", err)
	}
	return runErr
}

// safeRun turns a panic in the run into an error.
func (s *Scheduler) safeRun(ctx context.Context, job string, at time.Time) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.Logger.Error("run panicked", "job", job, "at", at, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("schedule: %s at %s panicked: %v", job, at.Format(time.RFC3339), r)
		}
	}()
	return s.Run(ctx, job, at)
}

func (s *Scheduler) readState(ctx context.Context, job string) (State, error) {
	rc, _, err := s.Store.Get(ctx, StatePrefix+job+".json")
	if err != nil {
		return State{Job: job}, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 1<<16))
	if err != nil {
		return State{Job: job}, err
	}
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		return State{Job: job}, fmt.Errorf("schedule: state of %s: %w", job, err)
	}
	return st, nil
}

func (s *Scheduler) writeState(ctx context.Context, st State) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return s.Store.Put(ctx, StatePrefix+st.Job+".json", bytes.NewReader(append(data, '\n')), storage.PutOptions{ContentType: "application/json"})
}
