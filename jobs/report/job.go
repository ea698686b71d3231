// Package report is the report job: for one period it measures log coverage
// (and writes missing hours as log_gap findings), verifies CloudTrail digest
// chains, evaluates the compliance control mapping over the lake with DuckDB
// and writes reports/period=<p>/framework=<f>/report.{json,md,html}. The run
// manifest under runs/report/ is written last.
package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/seclake/seclake/internal/analytics"
	"github.com/seclake/seclake/internal/compliance"
	"github.com/seclake/seclake/internal/integrity"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/schemas"
)

// JobName names this job in run manifests.
const JobName = "report"

// GapDetector is the detector name of the findings this job writes for hours
// an expected log stream did not deliver.
const GapDetector = "log_gap"

// Config is one report run.
type Config struct {
	Lake storage.Store
	// Out is where reports are written (default Lake); gap findings and
	// the manifest always go to Lake.
	Out storage.Store
	// Root is the local directory DuckDB reads: the lake itself, or a mirror
	// of an S3 lake that Refresh brings up to date.
	Root    string
	Refresh func(ctx context.Context) error
	// Raw, when set, is the trail bucket holding CloudTrail-Digest files;
	// their chains are verified for the period.
	Raw        storage.Store
	RawPrefix  string
	PublicKeys integrity.Keys // by fingerprint; nil: hash chains only, signatures unchecked

	Period     compliance.Period
	Frameworks []string            // ids from the mapping; all when empty
	Mapping    *compliance.Mapping // default: the embedded mapping
	// ExpectedShare is the share of the period's hours a log stream must
	// deliver in (between its first and last delivery) to be expected every hour (default 0.8).
	ExpectedShare float64
	// Retention, when set, puts report objects under S3 Object Lock.
	Retention *storage.Retention
	// Now is the clock (reports name it as their generation time and
	// hours from Now on are not expected yet). Required for reproducible output.
	Now     func() time.Time
	Threads int
	// MemoryLimit bounds DuckDB (default "1GB"); the period tables spill
	// to a temporary directory beyond it.
	MemoryLimit string
	Logger      *slog.Logger
}

// Output is one object the run wrote.
type Output struct {
	Key   string `json:"key"`
	Bytes int64  `json:"bytes"`
}

// Result summarises a run.
type Result struct {
	Outputs     []Output
	GapFindings int
	Statuses    map[string]map[string]string // framework → control → status
	Duration    time.Duration
}

