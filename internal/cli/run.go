package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/seclake/seclake/internal/config"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/schedule"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/jobs/convert"
)

func (a *App) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// forward returns the common flags given on the command line other than
// --config, to pass on to the commands a job runs in-process.
func (c *common) forward(fs *flag.FlagSet) []string {
	var out []string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "lake", "s3-endpoint", "s3-region", "kms-key", "log-level", "log-format":
			out = append(out, "--"+f.Name, f.Value.String())
		case "s3-path-style":
			out = append(out, "--s3-path-style="+f.Value.String())
		}
	})
	return out
}

// runFlags are the flags of `seclake run`.
type runFlags struct {
	c       common
	at      string
	dryRun  bool
	steps   string
	source  string
	account string
	region  string
	planOut string
	bin     string
	wait    time.Duration
}

func runRun(ctx context.Context, a *App, args []string) error {
	const usage = "run hourly|daily|quarterly [--config file] [--at RFC3339] [--step name,…] [--dry-run] [--wait duration]"
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprintln(a.Stderr, "Usage: seclake "+usage)
			return flag.ErrHelp
		}
		return usageErr("usage: seclake %s", usage)
	}
	job := args[0]
	if _, err := schedule.Lookup(job); err != nil {
		return usageErr("%w", err)
	}
	fs := newFlagSet(a, "run "+job, usage)
	var f runFlags
	f.c.register(fs)
	fs.StringVar(&f.at, "at", "", "activation time (RFC3339; default now): hourly converts the hour closed 20 min before it")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the command lines, checked against their commands' flags, without running them")
	fs.StringVar(&f.steps, "step", "", "run only these steps (comma-separated; default all): hourly convert,detect,deliver; daily baseline,report,retention; quarterly report")
	fs.StringVar(&f.source, "source", "", "with --account and --region: convert only this shard (one item of the AWS fan-out)")
	fs.StringVar(&f.account, "account", "", "shard account id (see --source)")
	fs.StringVar(&f.region, "region", "", "shard region (see --source)")
	fs.StringVar(&f.planOut, "plan-out", "", "write the fan-out plan to this key in the lake and exit: a JSON array of bins ({\"bin\": key}), each bin a file of (source, account, region) shards (schedule.bins; AWS hourly: the Distributed Map reads it)")
	fs.DurationVar(&f.wait, "wait", 0, "when another run of the job holds the lake's lease, wait up to this long for it (default: exit 75 at once)")
	fs.StringVar(&f.bin, "bin", "", "convert only the shards listed in this bin file in the lake (written by --plan-out)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected arguments %q", fs.Args())
	}
	cfg, err := f.c.resolve(a, fs)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	at := a.now().UTC()
	if f.at != "" {
		if at, err = parseTime("--at", f.at); err != nil {
			return usageErr("%w", err)
		}
	}
	p := schedule.Params{At: at, Config: f.c.configPath, Flags: f.c.forward(fs), TrailingHours: cfg.Schedule.TrailingHours,
		BaselineDays: cfg.Schedule.BaselineDays, Frameworks: cfg.Schedule.Frameworks}
	items := schedule.Items(cfg.Schedule.OrgID, cfg.Schedule.Sources, cfg.Schedule.Accounts, cfg.Schedule.Regions)
	if f.source != "" || f.account != "" || f.region != "" {
		if f.source == "" || f.account == "" || f.region == "" {
			return usageErr("--source, --account and --region go together")
		}
		items = []schedule.Item{{Source: f.source, Account: f.account, Region: f.region, OrgID: cfg.Schedule.OrgID}}
	}
	if f.bin != "" {
		if items, err = a.readBin(ctx, cfg, f.bin); err != nil {
			return err
		}
	}
	if f.planOut != "" {
		return a.writePlan(ctx, cfg, f.planOut, items, at, f.dryRun)
	}
	steps, err := selectSteps(job, f.steps)
	if err != nil {
		return usageErr("%w", err)
	}
	lines := commandLines(steps, p, items)
	if f.dryRun {
		var errs []error
		for _, l := range lines {
			fmt.Fprintln(a.Stdout, "seclake "+shellJoin(l.argv))
			if err := a.checkArgv(ctx, l.argv); err != nil {
				errs = append(errs, fmt.Errorf("step %s: %w", l.step, err))
			}
		}
		return errors.Join(errs...)
	}
	log := a.logger(cfg).With("job", job, "at", at.Format(time.RFC3339))
	// A whole job or step holds the job's lease, as the daemon does: two runs
	// of a job (manual, daemon, another host) never overlap on a lake. The
	// shards of a fan-out (--bin, --source) run in parallel under their
	// orchestrator and take none.
	if f.bin == "" && f.source == "" && ctx.Value(leaseHeldKey{}) != job {
		runCtx, release, err := a.holdLease(ctx, cfg, job, at, f.wait)
		if err != nil {
			return err
		}
		defer release()
		ctx = runCtx
	}
	// A failed shard does not stop the other shards of its step; a failed
	// step stops the job before its next step.
	var failed []string
	for i, l := range lines {
		start := time.Now()
		code := a.Run(ctx, l.argv)
		log.Info("step done", "step", l.step, "argv", shellJoin(l.argv), "exit", code, "seconds", time.Since(start).Seconds())
		if code != 0 {
			failed = append(failed, fmt.Sprintf("`seclake %s` exited %d", shellJoin(l.argv), code))
		}
		if ctx.Err() != nil {
			return context.Cause(ctx) // e.g. schedule.ErrLost: another owner took the lease
		}
		if len(failed) > 0 && (i == len(lines)-1 || lines[i+1].step != l.step || !l.fanOut) {
			return &exitError{code: 1, err: fmt.Errorf("step %s: %s", l.step, strings.Join(failed, "; "))}
		}
	}
	return nil
}

