package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/seclake/seclake/internal/compliance"
	"github.com/seclake/seclake/internal/config"
	"github.com/seclake/seclake/internal/integrity"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/jobs/report"
)

func runReport(ctx context.Context, a *App, args []string) error {
	fs := newFlagSet(a, "report", `report --lake <dir|s3://b/p> --period 2026-11-21|2026-W47|2026-11|2026-Q4 [--frameworks soc2,pci-dss,gdpr] [flags]

Writes reports/period=<p>/framework=<f>/report.{json,md,html} (to --out when
given, else to the lake), log_gap findings for missing log hours, and the run
manifest runs/report/<window>/manifest.json last.`)
	var c common
	c.register(fs)
	period := fs.String("period", "", "a day (2026-11-21), ISO week (2026-W47), month (2026-11) or quarter (2026-Q4)")
	frameworks := fs.String("frameworks", "", "comma-separated framework ids (default report.frameworks, else all: soc2, pci-dss, gdpr)")
	out := fs.String("out", "", "write the reports here (directory or s3://b/p) instead of the lake")
	raw := fs.String("raw", "", "trail bucket (directory or s3://b/p) with CloudTrail-Digest files to verify (env SECLAKE_RAW is not used: verification is opt-in)")
	rawPrefix := fs.String("raw-prefix", "", "key prefix of AWSLogs/ inside --raw")
	pubKeys := fs.String("public-keys", "", "PEM file of CloudTrail public keys for digest signatures (report.public_keys)")
	cacheDir := fs.String("cache", "", "where an S3 lake is mirrored for DuckDB (default: user cache dir)")
	now := fs.String("now", "", "RFC3339 clock for the report (default: now); fixes the output bytes")
	asJSON := fs.Bool("json", false, "print the run summary as JSON")
	memLimit := fs.String("memory-limit", "", "DuckDB memory limit while reporting, e.g. 512MB (report.memory_limit, default 1GB)")
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
	if *memLimit != "" {
		cfg.Report.MemoryLimit = *memLimit
	}
	if *pubKeys != "" {
		cfg.Report.PublicKeys = *pubKeys
	}
	if *frameworks != "" {
		cfg.Report.Frameworks = splitList(*frameworks)
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	if *period == "" {
		return usageErr("--period is required")
	}
	p, err := compliance.ParsePeriod(*period)
	if err != nil {
		return usageErr("--period: %w", err)
	}
	clock := time.Now
	if *now != "" {
		t, err := time.Parse(time.RFC3339, *now)
		if err != nil {
			return usageErr("--now %q: %w", *now, err)
		}
		clock = func() time.Time { return t }
	}
	log := a.logger(cfg)
	a.applyMemoryLimit(cfg)
	store, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return err
	}
	root, refresh, err := engineRoot(ctx, cfg, store, *cacheDir)
	if err != nil {
		return err
	}
	if err := refresh(ctx); err != nil {
		return err
	}
	rc := report.Config{
		Lake: store, Out: store, Root: root, Refresh: refresh,
		Period: p, Frameworks: cfg.Report.Frameworks, ExpectedShare: cfg.Report.ExpectedShare, MemoryLimit: cfg.Report.MemoryLimit,
		Now: clock, Logger: log,
	}
	if *out != "" {
		if rc.Out, err = openStore(ctx, cfg, *out); err != nil {
			return err
		}
	}
	if *raw != "" {
		if rc.Raw, err = openStore(ctx, cfg, *raw); err != nil {
			return err
		}
		rc.RawPrefix = *rawPrefix
	}
	if cfg.Report.PublicKeys != "" {
		pem, err := os.ReadFile(cfg.Report.PublicKeys)
		if err != nil {
			return usageErr("report.public_keys: %w", err)
		}
		if rc.PublicKeys, err = integrity.ParseKeys(pem); err != nil {
			return usageErr("report.public_keys %s: %w", cfg.Report.PublicKeys, err)
		}
	}
	if rc.Retention, err = report.RetentionFor(ctx, rc.Out, cfg.Report.RetentionDays, clock()); err != nil {
		return err
	}
	res, err := report.Run(ctx, rc)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(a.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{
			"period": p.Name, "outputs": res.Outputs, "gap_findings": res.GapFindings,
			"statuses": res.Statuses, "seconds": res.Duration.Seconds(),
		})
	}
	for _, f := range slices.Sorted(maps.Keys(res.Statuses)) {
		met, not, ins := 0, 0, 0
		for _, s := range res.Statuses[f] {
			switch s {
			case compliance.StatusMet:
				met++
			case compliance.StatusNotMet:
				not++
			default:
				ins++
			}
		}
		fmt.Fprintf(a.Stdout, "%-8s %d met, %d not met, %d insufficient evidence\n", f, met, not, ins)
	}
	fmt.Fprintf(a.Stdout, "log gaps: %d (written as %s findings); %.1fs\n", res.GapFindings, report.GapDetector, res.Duration.Seconds())
	for _, o := range res.Outputs {
		if strings.HasSuffix(o.Key, ".html") {
			fmt.Fprintf(a.Stdout, "report: %s\n", locate(rc.Out, o.Key))
		}
	}
	return nil
}

func locate(s storage.Store, key string) string {
	uri := s.URI()
	if strings.HasPrefix(uri, "s3://") {
		return strings.TrimSuffix(uri, "/") + "/" + key
	}
	return filepath.Join(uri, filepath.FromSlash(key))
}

// engineRoot returns the directory DuckDB reads and a function that brings
// it up to date: the lake itself when local, a mirror when on S3.
func engineRoot(ctx context.Context, cfg config.Config, store storage.Store, cacheDir string) (string, func(context.Context) error, error) {
	if !strings.HasPrefix(cfg.Lake, "s3://") {
		return store.URI(), func(context.Context) error { return nil }, nil
	}
	dir, prefixes := mirrorDir(cfg, cacheDir), tablePrefixes()
	return dir, func(ctx context.Context) error {
		_, err := lake.Mirror(ctx, store, dir, prefixes)
		return err
	}, nil
}
