package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/seclake/seclake/internal/generate"
	"github.com/seclake/seclake/internal/storage"
)

func runGenerate(ctx context.Context, a *App, args []string) error {
	fs := newFlagSet(a, "generate", "generate --out <dir|s3://b/p> [--start 2026-10-01] [--days 14] [--accounts 3] [--principals 40] [--rate 20000] [--seed 7] [--attacks all|none|id,…] [--sources cloudtrail,vpcflow,s3access]")
	var c common
	c.register(fs)
	def := generate.DefaultConfig()
	out := fs.String("out", "", "where the raw logs go: a directory or s3://bucket/prefix")
	start := fs.String("start", def.Start.Format("2006-01-02"), "first day (YYYY-MM-DD or RFC3339 hour), UTC")
	days := fs.Int("days", def.Days, "number of days")
	accounts := fs.Int("accounts", def.Accounts, "number of AWS accounts")
	principals := fs.Int("principals", def.Principals, "benign principals across the organization")
	rate := fs.Int("rate", def.Rate, "benign CloudTrail events per hour across the organization")
	seed := fs.Int64("seed", def.Seed, "random seed: same seed and flags → identical bytes")
	attacks := fs.String("attacks", "all", "all, none, or comma-separated scenario ids: "+strings.Join(generate.ScenarioIDs(), ","))
	sources := fs.String("sources", "cloudtrail,vpcflow,s3access", "comma-separated subset of cloudtrail,vpcflow,s3access")
	workers := fs.Int("workers", def.Workers, "parallel generators")
	asJSON := fs.Bool("json", false, "print the summary as one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected arguments %q", fs.Args())
	}
	if *out == "" {
		return usageErr("--out is required")
	}
	cfg, err := c.resolve(a, fs)
	if err != nil {
		return err
	}
	if strings.HasPrefix(*out, "s3://") && cfg.S3.KMSKeyID == "" {
		return usageErr("s3.kms_key: writing to %s needs a KMS key (--kms-key, SECLAKE_KMS_KEY)", *out)
	}
	st, err := parseTime("--start", *start)
	if err != nil {
		return usageErr("%w", err)
	}
	gc := generate.Config{
		Start: st, Days: *days, Accounts: *accounts, Principals: *principals, Rate: *rate, Seed: *seed,
		Attacks: splitList(*attacks), Sources: splitList(*sources), Workers: *workers,
	}
	if err := gc.Validate(); err != nil {
		return usageErr("%w", err)
	}
	store, err := openStore(ctx, cfg, *out)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if l, ok := store.(*storage.Local); ok {
		l.NoSync = true // synthetic raw logs can be regenerated; fsync per file would dominate
	}
	t0 := time.Now()
	sum, err := generate.Run(ctx, gc, store)
	if err != nil {
		return err
	}
	secs := time.Since(t0).Seconds()
	if *asJSON {
		return json.NewEncoder(a.Stdout).Encode(map[string]any{
			"files": sum.Files, "events": sum.Events, "bytes": sum.Bytes, "scenarios": sum.Scenarios, "seconds": secs,
		})
	}
	fmt.Fprintf(a.Stdout, "generated %d files (%s stored) in %.1fs: %d CloudTrail events, %d VPC flow records, %d S3 access lines; %d attack scenarios in labels.json\n",
		sum.Files, humanBytes(sum.Bytes), secs, sum.Events["cloudtrail"], sum.Events["vpcflow"], sum.Events["s3access"], sum.Scenarios)
	return nil
}
