package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/seclake/seclake/internal/analytics"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	sqlfiles "github.com/seclake/seclake/sql/duckdb"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// profileManifest records which event parts a day's baseline profile was
// computed from; the profile is recomputed only when that list changes (late
// events, a reconverted hour) — the incremental update of the baselines.
type profileManifest struct {
	Day         string   `json:"day"`
	Fingerprint string   `json:"fingerprint"`
	Inputs      int      `json:"inputs"`
	Outputs     []string `json:"outputs"`
}

func profileManifestKey(d string) string { return lake.RunPrefix("detect-baseline") + d + ".json" }

// dayFingerprint hashes the names, sizes and modification times of a day's event parts.
func (r *runner) dayFingerprint(ctx context.Context, d string) (string, int, error) {
	var parts []string
	n := 0
	for _, tb := range []string{"cloudtrail", "vpcflow", "s3access"} {
		m, err := r.eventParts(ctx, tb, d)
		if err != nil {
			return "", 0, err
		}
		for _, p := range m {
			st, err := os.Stat(p)
			if err != nil {
				return "", 0, err
			}
			rel, _ := filepath.Rel(r.o.Root, p)
			parts = append(parts, fmt.Sprintf("%s %d %d", filepath.ToSlash(rel), st.Size(), st.ModTime().UnixNano()))
			n++
		}
	}
	return hashHex(parts...), n, nil
}

