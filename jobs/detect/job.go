// Package detect is the detect job: it scores a time window of the lake
// against per-entity baselines and writes findings.
//
// A run splits [From, To) into day-aligned windows and, for each:
//
//  1. makes sure the daily baseline profiles exist for the window's days and
//     the BaselineDays before it (baselines/hourly and baselines/seen, one
//     partition per day, computed from that day's event partitions only and
//     recomputed only when those partitions changed — the incremental path);
//  2. aggregates the baseline days into statistics (count, mean, stddev,
//     median, MAD per entity × metric, overall and per hour of week), written
//     to baselines/stats/ for the record;
//  3. runs every detector (sql/duckdb/detect_*.sql, plus the data-driven
//     sensitive-action rules) over the window's partitions;
//  4. turns the rows into findings with stable ids, explanations and
//     recommendations, applies analyst feedback (entity ignore/sensitive,
//     finding false-positive suppression), continues findings seen in earlier
//     windows (first_seen kept, count accumulated) and writes
//     findings/eventDay=D/part-….parquet plus a .jsonl beside it.
//
// DuckDB reads only the Parquet parts under the eventDay partitions a window
// needs. The engine comes from internal/analytics; no other package links DuckDB.
package detect

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/seclake/seclake/internal/analytics"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/schemas"
	sqlfiles "github.com/seclake/seclake/sql/duckdb"
)

// Options configure one detect run.
type Options struct {
	// Lake is where baselines, findings and manifests are written.
	Lake storage.Store
	// Root is the local directory DuckDB reads: the lake itself for a local
	// lake, or its mirror for an S3 lake (objects this run writes are copied
	// there too).
	Root string
	// From and To bound the detection window [From, To), split into days.
	From, To time.Time
	// BaselineDays of history before each window form its baseline (default 14).
	BaselineDays int
	// Config holds thresholds (per account type) and rules; zero = defaults.
	Config Config
	// AccountTypes maps account id → prod|staging|dev (default type: Config.DefaultAccountType).
	AccountTypes map[string]string
	// Now is the clock (for feedback timestamps in logs only: findings never
	// depend on it). Default time.Now.
	Now func() time.Time
	// Logger defaults to a discard logger.
	Logger *slog.Logger
	// Committed lists the event parts that committed runs wrote (nil: read
	// every manifest of Lake, without a cache between processes).
	Committed *lake.Committed
	// Threads and MemoryLimit tune DuckDB (0/"" = its defaults).
	Threads     int
	MemoryLimit string
}

// Summary reports what a run did.
type Summary struct {
	Windows          int                `json:"windows"`
	BaselineDays     int                `json:"baseline_days_computed"` // day profiles (re)computed
	BaselineReused   int                `json:"baseline_days_reused"`
	Findings         int                `json:"findings"` // rows written (one per finding and window)
	New              int                `json:"new"`
	Continued        int                `json:"continued"`
	Suppressed       int                `json:"suppressed"`
	Ignored          int                `json:"ignored"` // dropped by entity feedback
	ByDetector       map[string]int     `json:"by_detector"`
	Outputs          []string           `json:"outputs"`
	DetectorDuration map[string]float64 `json:"detector_seconds,omitempty"`
}

