package report

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/seclake/seclake/internal/compliance"
	"github.com/seclake/seclake/internal/integrity"
)

// Document is one framework's report.
type Document struct {
	Common
	Framework FrameworkResult `json:"framework"`
}

// Common is what every framework's report of a period shares.
type Common struct {
	Title       string    `json:"title"`
	Period      string    `json:"period"`
	PeriodKind  string    `json:"period_kind"`
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
	GeneratedAt time.Time `json:"generated_at"`

	Volume     []compliance.Result `json:"volume"` // records per table
	Findings   FindingsSection     `json:"findings"`
	Detection  compliance.Result   `json:"detection_latency"`
	Coverage   CoverageSection     `json:"coverage"`
	Integrity  IntegritySection    `json:"integrity"`
	Quarantine compliance.Result   `json:"quarantine"`
	Suppressed compliance.Result   `json:"suppressed"`
	Views      []View              `json:"views"`
}

// FindingsSection summarises findings.
type FindingsSection struct {
	Total       int                 `json:"total"`
	BySeverity  compliance.Result   `json:"by_severity"`
	ByStatus    compliance.Result   `json:"by_status"`
	Top         compliance.Result   `json:"top"`
	PerDay      []Series            `json:"per_day_by_severity"`
	ByTechnique []Bar               `json:"by_technique"`
	ByAccount   []Series            `json:"per_day_by_account"`
	Unit        string              `json:"bucket"` // hour (day reports) or day
	Days        []string            `json:"buckets"`
	Queries     []compliance.Result `json:"-"`
}

// Series is one named line of per-day values (aligned with Days).
type Series struct {
	Name   string  `json:"name"`
	Values []int64 `json:"values"`
}

// Bar is one labelled value.
type Bar struct {
	Label string `json:"label"`
	Value int64  `json:"value"`
}

// CoverageSection is log delivery per stream.
type CoverageSection struct {
	ExpectedShare float64           `json:"expected_share"`
	Streams       compliance.Result `json:"streams"`
	Gaps          compliance.Result `json:"gaps"`
	Unit          string            `json:"bucket"` // hour (up to a month) or day
	Days          []string          `json:"buckets"`
	Heat          []HeatRow         `json:"heat"` // share of hours delivered per expected stream and day
}

// HeatRow is one stream's delivered share per day.
type HeatRow struct {
	Stream string    `json:"stream"`
	Share  []float64 `json:"share"`
}

// IntegritySection is the CloudTrail digest verification.
type IntegritySection struct {
	Checked  bool                `json:"checked"`
	Summary  compliance.Result   `json:"summary"`
	Problems []integrity.Problem `json:"problems"`
}

// FrameworkResult is one framework's controls.
type FrameworkResult struct {
	ID       string                     `json:"id"`
	Title    string                     `json:"title"`
	Met      int                        `json:"met"`
	NotMet   int                        `json:"not_met"`
	Insuff   int                        `json:"insufficient_evidence"`
	Controls []compliance.ControlResult `json:"controls"`
}

func (f *FrameworkResult) tally() {
	for _, c := range f.Controls {
		switch c.Status {
		case compliance.StatusMet:
			f.Met++
		case compliance.StatusNotMet:
			f.NotMet++
		default:
			f.Insuff++
		}
	}
}

// The section queries over the period tables (see usedColumns).
const (
	volumeSQL = `SELECT 'cloudtrail' AS table_name, count(*) AS records, count(DISTINCT "accountId") AS accounts, count(DISTINCT region) AS regions FROM p_cloudtrail
UNION ALL SELECT 'vpcflow', count(*), count(DISTINCT "accountId"), count(DISTINCT region) FROM p_vpcflow
UNION ALL SELECT 's3access', count(*), count(DISTINCT "accountId"), count(DISTINCT region) FROM p_s3access
UNION ALL SELECT 'quarantine', count(*), NULL, NULL FROM p_quarantine`
	quarantineSQL = `SELECT log_source, "eventDay", stage, count(*) AS records, sum(raw_size) AS raw_bytes, min(error) AS example_error
FROM p_quarantine GROUP BY ALL ORDER BY "eventDay", log_source, stage`
)

func sectionTexts() []string { return []string{volumeSQL, quarantineSQL} }

