package detect

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/analytics"
	"github.com/seclake/seclake/internal/storage"
)

// TestProfilesFromHourGroups: the daily profiles read CloudTrail, VPC flow and
// S3 access records grouped by hour (profile_ct/vpc/s3.sql) instead of event
// by event; on every day of the
// fixture (CloudTrail, VPC Flow and S3 access logs, with every attack
// scenario) they give the rows, the column types and the order of the
// event-by-event SQL they replaced (testdata/profile_*_events.sql), so the
// baselines written are the same bytes.
func TestProfilesFromHourGroups(t *testing.T) {
	f := generatedLake(t)
	ctx := context.Background()
	st, err := storage.NewLocal(f.lakeDir)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Lake: st, Root: f.lakeDir, From: f.start, To: f.start.AddDate(0, 0, f.days), Threads: 2}
	if err := o.defaults(); err != nil {
		t.Fatal(err)
	}
	eng, err := analytics.Open(ctx, f.lakeDir, analytics.Options{Tables: []string{}, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	r := &runner{o: o, eng: eng, sum: &Summary{}, profiled: map[string]bool{}, committed: o.Committed}
	if err := r.setup(ctx); err != nil {
		t.Fatal(err)
	}
	// rows of every source must be among those compared
	covered := map[string]bool{"[eni ": false, "[bucket ": false, "[s3_requester ": false, "[eni_dst24 ": false, "[s3_req_ip24 ": false, "[s3_req_bucket ": false}
	for _, d := range daysBetween(f.start, f.start.AddDate(0, 0, f.days)) {
		if err := r.dayViews(ctx, "d_", []string{d}, time.Time{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"profile_hourly", "profile_seen"} {
			got, err := sqlFile(name+".sql", "d_")
			if err != nil {
				t.Fatal(err)
			}
			ref, err := os.ReadFile("testdata/" + name + "_events.sql")
			if err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(string(ref), "{{P}}", "d_")
			gh, g := queryRows(t, eng, got)
			wh, w := queryRows(t, eng, want)
			if gh != wh {
				t.Errorf("%s %s: columns\n %s\nwant %s", name, d, gh, wh)
			}
			if len(w) < 2 {
				t.Fatalf("%s %s: %d rows from the reference; the fixture should give more", name, d, len(w))
			}
			if len(g) != len(w) {
				t.Errorf("%s %s: %d rows, want %d", name, d, len(g), len(w))
				continue
			}
			for _, row := range w {
				for k := range covered {
					covered[k] = covered[k] || strings.HasPrefix(row, k)
				}
			}
			for i := range w {
				if g[i] != w[i] {
					t.Errorf("%s %s row %d:\n got %s\nwant %s", name, d, i, g[i], w[i])
					break
				}
			}
		}
	}
	for k, ok := range covered {
		if !ok {
			t.Errorf("no reference row starts with %q: the fixture does not exercise that source", k)
		}
	}
}

// queryRows returns the names and DuckDB types of q's columns and its rows rendered as text.
func queryRows(t *testing.T, eng *analytics.Engine, q string) (string, []string) {
	t.Helper()
	rows, err := eng.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	var head []string
	for _, c := range types {
		head = append(head, c.Name()+" "+c.DatabaseTypeName())
	}
	var out []string
	vals := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(head, ", "), out
}
