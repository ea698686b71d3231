package analytics

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seclake/seclake/schemas"
)

// TestPartitionViewMixedSchemas: parts of one table written with different
// schemas (a column added later) still read as one view, with NULL where an
// older part lacks the column; parts of one schema are read without
// union_by_name.
func TestPartitionViewMixedSchemas(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	e, err := Open(ctx, root, Options{Tables: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	dir := filepath.Join(root, "findings", "eventDay=20261001")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	a, b, c := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet"), filepath.Join(dir, "c.parquet")
	for _, s := range []string{
		"COPY (SELECT 'f-1' AS finding_id, 'x' AS detector) TO " + QuoteLiteral(a),
		"COPY (SELECT 'f-2' AS finding_id, 'y' AS detector) TO " + QuoteLiteral(b),
		"COPY (SELECT 'f-3' AS finding_id, 'z' AS detector, 7 AS severity) TO " + QuoteLiteral(c),
	} {
		if err := e.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	tb, _ := schemas.Lookup("findings")
	uniform, err := e.readParquet(tb, []string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(uniform, "union_by_name") {
		t.Errorf("parts of one schema read with union_by_name: %s", uniform)
	}
	if err := e.CreatePartitionView(ctx, "mixed", "findings", []string{a, b, c}); err != nil {
		t.Fatal(err)
	}
	got := scalar[string](t, e, `SELECT string_agg(finding_id || ':' || detector || ':' || coalesce(CAST(severity AS VARCHAR), '-') || ':' || "eventDay", ',' ORDER BY finding_id) FROM mixed`)
	if got != "f-1:x:-:20261001,f-2:y:-:20261001,f-3:z:7:20261001" {
		t.Errorf("mixed schemas read as %s", got)
	}
}
