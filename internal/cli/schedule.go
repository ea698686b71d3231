package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/schedule"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/jobs/convert"
)

func runSchedule(ctx context.Context, a *App, args []string) error {
	fs := newFlagSet(a, "schedule", "schedule --config file [--jobs hourly,daily,quarterly]")
	var c common
	c.register(fs)
	jobs := fs.String("jobs", "", "comma-separated jobs to run (default schedule.jobs: hourly,daily,quarterly)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected arguments %q", fs.Args())
	}
	cfg, err := c.resolve(a, fs)
	if err != nil {
		return err
	}
	if *jobs != "" {
		cfg.Schedule.Jobs = splitList(*jobs)
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	log := a.logger(cfg)
	st, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return fmt.Errorf("--lake: %w", err)
	}
	host, _ := os.Hostname()
	owner := fmt.Sprintf("%s:%d:%d", host, os.Getpid(), a.now().UnixNano())
	for _, s := range schedule.Specs() {
		log.Info("schedule", "job", s.Job, "cron", s.Cron+" (UTC)", "catch_up", s.CatchUp, "what", s.Description)
	}
	sch := &schedule.Scheduler{
		Store: st, Owner: owner, Logger: log, Jobs: cfg.Schedule.Jobs,
		Lease: time.Duration(cfg.Schedule.LeaseMinutes) * time.Minute,
		Run: func(ctx context.Context, job string, at time.Time) error {
			argv := []string{"run", job, "--at", at.UTC().Format(time.RFC3339)}
			if c.configPath != "" {
				argv = append(argv, "--config", c.configPath)
			}
			argv = append(argv, c.forward(fs)...)
			// The scheduler holds the job's lease: the run must not take it again.
			if code := a.Run(context.WithValue(ctx, leaseHeldKey{}, job), argv); code != 0 {
				return fmt.Errorf("`seclake %s` exited %d", shellJoin(argv), code)
			}
			return nil
		},
	}
	if a.Clock != nil {
		sch.Clock = a.Clock
	}
	log.Info("scheduler started", "owner", owner, "lake", st.URI(), "jobs", cfg.Schedule.Jobs)
	return sch.Serve(ctx) // returns after SIGTERM once the running job has ended
}

func runBackfill(ctx context.Context, a *App, args []string) error {
	fs := newFlagSet(a, "backfill", "backfill --from T --to T [--config file] [--parallel N] [--force]")
	var c common
	c.register(fs)
	from := fs.String("from", "", "RFC3339 start (rounded down to the hour)")
	to := fs.String("to", "", "RFC3339 end (rounded up to the hour)")
	parallel := fs.Int("parallel", 2, "hour×shard partitions converted at once")
	force := fs.Bool("force", false, "reconvert partitions that already have a manifest")
	dry := fs.Bool("dry-run", false, "print the partitions' command lines and whether each is done")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected arguments %q", fs.Args())
	}
	cfg, err := c.resolve(a, fs)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	win, err := parseWindow(*from, *to)
	if err != nil {
		return err
	}
	if win.From.IsZero() || win.To.IsZero() || !win.From.Before(win.To) {
		return usageErr("--from and --to are required, --from before --to")
	}
	if *parallel < 1 {
		return usageErr("--parallel %d must be at least 1", *parallel)
	}
	st, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return fmt.Errorf("--lake: %w", err)
	}
	log := a.logger(cfg)
	items := schedule.Items(cfg.Schedule.OrgID, cfg.Schedule.Sources, cfg.Schedule.Accounts, cfg.Schedule.Regions)
	conv, _ := schedule.LookupStep(schedule.Hourly, "convert")
	type part struct {
		window lake.Window
		shard  string
		argv   []string
	}
	var parts []part
	for h := win.From.Truncate(time.Hour); h.Before(win.To); h = h.Add(time.Hour) {
		// The activation that converts hour h alone is h+1h+20m with one trailing hour.
		p := schedule.Params{At: h.Add(time.Hour + schedule.Delay), Config: c.configPath, Flags: c.forward(fs), TrailingHours: 1}
		for _, l := range commandLines([]schedule.Step{conv}, p, items) {
			shard := ""
			if p := indexOf(l.argv, "--shard"); p >= 0 {
				shard = l.argv[p+1]
			}
			parts = append(parts, part{lake.Window{From: h, To: h.Add(time.Hour)}, shard, l.argv})
		}
	}
	// Resumable: a partition whose manifest exists is done.
	var todo []part
	for _, p := range parts {
		_, err := st.Stat(ctx, convert.ManifestKey(p.window, p.shard))
		done := err == nil
		if err != nil && !isNotFound(err) {
			return err
		}
		if *dry {
			state := "todo"
			if done {
				state = "done"
			}
			fmt.Fprintf(a.Stdout, "%s\tseclake %s\n", state, shellJoin(p.argv))
			continue
		}
		if !done || *force {
			if *force {
				p.argv = slices.DeleteFunc(slices.Clone(p.argv), func(s string) bool { return s == "--if-changed" })
			}
			todo = append(todo, p)
		}
	}
	if *dry {
		return nil
	}
	log.Info("backfill", "partitions", len(parts), "todo", len(todo), "parallel", *parallel)
	var (
		mu     sync.Mutex
		failed []string
		wg     sync.WaitGroup
	)
	work := make(chan part)
	for range *parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				argv := p.argv
				if *parallel > 1 && indexOf(argv, "--workers") < 0 {
					argv = append(append([]string{}, argv...), "--workers", "1")
				}
				if code := a.Run(ctx, argv); code != 0 {
					mu.Lock()
					failed = append(failed, shellJoin(p.argv))
					mu.Unlock()
				}
			}
		}()
	}
	for _, p := range todo {
		if ctx.Err() != nil {
			break
		}
		work <- p
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("backfill interrupted (rerun the same command to resume): %w", err)
	}
	if len(failed) > 0 {
		return fmt.Errorf("backfill: %d of %d partitions failed (rerun to retry only those):\n  seclake %s", len(failed), len(todo), joinLines(failed))
	}
	fmt.Fprintf(a.Stdout, "backfill: %d partitions converted, %d already done\n", len(todo), len(parts)-len(todo))
	return nil
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func joinLines(l []string) string {
	out := ""
	for i, s := range l {
		if i > 0 {
			out += "\n  seclake "
		}
		out += s
	}
	return out
}

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