// Run writes the reports of one period.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Lake == nil || cfg.Root == "" {
		return nil, errors.New("report: no lake")
	}
	if cfg.Out == nil {
		cfg.Out = cfg.Lake
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MemoryLimit == "" {
		cfg.MemoryLimit = "1GB"
	}
	if cfg.ExpectedShare <= 0 {
		cfg.ExpectedShare = 0.8
	}
	if cfg.Mapping == nil {
		m, err := compliance.DefaultMapping()
		if err != nil {
			return nil, err
		}
		cfg.Mapping = m
	}
	frameworks := cfg.Frameworks
	if len(frameworks) == 0 {
		frameworks = cfg.Mapping.IDs()
	}
	for _, f := range frameworks {
		if _, ok := cfg.Mapping.Framework(f); !ok {
			return nil, fmt.Errorf("report: unknown framework %q (have %s)", f, strings.Join(cfg.Mapping.IDs(), ", "))
		}
	}
	began := time.Now()
	now := cfg.Now().UTC()

	// Dozens of queries read the same parts: keep their footers in memory;
	// the period tables spill to disk past the memory limit.
	tmp, err := os.MkdirTemp("", "seclake-report-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	eng, err := analytics.Open(ctx, cfg.Root, analytics.Options{Threads: cfg.Threads, MemoryLimit: cfg.MemoryLimit, Committed: lake.NewCommitted(cfg.Lake, ""), Settings: []string{
		"SET parquet_metadata_cache = true", "SET temp_directory = " + analytics.QuoteLiteral(tmp), "SET preserve_insertion_order = false"}})
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	db := eng.DB()
	lap := time.Now()
	phase := func(name string) {
		cfg.Logger.Debug("report phase", "phase", name, "seconds", time.Since(lap).Seconds())
		lap = time.Now()
	}
	phase("open")

	var integ []integrity.Hour
	var integProblems []integrity.Problem
	if cfg.Raw != nil {
		v := integrity.Verifier{Store: cfg.Raw, Prefix: cfg.RawPrefix, Keys: cfg.PublicKeys, Logger: cfg.Logger}
		res, err := v.Verify(ctx, cfg.Period.Start, cfg.Period.End)
		if err != nil {
			return nil, err
		}
		integ, integProblems = res.Hours, res.Problems
	}
	runs, err := listRuns(ctx, cfg.Lake)
	if err != nil {
		return nil, err
	}
	days, err := listLakeDays(ctx, cfg.Lake)
	if err != nil {
		return nil, err
	}
	phase("integrity+list")
	texts := sectionTexts()
	for _, f := range cfg.Mapping.Frameworks {
		for _, c := range f.Controls {
			for _, q := range append(append([]compliance.Query{}, c.Requires...), c.Evidence...) {
				texts = append(texts, q.SQL)
			}
		}
	}
	views := periodViews(cfg.Period, now, cfg.ExpectedShare, usedColumns(texts))
	if err := createViews(ctx, db, views, integ, runs, days); err != nil {
		return nil, err
	}

	phase("views")
	// Missing hours become findings of their own, written before the
	// findings are read so the report and its controls count them.
	gaps, err := gapFindings(ctx, db, cfg.Period)
	if err != nil {
		return nil, err
	}
	man := &lake.Manifest{Job: JobName, Window: lake.Window{From: cfg.Period.Start, To: cfg.Period.End}}
	manKey := lake.ManifestKey(JobName, man.Window)
	prev, err := lake.ReadManifest(ctx, cfg.Lake, manKey)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	gapOuts, err := writeGapFindings(ctx, cfg.Lake, cfg.Period, gaps)
	if err != nil {
		return nil, err
	}
	man.Outputs = append(man.Outputs, gapOuts...)
	if cfg.Refresh != nil {
		if err := cfg.Refresh(ctx); err != nil {
			return nil, err
		}
	}
	if err := eng.RefreshView(ctx, "findings"); err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, views.findings); err != nil {
		return nil, fmt.Errorf("report: view p_findings: %w", err)
	}

	phase("gaps")
	common, err := buildCommon(ctx, db, cfg.Period, now, cfg.ExpectedShare, integProblems)
	if err != nil {
		return nil, err
	}
	common.Views = views.list()
	phase("sections")

	res := &Result{GapFindings: len(gaps), Statuses: map[string]map[string]string{}}
	var outs []Output
	runner := &compliance.Runner{DB: db}
	for _, fid := range frameworks {
		fw, _ := cfg.Mapping.Framework(fid)
		doc := &Document{Common: *common, Framework: FrameworkResult{ID: fw.ID, Title: fw.Title}}
		res.Statuses[fw.ID] = map[string]string{}
		for _, c := range fw.Controls {
			cr, err := compliance.Evaluate(ctx, runner, c)
			if err != nil {
				return nil, err
			}
			doc.Framework.Controls = append(doc.Framework.Controls, cr)
			res.Statuses[fw.ID][c.ID] = cr.Status
		}
		doc.Framework.tally()
		phase("controls " + fw.ID)
		files, err := Render(doc)
		if err != nil {
			return nil, err
		}
		prefix := ReportPrefix(cfg.Period.Name, fw.ID)
		for _, f := range files {
			key := prefix + f.Name
			opts := storage.PutOptions{ContentType: f.ContentType, Retention: cfg.Retention}
			if err := cfg.Out.Put(ctx, key, bytes.NewReader(f.Data), opts); err != nil {
				return nil, fmt.Errorf("report: put %s: %w", key, err)
			}
			outs = append(outs, Output{Key: key, Bytes: int64(len(f.Data))})
			man.Outputs = append(man.Outputs, lake.Output{Key: key, Bytes: int64(len(f.Data)), SHA256: sha(f.Data)})
		}
	}
	// Gap parts a previous run of this period wrote and this one did not.
	if prev != nil {
		keep := map[string]bool{}
		for _, o := range man.Outputs {
			keep[o.Key] = true
		}
		for _, o := range prev.Outputs {
			if strings.HasPrefix(o.Key, "findings/") && !keep[o.Key] {
				if err := cfg.Lake.Delete(ctx, o.Key); err != nil {
					return nil, err
				}
			}
		}
	}
	sort.Slice(man.Outputs, func(i, j int) bool { return man.Outputs[i].Key < man.Outputs[j].Key })
	if err := lake.WriteManifest(ctx, cfg.Lake, manKey, man); err != nil {
		return nil, err
	}
	res.Outputs = outs
	res.Duration = time.Since(began)
	return res, nil
}

// RetentionFor decides the Object Lock retention of report objects: COMPLIANCE
// mode for days from now's day, and only on stores whose bucket has Object
// Lock enabled (nil otherwise, and for days == 0: the bucket default applies).
func RetentionFor(ctx context.Context, out storage.Store, days int, now time.Time) (*storage.Retention, error) {
	lk, ok := out.(storage.ObjectLocker)
	if !ok || days <= 0 {
		return nil, nil
	}
	on, err := lk.ObjectLockEnabled(ctx)
	if err != nil || !on {
		return nil, err
	}
	return &storage.Retention{Mode: storage.RetentionCompliance, Until: now.UTC().Truncate(24*time.Hour).AddDate(0, 0, days)}, nil
}

// ReportPrefix is where the reports of a period and framework live.
func ReportPrefix(period, framework string) string {
	return "reports/period=" + period + "/framework=" + framework + "/"
}

// run is one committed job run found under runs/.
type run struct {
	Job      string
	From, To time.Time
}

func listRuns(ctx context.Context, store storage.Store) ([]run, error) {
	var out []run
	err := store.List(ctx, "runs/", func(o storage.ObjectInfo) error {
		parts := strings.Split(o.Key, "/")
		if len(parts) != 4 || parts[3] != lake.ManifestName {
			return nil
		}
		r := run{Job: parts[1]}
		if parts[2] != "all" {
			from, to, ok := strings.Cut(parts[2], "-")
			if !ok {
				return nil
			}
			r.From, _ = time.Parse("20060102T150405Z", from)
			r.To, _ = time.Parse("20060102T150405Z", to)
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

type lakeDay struct{ Table, Day string }

// listLakeDays finds the eventDay partitions of every event table from the
// object keys (no Parquet is opened).
func listLakeDays(ctx context.Context, store storage.Store) ([]lakeDay, error) {
	seen := map[lakeDay]bool{}
	var out []lakeDay
	for _, t := range schemas.Tables() {
		err := store.List(ctx, t.Prefix, func(o storage.ObjectInfo) error {
			for _, seg := range strings.Split(o.Key, "/") {
				if d, ok := strings.CutPrefix(seg, "eventDay="); ok {
					k := lakeDay{t.Name, d}
					if !seen[k] {
						seen[k] = true
						out = append(out, k)
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