// ExitLockHeld is the exit code of `seclake run` when another run of the
// same job holds the lake's lease (sysexits EX_TEMPFAIL: try again later).
const ExitLockHeld = 75

// leaseHeldKey marks a context whose caller (the daemon) holds the lease of
// the job named by its value.
type leaseHeldKey struct{}

// holdLease takes the lease on locks/<job>.json in the lake and keeps it
// renewed; the returned context is cancelled if the lease is lost, and
// release frees it. A lease held by another owner is waited for up to wait,
// then an exit-75 error that names the holder.
func (a *App) holdLease(ctx context.Context, cfg config.Config, job string, at time.Time, wait time.Duration) (context.Context, func(), error) {
	st, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return nil, nil, fmt.Errorf("--lake: %w", err)
	}
	var clock schedule.Clock = schedule.RealClock{}
	if a.Clock != nil {
		clock = a.Clock
	}
	host, _ := os.Hostname()
	locker := &schedule.Locker{Store: st, Owner: fmt.Sprintf("run:%s:%d:%d", host, os.Getpid(), time.Now().UnixNano()),
		TTL: time.Duration(cfg.Schedule.LeaseMinutes) * time.Minute, Clock: clock}
	deadline := time.Now().Add(wait)
	poll := min(5*time.Second, max(wait/20, 50*time.Millisecond))
	lease, err := locker.Acquire(ctx, job, at)
	for errors.Is(err, schedule.ErrHeld) && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(min(poll, time.Until(deadline))):
		}
		lease, err = locker.Acquire(ctx, job, at)
	}
	if errors.Is(err, schedule.ErrHeld) {
		return nil, nil, &exitError{code: ExitLockHeld, err: fmt.Errorf("not started: another run of %s holds the lake's lease (exit %d, try again later): %w", job, ExitLockHeld, err)}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("lock %s: %w", job, err)
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	keepCtx, stopKeep := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		lease.Keep(keepCtx, cancel)
	}()
	release := func() {
		stopKeep()
		<-done
		cancel(nil)
		if err := lease.Release(context.WithoutCancel(ctx)); err != nil {
			a.logger(cfg).Warn("lock release", "job", job, "err", err)
		}
	}
	return context.WithValue(runCtx, leaseHeldKey{}, job), release, nil
}

type cmdLine struct {
	step   string
	fanOut bool
	argv   []string
}

// commandLines expands steps into command lines: fan-out steps once per
// item (or once over the whole raw store when there are no items).
func commandLines(steps []schedule.Step, p schedule.Params, items []schedule.Item) []cmdLine {
	var out []cmdLine
	for _, s := range steps {
		if s.FanOut && len(items) > 0 {
			for i := range items {
				q := p
				q.Item = &items[i]
				for _, argv := range s.Argv(q) {
					out = append(out, cmdLine{s.Name, true, argv})
				}
			}
			continue
		}
		for _, argv := range s.Argv(p) {
			out = append(out, cmdLine{s.Name, false, argv})
		}
	}
	return out
}

