package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/jobs/convert"
)

func runConvert(ctx context.Context, a *App, args []string) error {
	fs := newFlagSet(a, "convert", "convert --raw <dir|s3://b/p> --lake <dir|s3://b/p> [flags]")
	var c common
	c.register(fs)
	raw := fs.String("raw", "", "raw logs: a directory or s3://bucket/prefix in the AWS delivery layout (env SECLAKE_RAW)")
	prefix := fs.String("prefix", "", "only raw keys under these comma-separated prefixes (e.g. AWSLogs/,s3-access-logs/)")
	source := fs.String("source", "", "auto|cloudtrail|vpcflow|s3access (default auto)")
	from := fs.String("from", "", "RFC3339: convert objects delivered at or after this time")
	to := fs.String("to", "", "RFC3339: convert objects delivered before this time")
	workers := fs.Int("workers", -1, "parallel parsers (default: number of CPUs)")
	flowFormat := fs.String("vpcflow-format", "", "comma-separated field names for header-less custom VPC flow logs")
	shard := fs.String("shard", "", "name of this slice of the raw logs (with --prefix) when a window is converted in parallel shards; part of the manifest key and part names")
	ifChanged := fs.Bool("if-changed", false, "skip the window if its committed manifest lists exactly the objects there now (cheap trailing re-runs)")
	asJSON := fs.Bool("json", false, "print the run summary as one JSON object")
	doExtract := fs.Bool("extract", true, "extract security entities into every row (entities.extract)")
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
	if *raw != "" {
		cfg.Raw = *raw
	}
	if *source != "" {
		cfg.Convert.Source = *source
	}
	if *workers >= 0 {
		cfg.Convert.Workers = *workers
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "extract" {
			cfg.Entities.Extract = *doExtract
		}
	})
	if *flowFormat != "" {
		cfg.Convert.VPCFlowFormat = splitList(*flowFormat)
	}
	if cfg.Raw == "" {
		return usageErr("--raw is required")
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	win, err := parseWindow(*from, *to)
	if err != nil {
		return err
	}
	log := a.logger(cfg)
	a.applyMemoryLimit(cfg)
	rawStore, err := openStore(ctx, cfg, cfg.Raw)
	if err != nil {
		return fmt.Errorf("--raw: %w", err)
	}
	lakeStore, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return fmt.Errorf("--lake: %w", err)
	}
	extraction, err := a.extraction(ctx, cfg, lakeStore)
	if err != nil {
		return err
	}
	start := time.Now()
	var bar *progressBar
	if a.StderrTTY && !*asJSON {
		bar = newProgressBar(a.Stderr, start)
	}
	jc := convert.Config{
		Raw: rawStore, Lake: lakeStore, Prefixes: splitList(*prefix), Shard: *shard, IfChanged: *ifChanged, Source: cfg.Convert.Source, Window: win,
		Workers: cfg.Convert.Workers, VPCFlowFormat: cfg.Convert.VPCFlowFormat, Logger: log,
		Writer:     lake.WriterOptions{MaxBufferedRows: cfg.Convert.BufferRows, MaxPartRows: cfg.Convert.BufferRows},
		Extraction: extraction,
	}
	if bar != nil {
		jc.Progress = bar.update
	}
	m, err := convert.Run(ctx, jc)
	if bar != nil {
		bar.done()
	}
	if m == nil {
		return err
	}
	elapsed := time.Since(start)
	sum := summary{
		Counts: m.Counts, Window: m.Window.ID(), Outputs: len(m.Outputs), Manifest: convert.ManifestKey(win, *shard),
		Seconds: elapsed.Seconds(),
	}
	if elapsed > 0 {
		sum.MBPerSecond = float64(m.Counts.BytesDecompressed) / 1e6 / elapsed.Seconds()
	}
	if *asJSON {
		enc := json.NewEncoder(a.Stdout)
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		dups := ""
		if m.Counts.RecordsDuplicate > 0 {
			dups = fmt.Sprintf(", %d duplicate", m.Counts.RecordsDuplicate)
		}
		fmt.Fprintf(a.Stdout, "converted %d records from %d files (%d skipped): %d written, %d quarantined%s; %d parts; %.1f MB in %.1fs (%.0f MB/s)\nmanifest: %s\n",
			m.Counts.RecordsRead, m.Counts.FilesRead, m.Counts.FilesSkipped, m.Counts.RecordsWritten, m.Counts.RecordsQuarantined, dups,
			len(m.Outputs), float64(m.Counts.BytesDecompressed)/1e6, elapsed.Seconds(), sum.MBPerSecond, sum.Manifest)
	}
	if err != nil {
		if errors.Is(err, convert.ErrWrongSource) {
			return &exitError{code: 1, err: err}
		}
		return err
	}
	return nil
}

type summary struct {
	lake.Counts
	Window      string  `json:"window"`
	Outputs     int     `json:"outputs"`
	Manifest    string  `json:"manifest"`
	Seconds     float64 `json:"seconds"`
	MBPerSecond float64 `json:"mb_per_second"`
}

// parseWindow reads --from/--to into a window (usage errors name the flag).
func parseWindow(from, to string) (lake.Window, error) {
	var w lake.Window
	var err error
	if w.From, err = parseTime("--from", from); err != nil {
		return w, usageErr("%w", err)
	}
	if w.To, err = parseTime("--to", to); err != nil {
		return w, usageErr("%w", err)
	}
	return w, nil
}

func parseTime(flagName, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %q: want RFC3339, e.g. 2026-11-21T09:00:00Z", flagName, s)
}
