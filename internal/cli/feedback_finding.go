package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/seclake/seclake/internal/analytics"
	"github.com/seclake/seclake/jobs/detect"
)

// runFeedbackFinding records an analyst's verdict on a finding. A
// false-positive verdict suppresses the finding's pattern (its detector and
// subject) from the next detect run on; every verdict counts towards the
// detector's false-positive rate, printed after storing.
func runFeedbackFinding(ctx context.Context, a *App, args []string) error {
	fs := newFlagSet(a, "feedback finding", "feedback finding --lake <dir|s3://…> --id <finding_id> --verdict false-positive|true-positive [--note text] [--by analyst]")
	var c common
	c.register(fs)
	id := fs.String("id", "", "finding_id as printed by detect / stored in findings")
	verdict := fs.String("verdict", "", "false-positive (suppress this pattern) or true-positive")
	note := fs.String("note", "", "why")
	by := fs.String("by", "", "who decided")
	cacheDir := fs.String("cache", "", "where an S3 lake is mirrored for DuckDB (default: user cache dir)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *id == "" || *verdict == "" {
		return usageErr("--id and --verdict are required")
	}
	if *verdict != detect.VerdictFalsePositive && *verdict != detect.VerdictTruePositive {
		return usageErr("--verdict %q: want false-positive or true-positive", *verdict)
	}
	cfg, err := c.resolve(a, fs)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	store, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return err
	}
	root, err := a.localRoot(ctx, cfg, store, *cacheDir, []string{"findings/"})
	if err != nil {
		return err
	}
	eng, err := analytics.Open(ctx, root, analytics.Options{Tables: []string{"findings"}})
	if err != nil {
		return err
	}
	var detector, principal string
	err = eng.DB().QueryRowContext(ctx, `SELECT detector, coalesce(principal_arn, '') FROM findings WHERE finding_id = ? ORDER BY window_end DESC LIMIT 1`, *id).Scan(&detector, &principal)
	eng.Close()
	if err != nil {
		return usageErr("--id %q: no such finding in the lake", *id)
	}
	fb := detect.FindingFeedback{FindingID: *id, Detector: detector, Principal: principal, Verdict: *verdict, Note: *note, By: *by, At: time.Now().UTC()}
	if err := detect.PutFindingFeedback(ctx, store, fb); err != nil {
		return err
	}
	what := "recorded"
	if *verdict == detect.VerdictFalsePositive {
		what = "suppressed from the next detect run on"
	}
	fmt.Fprintf(a.Stdout, "feedback stored: %s (%s, %s) → %s; %s\n", *id, detector, principal, *verdict, what)
	all, err := detect.LoadFindingFeedback(ctx, store)
	if err != nil {
		return err
	}
	var lines []string
	for _, s := range detect.FeedbackStats(all) {
		lines = append(lines, fmt.Sprintf("  %-36s %3d TP %3d FP  false-positive rate %.0f%%", s.Detector, s.TruePositives, s.FalsePositives, 100*s.FalsePositiveRate))
	}
	fmt.Fprintln(a.Stdout, "per-detector verdicts:\n"+strings.Join(lines, "\n"))
	return nil
}