func q(ctx context.Context, db *sql.DB, name, sql string, limit int) (compliance.Result, error) {
	r, err := compliance.Run(ctx, db, compliance.Query{Name: name, SQL: sql, Limit: limit})
	if err != nil {
		return r, fmt.Errorf("report: %s: %w", name, err)
	}
	return r, nil
}

func buildCommon(ctx context.Context, db *sql.DB, p compliance.Period, now time.Time, share float64, problems []integrity.Problem) (*Common, error) {
	c := &Common{
		Title:  "seclake compliance report",
		Period: p.Name, PeriodKind: p.Kind, PeriodStart: p.Start, PeriodEnd: p.End, GeneratedAt: now,
	}
	var err error
	must := func(dst *compliance.Result, name, sql string, limit int) {
		if err == nil {
			*dst, err = q(ctx, db, name, sql, limit)
		}
	}
	var vol compliance.Result
	must(&vol, "Records in the period", volumeSQL, 10)
	c.Volume = []compliance.Result{vol}

	f := &c.Findings
	must(&f.BySeverity, "Findings by severity", `SELECT severity_label, count(*) AS findings, count(*) FILTER (WHERE status = 'new') AS open
FROM p_findings GROUP BY severity_label ORDER BY min(severity) DESC`, 10)
	must(&f.ByStatus, "Findings by status", `SELECT status, count(*) AS findings FROM p_findings GROUP BY status ORDER BY status`, 10)
	must(&f.Top, "Highest-severity findings", `SELECT finding_id, detector, title, severity_label, account_id, attack_technique, status, first_seen, window_end
FROM p_findings ORDER BY severity DESC, first_seen, finding_id`, 25)
	must(&c.Detection, "Time from first evidence event to finding (minutes)", `SELECT severity_label, count(*) AS findings,
  round(median(epoch(window_end - first_seen)) / 60, 1) AS median_min,
  round(quantile_cont(epoch(window_end - first_seen), 0.9) / 60, 1) AS p90_min,
  round(max(epoch(window_end - first_seen)) / 60, 1) AS max_min
FROM p_findings WHERE detector <> 'log_gap' GROUP BY severity_label ORDER BY min(severity) DESC`, 10)
	must(&c.Coverage.Streams, "Log streams", `SELECT source, account_id, region, hours_delivered, (SELECT count(*) FROM hours) AS hours, first_hour, last_hour, records, expected
FROM streams ORDER BY source, account_id, region`, 500)
	must(&c.Coverage.Gaps, "Gaps in expected log streams", `SELECT source, account_id, region, gap_start, gap_end, hours FROM gaps ORDER BY gap_start, source, account_id, region`, 200)
	must(&c.Integrity.Summary, "CloudTrail digest verification", `SELECT account_id, region, count(*) FILTER (WHERE status = 'verified') AS verified,
  count(*) FILTER (WHERE status = 'unverified') AS unverified, count(*) FILTER (WHERE status = 'broken') AS broken
FROM integrity GROUP BY ALL ORDER BY account_id, region`, 200)
	must(&c.Quarantine, "Quarantined records", quarantineSQL, 100)
	must(&c.Suppressed, "Suppressed findings and analyst notes", `SELECT finding_id, detector, title, account_id, severity_label, feedback_note
FROM p_findings WHERE status = 'suppressed' ORDER BY severity DESC, finding_id`, 100)
	if err != nil {
		return nil, err
	}
	c.Integrity.Problems = problems
	c.Integrity.Checked = len(c.Integrity.Summary.Rows) > 0 || len(problems) > 0
	if c.Integrity.Problems == nil {
		c.Integrity.Problems = []integrity.Problem{}
	}
	c.Coverage.ExpectedShare = share

	f.Unit = "day"
	if p.Kind == "day" {
		f.Unit = "hour"
	}
	c.Coverage.Unit = "hour"
	if p.Hours() > 31*24 {
		c.Coverage.Unit = "day"
	}
	f.Days = buckets(p, f.Unit)
	c.Coverage.Days = buckets(p, c.Coverage.Unit)
	if err := f.series(ctx, db); err != nil {
		return nil, err
	}
	if err := c.Coverage.heat(ctx, db, p); err != nil {
		return nil, err
	}
	for _, r := range f.BySeverity.Rows {
		var n int
		fmt.Sscan(r[1], &n)
		f.Total += n
	}
	return c, nil
}