// ensureProfiles computes the daily profiles of days that have none or whose
// inputs changed since; other days are reused as stored.
func (r *runner) ensureProfiles(ctx context.Context, days []string) error {
	for _, d := range days {
		if r.profiled[d] {
			continue
		}
		fp, n, err := r.dayFingerprint(ctx, d)
		if err != nil {
			return err
		}
		if n == 0 {
			r.profiled[d] = true
			continue
		}
		var m profileManifest
		if rc, _, err := r.o.Lake.Get(ctx, profileManifestKey(d)); err == nil {
			_ = json.NewDecoder(rc).Decode(&m)
			rc.Close()
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if m.Fingerprint == fp && r.hasProfileParts(d) {
			r.sum.BaselineReused++
			r.profiled[d] = true
			continue
		}
		if err := r.computeProfile(ctx, d, fp, n); err != nil {
			return err
		}
		r.sum.BaselineDays++
		r.profiled[d] = true
	}
	return nil
}

func (r *runner) hasProfileParts(d string) bool {
	for _, tb := range []string{"baseline_hourly", "baseline_seen"} {
		m, _ := r.tableParts(tb, []string{d})
		if len(m) == 0 {
			return false
		}
	}
	return true
}

func (r *runner) computeProfile(ctx context.Context, d string, fp string, n int) error {
	start := time.Now()
	if err := r.dayViews(ctx, "d_", []string{d}, time.Time{}, time.Time{}); err != nil {
		return err
	}
	m := profileManifest{Day: d, Fingerprint: fp, Inputs: n}
	for _, p := range []struct{ table, file string }{{"baseline_hourly", "profile_hourly.sql"}, {"baseline_seen", "profile_seen.sql"}} {
		q, err := sqlFile(p.file, "d_")
		if err != nil {
			return err
		}
		key := fmt.Sprintf("baselines/%s/eventDay=%s/part-%s.parquet", p.table[len("baseline_"):], d, hashHex(p.table, d)[:20])
		if err := r.copyTo(ctx, q, key); err != nil {
			return fmt.Errorf("detect: profile %s %s: %w", p.table, d, err)
		}
		m.Outputs = append(m.Outputs, key)
	}
	if err := r.eng.Exec(ctx, "DROP TABLE IF EXISTS d_ct_hours; DROP TABLE IF EXISTS d_vpc_hours; DROP TABLE IF EXISTS d_s3_hours"); err != nil {
		return err
	}
	data, _ := json.MarshalIndent(m, "", "  ")
	if err := r.put(ctx, profileManifestKey(d), append(data, '\n'), "application/json"); err != nil {
		return err
	}
	r.o.Logger.Debug("baseline profile", "day", d, "inputs", n, "seconds", time.Since(start).Seconds())
	return nil
}

// copyTo runs q through DuckDB's Parquet writer into a temporary file and
// stores it under key.
func (r *runner) copyTo(ctx context.Context, q, key string) error {
	f := filepath.Join(r.tmp, "out.parquet")
	defer os.Remove(f)
	if err := r.eng.CopyParquet(ctx, q, f); err != nil {
		return err
	}
	data, err := os.ReadFile(f)
	if err != nil {
		return err
	}
	return r.put(ctx, key, data, "application/vnd.apache.parquet")
}

// sqlFile reads an embedded SQL file with its {{P}} view prefix filled in.
func sqlFile(name, prefix string) (string, error) {
	b, err := sqlfiles.FS.ReadFile(name)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(string(b), "{{P}}", prefix), nil
}

// baselineViews creates b_hourly, b_seen and b_stats for the baseline days
// [from, w.From), limited to what the window can ask about: b_seen holds the
// window's own combinations (w_seen) that the baseline also saw, and b_stats
// the statistics of the entities active in the window (plus per-account peer
// statistics). b_stats is written to baselines/stats/eventDay=<window day>/.
func (r *runner) baselineViews(ctx context.Context, w lake.Window, from time.Time) error {
	days := daysBetween(from, w.From)
	hourly, err := r.tableParts("baseline_hourly", days)
	if err != nil {
		return err
	}
	seen, err := r.tableParts("baseline_seen", days)
	if err != nil {
		return err
	}
	if err := r.eng.CreatePartitionView(ctx, "b_hourly_src", "baseline_hourly", hourly); err != nil {
		return err
	}
	if err := r.eng.CreatePartitionView(ctx, "b_seen_src", "baseline_seen", seen); err != nil {
		return err
	}
	wseen, err := sqlFile("profile_seen.sql", "w_")
	if err != nil {
		return err
	}
	statsSQL, err := sqlFile("baseline_stats.sql", "")
	if err != nil {
		return err
	}
	meanadSQL, err := sqlFile("baseline_meanad.sql", "")
	if err != nil {
		return err
	}
	peerSQL, err := sqlFile("baseline_peer.sql", "")
	if err != nil {
		return err
	}
	stmts := []string{
		"CREATE OR REPLACE TEMP TABLE w_seen AS " + wseen,
		"DROP TABLE w_ct_hours; DROP TABLE w_vpc_hours; DROP TABLE w_s3_hours", // w_seen was their only reader
		"CREATE OR REPLACE TEMP TABLE b_seen (dim VARCHAR, subject VARCHAR, value VARCHAR)",
		// count(DISTINCT …) per group cannot spill; DISTINCT then count can.
		`CREATE OR REPLACE TEMP TABLE b_hist AS SELECT principal, count(*)::BIGINT AS days FROM (
			SELECT DISTINCT b.subject AS principal, date_trunc('day', b.first_seen) AS d FROM b_seen_src b
			SEMI JOIN (SELECT subject FROM w_seen WHERE dim = 'p_any') w ON b.subject = w.subject WHERE b.dim = 'p_any') GROUP BY ALL`,
		`CREATE OR REPLACE TEMP TABLE b_org_ua AS SELECT DISTINCT value FROM b_seen_src WHERE dim = 'p_ua'`,
		`CREATE OR REPLACE TEMP TABLE b_accounts AS SELECT DISTINCT subject AS account_id FROM b_seen_src WHERE dim = 'acct_region'`,
		`CREATE OR REPLACE TEMP TABLE w_entities AS
			SELECT DISTINCT 'principal' AS entity_kind, principal AS entity FROM w_ct WHERE principal IS NOT NULL
			UNION SELECT DISTINCT 'account_region', account_id || '/' || aws_region FROM w_ct WHERE account_id IS NOT NULL AND aws_region IS NOT NULL
			UNION SELECT DISTINCT 'eni', interface_id FROM w_vpc WHERE interface_id IS NOT NULL
			UNION SELECT DISTINCT 's3_requester', requester FROM w_s3 WHERE requester IS NOT NULL`,
		fmt.Sprintf(`CREATE OR REPLACE TEMP VIEW b_peer_hourly AS SELECT account_id, api_calls, error_calls, distinct_apis FROM b_hourly_src
			WHERE entity_kind = 'principal' AND hour >= %s AND hour < %s`, tsLit(from), tsLit(w.From)),
		"CREATE OR REPLACE TEMP TABLE b_peer AS " + peerSQL,
		fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE params AS SELECT %s AS win_start, %s AS win_end, %s AS base_start, %d AS base_days`,
			tsLit(w.From), tsLit(w.To), tsLit(from), len(days)),
	}
	for i, s := range stmts {
		if err := r.eng.Exec(ctx, s); err != nil {
			return fmt.Errorf("detect: baseline: %w", err)
		}
		if i == 2 { // b_seen created: fill it
			if err := r.baselineSeen(ctx); err != nil {
				return err
			}
		}
	}
	if err := r.baselineStats(ctx, from, w.From, statsSQL, meanadSQL); err != nil {
		return err
	}
	key := fmt.Sprintf("baselines/stats/eventDay=%s/part-%s.parquet", day(w.To.Add(-time.Microsecond)), hashHex("stats", w.ID())[:20])
	return r.copyTo(ctx, fmt.Sprintf(`SELECT entity_kind, entity, account_id, metric, hour_of_week, samples, mean, stddev, median, mad,
		%s AS baseline_from, %s AS baseline_to FROM b_stats ORDER BY ALL`, tsLit(from), tsLit(w.From)), key)
}

// statsBucketRows is about how many baseline hourly rows one pass of
// baselineStats aggregates: median and MAD keep every value of a group in
// memory outside DuckDB's buffer manager (they cannot spill), so the
// statistics are computed over slices of the entities rather than all at once.
const statsBucketRows = 150_000

// baselineStats fills b_stats (baseline_stats.sql) and b_meanad
// (baseline_meanad.sql) from the baseline hours [from, to) of the window's
// entities (w_entities). The entities are split into buckets by a hash of
// their name; each bucket's hours are read from the baseline parts into
// b_hourly and aggregated, and the results appended. An entity's rows all
// fall into one bucket, so the statistics are those of one pass over all rows.
func (r *runner) baselineStats(ctx context.Context, from, to time.Time, statsSQL, meanadSQL string) error {
	src := fmt.Sprintf(`SELECT b.* FROM b_hourly_src b SEMI JOIN w_entities e ON b.entity_kind = e.entity_kind AND b.entity = e.entity
			WHERE b.hour >= %s AND b.hour < %s`, tsLit(from), tsLit(to))
	var rows int64
	if err := r.eng.DB().QueryRowContext(ctx, "SELECT count(*) FROM ("+src+")").Scan(&rows); err != nil {
		return fmt.Errorf("detect: baseline: %w", err)
	}
	n := max(1, (rows+statsBucketRows-1)/statsBucketRows)
	for i := int64(0); i < n; i++ {
		hourly := src
		if n > 1 {
			hourly += fmt.Sprintf(" AND hash(b.entity) %% %d = %d", n, i)
		}
		stmts := []string{"CREATE OR REPLACE TEMP TABLE b_hourly AS " + hourly}
		if i == 0 {
			stmts = append(stmts, "CREATE OR REPLACE TEMP TABLE b_stats AS "+statsSQL, "CREATE OR REPLACE TEMP TABLE b_meanad AS "+meanadSQL)
		} else {
			stmts = append(stmts, "INSERT INTO b_stats "+statsSQL, "INSERT INTO b_meanad "+meanadSQL)
		}
		for _, s := range stmts {
			if err := r.eng.Exec(ctx, s); err != nil {
				return fmt.Errorf("detect: baseline statistics: %w", err)
			}
		}
	}
	return r.eng.Exec(ctx, "DROP TABLE b_hourly")
}

// baselineSeen fills b_seen with the window's combinations (w_seen) that the
// baseline days also saw, one dimension at a time: the semi join holds the
// window's combinations of one dimension in a hash table instead of all of
// them (on the 10M bench lake, a million rows and DuckDB's memory limit).
func (r *runner) baselineSeen(ctx context.Context) error {
	rows, err := r.eng.Query(ctx, "SELECT DISTINCT dim FROM w_seen ORDER BY dim")
	if err != nil {
		return fmt.Errorf("detect: baseline seen: %w", err)
	}
	var dims []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			rows.Close()
			return fmt.Errorf("detect: baseline seen: %w", err)
		}
		dims = append(dims, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("detect: baseline seen: %w", err)
	}
	for _, d := range dims {
		q := fmt.Sprintf(`INSERT INTO b_seen SELECT w.dim, w.subject, w.value FROM w_seen w
			SEMI JOIN (SELECT subject, value FROM b_seen_src WHERE dim = %[1]s) b ON b.subject = w.subject AND b.value = w.value
			WHERE w.dim = %[1]s`, analytics.QuoteLiteral(d))
		if err := r.eng.Exec(ctx, q); err != nil {
			return fmt.Errorf("detect: baseline seen %s: %w", d, err)
		}
	}
	return nil
}
