package report

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/seclake/seclake/internal/compliance"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/schemas"
)

// gapSeverity: a silent CloudTrail stream hides API activity (high); a
// missing flow or access log hour is medium.
func gapSeverity(source string) int32 {
	if source == "cloudtrail" {
		return 60
	}
	return 45
}

// gapFindings turns each run of consecutive missing hours of an expected
// stream into one finding. FindingID depends on the stream and the first
// missing hour only, so reruns and longer reports of the same gap agree.
func gapFindings(ctx context.Context, db *sql.DB, p compliance.Period) ([]schemas.Finding, error) {
	rows, err := db.QueryContext(ctx, `SELECT source, account_id, region, gap_start, gap_end, hours FROM gaps ORDER BY gap_start, source, account_id, region`)
	if err != nil {
		return nil, fmt.Errorf("report: gaps: %w", err)
	}
	defer rows.Close()
	var out []schemas.Finding
	for rows.Next() {
		var src, acct, region string
		var start, end time.Time
		var hours int64
		if err := rows.Scan(&src, &acct, &region, &start, &end, &hours); err != nil {
			return nil, err
		}
		start, end = start.UTC(), end.UTC()
		sev := gapSeverity(src)
		exp := 1.0
		obs := 0.0
		id := "log_gap-" + sha([]byte(src + "\x00" + acct + "\x00" + region + "\x00" + start.Format(time.RFC3339)))[:24]
		out = append(out, schemas.Finding{
			FindingID:       id,
			Detector:        GapDetector,
			Title:           fmt.Sprintf("No %s logs from %s/%s for %d hour(s)", src, acct, region, hours),
			AttackTactic:    "Defense Evasion", // ATT&CK tactic names as the detectors write them
			AttackTechnique: "T1562.008",
			Severity:        sev,
			SeverityLabel:   schemas.SeverityLabel(int(sev)),
			Score:           float64(hours),
			Metric:          "hours_without_" + src + "_records",
			Observed:        &obs,
			Expected:        &exp,
			AccountID:       acct,
			Region:          region,
			Entities:        []schemas.FindingEntity{{Kind: "account_id", Value: acct}},
			WindowStart:     start,
			WindowEnd:       end,
			FirstSeen:       start,
			LastSeen:        end,
			Count:           hours,
			Explanation: fmt.Sprintf("The %s stream of account %s in %s delivered records in most hours of %s but none from %s to %s. "+
				"Logging may have been stopped, misconfigured or delayed.", src, acct, region, p.Name, start.Format(time.RFC3339), end.Format(time.RFC3339)),
			Recommendation: "Check the trail / flow log / access log configuration and delivery for this account and region; rerun convert once late files arrive.",
			Status:         schemas.StatusNew,
		})
	}
	return out, rows.Err()
}

// writeGapFindings writes the gap findings as one Parquet part per eventDay
// (the day of the gap's end), named from the period so a rerun replaces them.
func writeGapFindings(ctx context.Context, store storage.Store, p compliance.Period, gaps []schemas.Finding) ([]lake.Output, error) {
	byDay := map[string][]schemas.Finding{}
	for _, g := range gaps {
		day := g.WindowEnd.Add(-time.Nanosecond).Format("20060102")
		byDay[day] = append(byDay[day], g)
	}
	days := make([]string, 0, len(byDay))
	for d := range byDay {
		days = append(days, d)
	}
	sort.Strings(days)
	schema := parquet.SchemaOf(schemas.Finding{})
	var outs []lake.Output
	for _, day := range days {
		rows := byDay[day]
		data, err := lake.EncodeParquet(rows, schema, 100_000)
		if err != nil {
			return nil, fmt.Errorf("report: encode gap findings: %w", err)
		}
		g := lake.Group{Dir: "findings/eventDay=" + day, Tag: GapDetector + "/" + p.Name}
		key := g.Dir + "/" + lake.PartName(g, 0)
		if err := store.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{ContentType: "application/vnd.apache.parquet", Deferred: true}); err != nil {
			return nil, fmt.Errorf("report: put %s: %w", key, err)
		}
		outs = append(outs, lake.Output{Key: key, Rows: int64(len(rows)), Bytes: int64(len(data)), SHA256: sha(data),
			MinTime: rows[0].WindowEnd, MaxTime: rows[len(rows)-1].WindowEnd})
	}
	return outs, nil
}