// Bucket label formats (Go and DuckDB strftime).
func bucketFormat(unit string) (goFmt, sqlFmt string) {
	if unit == "hour" {
		return "2006-01-02T15", "%Y-%m-%dT%H"
	}
	return "2006-01-02", "%Y-%m-%d"
}

func buckets(p compliance.Period, unit string) []string {
	goFmt, _ := bucketFormat(unit)
	step := 24 * time.Hour
	if unit == "hour" {
		step = time.Hour
	}
	var out []string
	for t := p.Start; t.Before(p.End); t = t.Add(step) {
		out = append(out, t.Format(goFmt))
	}
	return out
}

func dayIndex(days []string) map[string]int {
	m := make(map[string]int, len(days))
	for i, d := range days {
		m[d] = i
	}
	return m
}

// series fills the per-day chart data.
func (f *FindingsSection) series(ctx context.Context, db *sql.DB) error {
	idx := dayIndex(f.Days)
	load := func(sql string) ([]Series, error) {
		rows, err := db.QueryContext(ctx, sql)
		if err != nil {
			return nil, fmt.Errorf("report: chart: %w", err)
		}
		defer rows.Close()
		var out []Series
		pos := map[string]int{}
		for rows.Next() {
			var name, day string
			var n int64
			if err := rows.Scan(&name, &day, &n); err != nil {
				return nil, err
			}
			i, ok := pos[name]
			if !ok {
				i = len(out)
				pos[name] = i
				out = append(out, Series{Name: name, Values: make([]int64, len(f.Days))})
			}
			if d, ok := idx[day]; ok {
				out[i].Values[d] += n
			}
		}
		return out, rows.Err()
	}
	var err error
	_, sf := bucketFormat(f.Unit)
	f.PerDay, err = load(`SELECT severity_label, strftime(window_end - INTERVAL 1 MICROSECOND, '` + sf + `') AS day, count(*)
FROM p_findings GROUP BY ALL ORDER BY max(severity) DESC, severity_label, day`)
	if err != nil {
		return err
	}
	f.ByAccount, err = load(`SELECT coalesce(nullif(account_id, ''), 'unknown') AS account, strftime(window_end - INTERVAL 1 MICROSECOND, '` + sf + `') AS day, count(*)
FROM p_findings GROUP BY ALL ORDER BY account, day`)
	if err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, `SELECT coalesce(nullif(attack_technique, ''), '(none)') AS technique, count(*) AS n
FROM p_findings GROUP BY ALL ORDER BY n DESC, technique LIMIT 15`)
	if err != nil {
		return fmt.Errorf("report: chart: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b Bar
		if err := rows.Scan(&b.Label, &b.Value); err != nil {
			return err
		}
		f.ByTechnique = append(f.ByTechnique, b)
	}
	return rows.Err()
}

// heat fills the coverage heat map: for each expected stream and day, the
// share of that day's (elapsed) hours with records.
func (c *CoverageSection) heat(ctx context.Context, db *sql.DB, p compliance.Period) error {
	idx := dayIndex(c.Days)
	_, sf := bucketFormat(c.Unit)
	rows, err := db.QueryContext(ctx, `SELECT source || ' ' || account_id || ' ' || region AS stream, strftime(hour_ts, '`+sf+`') AS day,
  avg(CASE WHEN delivered THEN 1.0 ELSE 0.0 END) AS share
FROM coverage GROUP BY ALL ORDER BY stream, day`)
	if err != nil {
		return fmt.Errorf("report: coverage heat: %w", err)
	}
	defer rows.Close()
	pos := map[string]int{}
	for rows.Next() {
		var stream, day string
		var share float64
		if err := rows.Scan(&stream, &day, &share); err != nil {
			return err
		}
		i, ok := pos[stream]
		if !ok {
			i = len(c.Heat)
			pos[stream] = i
			vals := make([]float64, len(c.Days))
			for k := range vals {
				vals[k] = -1 // no expected hours (future)
			}
			c.Heat = append(c.Heat, HeatRow{Stream: stream, Share: vals})
		}
		if d, ok := idx[day]; ok {
			c.Heat[i].Share[d] = share
		}
	}
	if c.Heat == nil {
		c.Heat = []HeatRow{}
	}
	return rows.Err()
}
