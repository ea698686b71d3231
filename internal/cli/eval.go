package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/seclake/seclake/jobs/detect"
)

func runEval(ctx context.Context, a *App, args []string) error {
	fs := newFlagSet(a, "eval", "eval --lake <dir|s3://…> --labels labels.json [--json]")
	var c common
	c.register(fs)
	labelsPath := fs.String("labels", "", "labels.json written by seclake generate")
	jsonOut := fs.Bool("json", false, `print {"recall","precision","scenarios":[…]} as JSON`)
	cacheDir := fs.String("cache", "", "where an S3 lake is mirrored for DuckDB (default: user cache dir)")
	from := fs.String("from", "", "RFC3339: only score scenarios that overlap the detected window [from, to)")
	to := fs.String("to", "", "RFC3339: end of the detected window")
	if err := fs.Parse(args); err != nil {
		return err
	}
	win, err := parseWindow(*from, *to)
	if err != nil {
		return err
	}
	if *labelsPath == "" {
		return usageErr("--labels is required")
	}
	cfg, err := c.resolve(a, fs)
	if err != nil {
		return err
	}
	if strings.HasPrefix(cfg.Lake, "s3://") && cfg.S3.KMSKeyID == "" {
		cfg.S3.KMSKeyID = "read-only"
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	labels, err := detect.ReadLabels(*labelsPath)
	if err != nil {
		return usageErr("--labels: %w", err)
	}
	labels = labels.Within(win.From, win.To)
	store, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return err
	}
	root, err := a.localRoot(ctx, cfg, store, *cacheDir, []string{"findings/"})
	if err != nil {
		return err
	}
	fs2, err := detect.LatestFindings(ctx, root)
	if err != nil {
		return err
	}
	res := detect.Evaluate(fs2, labels)
	if *jsonOut {
		enc := json.NewEncoder(a.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	w := a.Stdout
	fmt.Fprintf(w, "%-36s %-10s %-8s %-8s %s\n", "scenario", "technique", "detected", "findings", "detectors")
	for _, s := range res.Scenarios {
		mark := "yes"
		if !s.Detected {
			mark = "MISSED"
		}
		fmt.Fprintf(w, "%-36s %-10s %-8s %-8d %s\n", s.ID, s.Technique, mark, s.Findings, strings.Join(s.Detectors, ","))
	}
	for _, s := range res.BenignRare {
		mark := "quiet"
		if s.Detected {
			mark = "FLAGGED"
		}
		fmt.Fprintf(w, "%-36s %-10s %-8s %-8d %s\n", s.ID, "benign", mark, s.Findings, strings.Join(s.Detectors, ","))
	}
	fmt.Fprintf(w, "\nrecall %.1f%% (%d scenarios), precision %.1f%% (%d of %d findings match a scenario), benign-rare findings %d\n",
		100*res.Recall, len(res.Scenarios), 100*res.Precision, res.MatchedFindings, res.Findings, res.BenignRareFindings)
	return nil
}
