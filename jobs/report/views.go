package report

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/seclake/seclake/internal/analytics"
	"github.com/seclake/seclake/internal/compliance"
	"github.com/seclake/seclake/internal/integrity"
	"github.com/seclake/seclake/schemas"
)

// View is one named SQL definition the report's queries read; the report
// prints them so every number can be reproduced.
type View struct {
	Name string `json:"name"`
	SQL  string `json:"sql"`
}

type viewSet struct {
	defs     []View
	findings string // p_findings, created after the gap findings are written
}

func (v viewSet) list() []View { return v.defs }

func ts(t time.Time) string {
	return "TIMESTAMPTZ " + analytics.QuoteLiteral(t.UTC().Format("2006-01-02 15:04:05+00"))
}

// periodViews defines the views of controls.yaml over one period. Values are
// generated here (times, days), never taken from user text.
func periodViews(p compliance.Period, now time.Time, share float64, cols map[string][]string) viewSet {
	startDay := analytics.QuoteLiteral(p.Start.Format("20060102"))
	endDay := analytics.QuoteLiteral(p.End.Add(-time.Nanosecond).Format("20060102"))
	clip := p.End
	if now.Before(clip) {
		clip = now.Truncate(time.Hour)
	}
	var defs []View
	add := func(name, sql string) { defs = append(defs, View{name, strings.TrimSpace(sql)}) }
	add("period", fmt.Sprintf(`SELECT %s AS start_ts, %s AS end_ts, %s AS start_day, %s AS end_day, %d AS hours, %s AS now_ts`,
		ts(p.Start), ts(p.End), startDay, endDay, p.Hours(), ts(now)))
	for _, t := range []string{"cloudtrail", "vpcflow", "s3access", "quarantine"} {
		add("p_"+t, fmt.Sprintf(`SELECT %s FROM %s WHERE "eventDay" BETWEEN %s AND %s AND event_time >= %s AND event_time < %s`,
			selectList(cols[t]), t, startDay, endDay, ts(p.Start), ts(p.End)))
	}
	// Hours each log stream delivered, from partition columns only.
	var parts []string
	for _, t := range []string{"cloudtrail", "vpcflow", "s3access"} {
		parts = append(parts, fmt.Sprintf(`SELECT '%s' AS source, "accountId" AS account_id, region,
         CAST(strptime("eventDay", '%%Y%%m%%d') + to_hours(CAST("eventHour" AS BIGINT)) AS TIMESTAMPTZ) AS hour_ts, count(*) AS records
  FROM p_%s GROUP BY ALL`, t, t))
	}
	add("stream_hours", "SELECT * FROM (\n  "+strings.Join(parts, "\n  UNION ALL\n  ")+fmt.Sprintf("\n) WHERE hour_ts >= %s AND hour_ts < %s", ts(p.Start), ts(p.End)))
	add("hours", fmt.Sprintf(`SELECT unnest(generate_series(%s, %s, INTERVAL 1 HOUR)) AS hour_ts`, ts(p.Start), ts(clip.Add(-time.Hour))))
	// A stream is expected every hour from its first delivered hour in the
	// period on (trailing silence included: a stopped trail is a gap) when it
	// delivered in at least `share` of the hours between its first and last
	// delivery, and in at least 12 hours; sparse streams (a rarely used
	// region) are listed but not expected.
	add("streams", fmt.Sprintf(`SELECT source, account_id, region, count(*) AS hours_delivered, sum(records) AS records,
       min(hour_ts) AS first_hour, max(hour_ts) AS last_hour,
       count(*) >= 12 AND count(*) >= %g * (epoch(max(hour_ts) - min(hour_ts)) / 3600 + 1) AS expected
FROM stream_hours WHERE hour_ts IN (SELECT hour_ts FROM hours) GROUP BY ALL`, share))
	add("coverage", `SELECT s.source, s.account_id, s.region, h.hour_ts, coalesce(sh.records, 0) AS records, sh.records IS NOT NULL AS delivered
FROM streams s JOIN hours h ON h.hour_ts >= s.first_hour
LEFT JOIN stream_hours sh ON sh.source = s.source AND sh.account_id = s.account_id AND sh.region = s.region AND sh.hour_ts = h.hour_ts
WHERE s.expected`)
	add("gaps", `SELECT source, account_id, region, min(hour_ts) AS gap_start, max(hour_ts) + INTERVAL 1 HOUR AS gap_end, count(*) AS hours
FROM (SELECT *, hour_ts - to_hours(row_number() OVER (PARTITION BY source, account_id, region ORDER BY hour_ts)) AS island
      FROM coverage WHERE NOT delivered)
GROUP BY source, account_id, region, island`)
	v := viewSet{defs: defs}
	v.findings = fmt.Sprintf(`CREATE OR REPLACE TEMP VIEW p_findings AS SELECT * FROM findings
WHERE "eventDay" BETWEEN %s AND %s AND window_end >= %s AND window_end < %s
QUALIFY row_number() OVER (PARTITION BY finding_id ORDER BY window_end DESC, last_seen DESC) = 1`, startDay, endDay, ts(p.Start), ts(p.End))
	v.defs = append(v.defs, View{"p_findings", strings.TrimPrefix(v.findings, "CREATE OR REPLACE TEMP VIEW p_findings AS ")})
	v.defs = append(v.defs,
		View{"integrity", "-- one row per (account_id, region, hour_ts) from the CloudTrail digest verification (table filled by the job)"},
		View{"runs", "-- one row per runs/<job>/<window>/manifest.json in the lake (table filled by the job)"},
		View{"lake_days", "-- one row per (table_name, eventDay) partition in the lake, from object keys (table filled by the job)"})
	return v
}