func selectSteps(job, names string) ([]schedule.Step, error) {
	if names == "" {
		return schedule.Steps(job), nil
	}
	var out []schedule.Step
	for _, n := range splitList(names) {
		s, err := schedule.LookupStep(job, n)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// checkArgv validates a command line without running it: the command must
// exist and accept every flag (the line is parsed with --help appended, so
// parsing stops before any work).
func (a *App) checkArgv(ctx context.Context, argv []string) error {
	var errb bytes.Buffer
	sub := &App{Stdout: io.Discard, Stderr: &errb, Getenv: a.Getenv, Now: a.Now}
	found := false
	for _, c := range sub.commands() {
		found = found || c.name == argv[0]
	}
	if !found {
		return fmt.Errorf("seclake %s: no such command", argv[0])
	}
	if code := sub.Run(ctx, append(append([]string{}, argv...), "--help")); code != 0 {
		msg := strings.TrimSpace(errb.String())
		if i := strings.IndexByte(msg, '\n'); i > 0 {
			msg = msg[:i]
		}
		return fmt.Errorf("seclake %s: rejected (exit %d): %s", shellJoin(argv), code, msg)
	}
	return nil
}

// planEntry is one item of the plan the Distributed Map reads.
type planEntry struct {
	Bin    string `json:"bin"`
	Shards int    `json:"shards"`
}

// writePlan splits the shards into bins (schedule.bins of them; 0: one bin
// per shard), writes each bin to <key without .json>/bin-NNNNN.json and the
// list of bins to key. One ECS task converts one bin: at a thousand
// accounts, a task per shard would spend far more on task start-up than on
// converting (infra/README.md, Scale).
func (a *App) writePlan(ctx context.Context, cfg config.Config, key string, items []schedule.Item, at time.Time, dry bool) error {
	st, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return fmt.Errorf("--lake: %w", err)
	}
	// Weigh each shard by the bytes its hour before the closed one read (its
	// manifest from the previous activation); unknown shards weigh 1.
	from, _ := schedule.ClosedHour(at)
	prevWin := lake.Window{From: from.Add(-time.Hour), To: from}
	weights := make([]int64, len(items))
	if cfg.Schedule.Bins > 0 && cfg.Schedule.Bins < len(items) {
		for i, it := range items {
			m, err := lake.ReadManifest(ctx, st, convert.ManifestKey(prevWin, it.Shard()))
			switch {
			case err == nil:
				weights[i] = m.Counts.BytesRead
			case errors.Is(err, storage.ErrNotFound):
			default:
				return err
			}
		}
	}
	bins := schedule.BinByWeight(items, weights, cfg.Schedule.Bins)
	dir := strings.TrimSuffix(key, ".json") + "/"
	plan := make([]planEntry, len(bins))
	for i, b := range bins {
		plan[i] = planEntry{Bin: fmt.Sprintf("%sbin-%05d.json", dir, i), Shards: len(b)}
		if dry {
			continue
		}
		data, err := json.Marshal(b)
		if err != nil {
			return err
		}
		if err := st.Put(ctx, plan[i].Bin, bytes.NewReader(data), storage.PutOptions{ContentType: "application/json"}); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(plan, "", "  ")
	if err != nil {
		return err
	}
	if dry {
		_, err := a.Stdout.Write(append(data, '\n'))
		return err
	}
	if err := st.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{ContentType: "application/json"}); err != nil {
		return err
	}
	fmt.Fprintf(a.Stdout, "plan: %d shards in %d bins → %s/%s\n", len(items), len(bins), strings.TrimSuffix(st.URI(), "/"), key)
	return nil
}

// readBin loads the shards of one bin.
func (a *App) readBin(ctx context.Context, cfg config.Config, key string) ([]schedule.Item, error) {
	st, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return nil, fmt.Errorf("--lake: %w", err)
	}
	rc, _, err := st.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("--bin: %w", err)
	}
	defer rc.Close()
	var items []schedule.Item
	if err := json.NewDecoder(io.LimitReader(rc, 64<<20)).Decode(&items); err != nil {
		return nil, fmt.Errorf("--bin %s: %w", key, err)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("--bin %s: no shards", key)
	}
	return items, nil
}

// shellJoin quotes argv for display (and copy-paste into a shell).
func shellJoin(argv []string) string {
	out := make([]string, len(argv))
	for i, s := range argv {
		if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`*?[]{}();&|<>#~!") {
			out[i] = s
			continue
		}
		out[i] = "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}