func (o *Options) defaults() error {
	if o.Lake == nil {
		return errors.New("detect: no lake store")
	}
	if o.Root == "" {
		return errors.New("detect: no local root for DuckDB")
	}
	if !o.From.Before(o.To) {
		return fmt.Errorf("detect: empty window [%s, %s)", o.From.Format(time.RFC3339), o.To.Format(time.RFC3339))
	}
	if o.BaselineDays <= 0 {
		o.BaselineDays = 14
	}
	o.Config = o.Config.WithDefaults()
	if o.AccountTypes == nil {
		o.AccountTypes = o.Config.Accounts
	}
	if err := o.Config.Validate(); err != nil {
		return err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Committed == nil {
		o.Committed = lake.NewCommitted(o.Lake, "")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// Windows splits [from, to) at UTC midnights.
func Windows(from, to time.Time) []lake.Window {
	var out []lake.Window
	for s := from.UTC(); s.Before(to); {
		e := s.Truncate(24 * time.Hour).Add(24 * time.Hour)
		if e.After(to) {
			e = to.UTC()
		}
		out = append(out, lake.Window{From: s, To: e})
		s = e
	}
	return out
}

// Run executes the detect job.
func Run(ctx context.Context, o Options) (Summary, error) {
	sum := Summary{ByDetector: map[string]int{}, DetectorDuration: map[string]float64{}}
	if err := o.defaults(); err != nil {
		return sum, err
	}
	// DuckDB spills past MemoryLimit into the run's own temporary directory
	// (not ./.tmp), which also holds its Parquet output before it is stored;
	// removed after DuckDB is closed. Its allocator returns freed memory to
	// the system past 8 MB instead of 128/512 MB: a first run computes one
	// daily profile after another, and the cached blocks of each added up
	// (5 GB lake, four profiles: 665–700 MiB peak before, 521–562 after).
	// Its external file cache is off: it kept the Parquet bytes of every
	// part read (95 MB after the four profiles of a first run, of no use to
	// the window after them) inside the memory limit, so the window's own
	// tables spilled sooner; the lake is local files, which the OS caches.
	tmp, err := os.MkdirTemp("", "seclake-detect-")
	if err != nil {
		return sum, err
	}
	defer os.RemoveAll(tmp)
	eng, err := analytics.Open(ctx, o.Root, analytics.Options{Tables: []string{}, Threads: o.Threads, MemoryLimit: o.MemoryLimit,
		Settings: []string{"SET temp_directory = " + analytics.QuoteLiteral(filepath.Join(tmp, "spill")), "SET allocator_flush_threshold = '8MB'", "SET allocator_bulk_deallocation_flush_threshold = '8MB'",
			"SET enable_external_file_cache = false"}})
	if err != nil {
		return sum, err
	}
	defer eng.Close()
	r := &runner{o: o, eng: eng, sum: &sum, profiled: map[string]bool{}, committed: o.Committed, tmp: tmp}
	if err := r.setup(ctx); err != nil {
		return sum, err
	}
	for _, w := range Windows(o.From, o.To) {
		if err := r.window(ctx, w); err != nil {
			return sum, err
		}
		sum.Windows++
	}
	sort.Strings(sum.Outputs)
	return sum, nil
}

type runner struct {
	o        Options
	eng      *analytics.Engine
	sum      *Summary
	profiled map[string]bool // days whose profile is current in this run
	fb       feedbackState
	tmp      string
	// committed lists the event parts that committed runs wrote.
	committed *lake.Committed
}

func (r *runner) setup(ctx context.Context) error {
	macros, err := sqlfiles.FS.ReadFile("macros.sql")
	if err != nil {
		return err
	}
	if err := r.eng.Exec(ctx, string(macros)); err != nil {
		return fmt.Errorf("detect: macros: %w", err)
	}
	if err := r.loadConfigTables(ctx); err != nil {
		return err
	}
	fb, err := loadFeedback(ctx, r.o.Lake)
	if err != nil {
		return err
	}
	r.fb = fb
	return nil
}

func day(t time.Time) string { return t.UTC().Format("20060102") }

// eventParts lists the Parquet parts of an event table for one day that
// committed convert (or extract) runs list: a part of a run that died before
// its manifest is never read.
func (r *runner) eventParts(ctx context.Context, table, d string) ([]string, error) {
	t, _ := schemas.Lookup(table)
	keys, err := r.committed.Parts(ctx, t.Prefix, d)
	if err != nil {
		return nil, fmt.Errorf("detect: committed parts of %s %s: %w", table, d, err)
	}
	return analytics.LocalParts(r.o.Root, keys)
}

// tableParts lists the Parquet parts of an eventDay-partitioned table (baselines, findings) for days.
func (r *runner) tableParts(table string, days []string) ([]string, error) {
	t, _ := schemas.Lookup(table)
	var out []string
	for _, d := range days {
		m, err := filepath.Glob(filepath.Join(r.o.Root, filepath.FromSlash(t.Prefix), "eventDay="+d, "*.parquet"))
		if err != nil {
			return nil, err
		}
		out = append(out, m...)
	}
	sort.Strings(out)
	return out, nil
}

func daysBetween(from, to time.Time) []string {
	var out []string
	for d := from.UTC().Truncate(24 * time.Hour); d.Before(to); d = d.Add(24 * time.Hour) {
		out = append(out, day(d))
	}
	return out
}

// normalizedCT is ct_base.sql over the named source view.
func normalizedCT(src string) (string, error) {
	b, err := sqlfiles.FS.ReadFile("ct_base.sql")
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(string(b), "{{SRC}}", analytics.QuoteIdent(src)), nil
}

// dayViews points src_ct/src_vpc/src_s3 at the given days' event partitions
// and d_ct/d_vpc/d_s3 (normalised) at them, optionally limited to [from, to).
func (r *runner) dayViews(ctx context.Context, prefix string, days []string, from, to time.Time) error {
	for _, tb := range []string{"cloudtrail", "vpcflow", "s3access"} {
		var parts []string
		for _, d := range days {
			p, err := r.eventParts(ctx, tb, d)
			if err != nil {
				return err
			}
			parts = append(parts, p...)
		}
		if err := r.eng.CreatePartitionView(ctx, prefix+"src_"+tb, tb, parts); err != nil {
			return err
		}
	}
	ct, err := normalizedCT(prefix + "src_cloudtrail")
	if err != nil {
		return err
	}
	var hours [3]string // CloudTrail, VPC flow, S3 access grouped by hour
	for i, f := range []string{"profile_ct.sql", "profile_vpc.sql", "profile_s3.sql"} {
		if hours[i], err = sqlFile(f, prefix); err != nil {
			return err
		}
	}
	// The day profiles read each table twice (hourly and seen): materialise
	// what they use once, grouped by hour and by the columns they read
	// (profile_ct/vpc/s3.sql) rather than event by event: on the 5 GB bench
	// lake a weekday is 1.07M CloudTrail events but 89k groups, and its events
	// alone (330 MB as a table) outgrew DuckDB's memory limit and, with the
	// allocator's leftovers of the days before, the 512 MiB of the process;
	// flow logs are larger still. The window keeps views of the events (w_ev,
	// which needs the JSON columns, is materialised from them); its grouped
	// tables serve w_seen's branches, which would otherwise each compute them.
	stmts := []string{
		fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %sct AS SELECT * FROM (%s) WHERE %s", prefix, ct, timeCond(from, to)),
		fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %svpc AS SELECT * FROM %ssrc_vpcflow WHERE %s", prefix, prefix, timeCond(from, to)),
		fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %ss3 AS SELECT * FROM %ssrc_s3access WHERE %s", prefix, prefix, timeCond(from, to)),
		fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %sct_hours AS %s", prefix, hours[0]),
		fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %svpc_hours AS %s", prefix, hours[1]),
		fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %ss3_hours AS %s", prefix, hours[2]),
	}
	for _, s := range stmts {
		if err := r.eng.Exec(ctx, s); err != nil {
			return fmt.Errorf("detect: %s: %w", s, err)
		}
	}
	return nil
}

func timeCond(from, to time.Time) string {
	if from.IsZero() {
		return "true"
	}
	return fmt.Sprintf("event_time >= %s AND event_time < %s", tsLit(from), tsLit(to))
}

// tsLit renders a timestamp literal (our own formatting of a time.Time, never user text).
func tsLit(t time.Time) string {
	return "TIMESTAMPTZ " + analytics.QuoteLiteral(t.UTC().Format("2006-01-02 15:04:05.999999+00"))
}

// put writes an object to the lake and, when DuckDB reads a mirror, beside it.
func (r *runner) put(ctx context.Context, key string, data []byte, ctype string) error {
	if err := r.o.Lake.Put(ctx, key, bytesReader(data), storage.PutOptions{ContentType: ctype}); err != nil {
		return err
	}
	if abs, _ := filepath.Abs(r.o.Root); r.o.Lake.URI() != abs {
		dst := filepath.Join(r.o.Root, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	}
	return nil
}

func hashHex(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