func createViews(ctx context.Context, db *sql.DB, v viewSet, integ []integrity.Hour, runs []run, days []lakeDay) error {
	for _, d := range v.defs {
		if strings.HasPrefix(d.SQL, "--") || d.Name == "p_findings" {
			continue
		}
		kind := "VIEW"
		if d.Name == "stream_hours" || d.Name == "streams" || d.Name == "hours" || strings.HasPrefix(d.Name, "p_") {
			kind = "TABLE" // read many times; computed once
		}
		if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP %s %s AS %s", kind, analytics.QuoteIdent(d.Name), d.SQL)); err != nil {
			return fmt.Errorf("report: view %s: %w", d.Name, err)
		}
	}
	stmts := []string{
		"CREATE OR REPLACE TEMP TABLE integrity (account_id VARCHAR, region VARCHAR, hour_ts TIMESTAMPTZ, status VARCHAR, detail VARCHAR)",
		"CREATE OR REPLACE TEMP TABLE runs (job VARCHAR, window_from TIMESTAMPTZ, window_to TIMESTAMPTZ)",
		"CREATE OR REPLACE TEMP TABLE lake_days (table_name VARCHAR, \"eventDay\" VARCHAR)",
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	for _, h := range integ {
		if _, err := db.ExecContext(ctx, "INSERT INTO integrity VALUES (?, ?, ?, ?, ?)", h.Account, h.Region, h.Hour, h.Status, h.Detail); err != nil {
			return fmt.Errorf("report: integrity: %w", err)
		}
	}
	for _, r := range runs {
		var from, to any
		if !r.From.IsZero() {
			from = r.From
		}
		if !r.To.IsZero() {
			to = r.To
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO runs VALUES (?, ?, ?)", r.Job, from, to); err != nil {
			return fmt.Errorf("report: runs: %w", err)
		}
	}
	for _, d := range days {
		if _, err := db.ExecContext(ctx, "INSERT INTO lake_days VALUES (?, ?)", d.Table, d.Day); err != nil {
			return fmt.Errorf("report: lake_days: %w", err)
		}
	}
	return nil
}

func selectList(cols []string) string {
	if len(cols) == 0 {
		return "*"
	}
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = analytics.QuoteIdent(c)
	}
	return strings.Join(q, ", ")
}

// usedColumns finds, for each event table and the quarantine, the columns
// any of the texts names (plus partition columns and event_time). The
// period tables are materialised with just these columns: dozens of control
// queries then scan DuckDB's own storage instead of thousands of Parquet
// parts each time.
func usedColumns(texts []string) map[string][]string {
	low := strings.ToLower(strings.Join(texts, "\n"))
	out := map[string][]string{}
	for _, name := range []string{"cloudtrail", "vpcflow", "s3access", "quarantine"} {
		t, _ := schemas.Lookup(name)
		var cols []string
		for _, c := range t.Columns() {
			if c.Name == "event_time" || mentions(low, strings.ToLower(c.Name)) {
				cols = append(cols, c.Name)
			}
		}
		cols = append(cols, hiveParts(t)...)
		out[name] = cols
	}
	return out
}

func hiveParts(t schemas.Table) []string {
	var out []string
	for _, p := range t.Partitions {
		if strings.Contains(t.Template, p+"=") {
			out = append(out, p)
		}
	}
	return out
}

func mentions(text, ident string) bool {
	isID := func(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	for i := 0; ; {
		k := strings.Index(text[i:], ident)
		if k < 0 {
			return false
		}
		a, b := i+k, i+k+len(ident)
		if (a == 0 || !isID(text[a-1])) && (b == len(text) || !isID(text[b])) {
			return true
		}
		i = b
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
