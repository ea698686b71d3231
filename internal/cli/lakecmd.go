package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/seclake/seclake/internal/lifecycle"
	"github.com/seclake/seclake/internal/storage"
)

func runLake(ctx context.Context, a *App, args []string) error {
	const usage = "Usage: seclake lake init --lake s3://bucket/prefix --kms-key K [--kind lake|raw|reports] | seclake lake retention [--at T] [--dry-run]"
	if len(args) == 0 {
		return usageErr(usage)
	}
	switch args[0] {
	case "init":
		return runLakeInit(ctx, a, args[1:])
	case "retention":
		return runLakeRetention(ctx, a, args[1:])
	case "-h", "--help", "-help":
		fmt.Fprintln(a.Stderr, usage)
		return flag.ErrHelp
	}
	return usageErr("unknown subcommand %q; %s", args[0], usage)
}

func runLakeInit(ctx context.Context, a *App, args []string) error {
	fs := newFlagSet(a, "lake init", "lake init --lake s3://bucket/prefix --kms-key K [--kind lake|raw|reports] [--object-lock-days N]")
	var c common
	c.register(fs)
	kind := fs.String("kind", lifecycle.Lake, "which bucket this is: lake, raw or reports (selects the lifecycle rules)")
	lockDays := fs.Int("object-lock-days", -1, "object lock default retention in days (default: 2557 for reports, none otherwise)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.resolve(a, fs)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	switch *kind {
	case lifecycle.Lake, lifecycle.Raw, lifecycle.Reports:
	default:
		return usageErr("--kind %q: want lake, raw or reports", *kind)
	}
	if *lockDays < 0 {
		*lockDays = 0
		if *kind == lifecycle.Reports {
			*lockDays = lifecycle.ReportsRetentionDays
		}
	}
	st, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return fmt.Errorf("--lake: %w", err)
	}
	s3st, ok := st.(*storage.S3)
	if !ok {
		return usageErr("lake init configures S3 buckets; --lake %q is local", cfg.Lake)
	}
	if s3st.KMSKeyID() == "" {
		return usageErr("--kms-key is required: %w", storage.ErrNoKMSKey)
	}
	return lifecycle.Init(ctx, s3st, lifecycle.InitOptions{Rules: lifecycle.For(*kind), ObjectLockDays: *lockDays,
		Logf: func(f string, args ...any) { fmt.Fprintf(a.Stdout, f+"\n", args...) }})
}

func runLakeRetention(ctx context.Context, a *App, args []string) error {
	fs := newFlagSet(a, "lake retention", "lake retention [--config file] [--at T] [--dry-run]")
	var c common
	c.register(fs)
	at := fs.String("at", "", "RFC3339 time to judge expiry at (default now)")
	dry := fs.Bool("dry-run", false, "count what would be deleted, delete nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.resolve(a, fs)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	when := a.now().UTC()
	if *at != "" {
		if when, err = parseTime("--at", *at); err != nil {
			return usageErr("%w", err)
		}
	}
	st, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return fmt.Errorf("--lake: %w", err)
	}
	if s3st, ok := st.(*storage.S3); ok {
		// S3 expires objects itself; check that the rules are the ones in code.
		if err := lifecycle.Check(ctx, s3st, lifecycle.For(lifecycle.Lake)); err != nil {
			return err
		}
		fmt.Fprintf(a.Stdout, "retention: %s lifecycle rules match the defaults\n", st.URI())
		return nil
	}
	n, err := lifecycle.Expire(ctx, st, lifecycle.For(lifecycle.Lake), when, *dry)
	if err != nil {
		return err
	}
	verb := "deleted"
	if *dry {
		verb = "would delete"
	}
	fmt.Fprintf(a.Stdout, "retention: %s %d expired objects in %s\n", verb, n, st.URI())
	return nil
}
