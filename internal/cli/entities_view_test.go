package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/seclake/seclake/internal/entity"
	"github.com/seclake/seclake/internal/extract"
	"github.com/seclake/seclake/schemas"
)

// TestEntitiesViewEqualsExtractor converts generated logs of the three
// sources (with every attack scenario), the repository's samples and the
// real public samples of ../shared/corpus (when present), then checks that
// the entities view lists exactly what the extractor finds in the stored
// rows: the entities a typed column holds as they are (derived by the view
// from p_typed_entities) plus the listed ones, no more, no fewer, with the
// same kind, value, role, field, confidence and attr.
func TestEntitiesViewEqualsExtractor(t *testing.T) {
	raws := []string{filepath.Join(repoRoot(t), "testdata", "raw")}
	gen := t.TempDir()
	if code, _, errOut := run(t, nil, "generate", "--out", gen, "--days", "1", "--accounts", "2", "--principals", "12",
		"--rate", "600", "--seed", "5", "--sources", "cloudtrail,vpcflow,s3access"); code != 0 {
		t.Fatal(errOut)
	}
	raws = append(raws, gen)
	corpus := filepath.Join(repoRoot(t), "..", "shared", "corpus")
	if ents, err := os.ReadDir(corpus); err == nil {
		for _, e := range ents {
			if e.IsDir() {
				raws = append(raws, filepath.Join(corpus, e.Name()))
			}
		}
	} else {
		t.Log("../shared/corpus not present: generated and repository samples only")
	}
	x := &extract.Extraction{Extractor: entity.New(entity.Options{})}
	derivedRows := 0
	for _, raw := range raws {
		lakeDir := t.TempDir()
		if code, _, errOut := run(t, nil, "convert", "--raw", raw, "--lake", lakeDir); code != 0 {
			t.Fatalf("convert %s: %s", raw, errOut)
		}
		var want []string
		want = append(want, expected(t, lakeDir, "cloudtrail", x.CloudTrailEntities, func(r *schemas.CloudTrail) string { return r.EventID })...)
		want = append(want, expected(t, lakeDir, "vpcflow", x.VPCFlowEntities, func(r *schemas.VPCFlow) string { return fmt.Sprintf("%s#%d", r.SourceObject, r.SourceLine) })...)
		want = append(want, expected(t, lakeDir, "s3access", x.S3AccessEntities, func(r *schemas.S3Access) string { return fmt.Sprintf("%s#%d", r.SourceObject, r.SourceLine) })...)
		code, out, errOut := run(t, nil, "query", "--lake", lakeDir, "--format", "csv",
			"SELECT source_table || '|' || coalesce(event_id, '') || '|' || kind || '|' || value || '|' || coalesce(role, '') || '|' || coalesce(field, '') || '|' || CAST(confidence AS VARCHAR) || '|' || coalesce(attr, '') AS e FROM entities")
		if code != 0 {
			t.Fatalf("query %s: %s", raw, errOut)
		}
		got := parseCSVColumn(out)
		slices.Sort(want)
		slices.Sort(got)
		if len(want) == 0 {
			t.Fatalf("%s: no entities extracted", raw)
		}
		if !slices.Equal(got, want) {
			missing, extra := diff(want, got), diff(got, want)
			t.Fatalf("%s: view lists %d entities, extractor %d; missing %d (e.g. %q), extra %d (e.g. %q)",
				filepath.Base(raw), len(got), len(want), len(missing), head(missing), len(extra), head(extra))
		}
		code, out, errOut = run(t, nil, "query", "--lake", lakeDir, "--format", "csv",
			"SELECT (SELECT count(*) FROM cloudtrail WHERE p_typed_entities <> 0) + (SELECT count(*) FROM vpcflow WHERE p_typed_entities <> 0) + (SELECT count(*) FROM s3access WHERE p_typed_entities <> 0) AS n")
		if code != 0 {
			t.Fatalf("count derived: %s", errOut)
		}
		var n int
		fmt.Sscan(strings.TrimSpace(strings.SplitN(out, "\n", 2)[1]), &n)
		derivedRows += n
		t.Logf("%s: %d entities, %d rows with derived entities", filepath.Base(raw), len(want), n)
	}
	if derivedRows == 0 {
		t.Fatal("no row has a derived entity: the view's typed-column branches were not exercised")
	}
}

// expected reads back every part of table and runs the extractor over the
// stored rows, rendering each entity as the query above does.
func expected[T any](t *testing.T, lakeDir, table string, ents func([]T) []entity.Entity, id func(*T) string) []string {
	t.Helper()
	tb, _ := schemas.Lookup(table)
	var out []string
	root := filepath.Join(lakeDir, filepath.FromSlash(tb.Prefix))
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) {
			return fs.SkipAll
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		rows, err := parquet.ReadFile[T](p)
		if err != nil {
			return err
		}
		for _, e := range ents(rows) {
			out = append(out, fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s|%s", table, id(&rows[e.Row]), e.Kind, e.Value, e.Role, e.Field,
				formatConfidence(e.Confidence), e.Attr))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// formatConfidence renders a FLOAT as DuckDB's CAST(… AS VARCHAR) does for
// the confidence levels in use.
func formatConfidence(c float32) string {
	switch c {
	case 1:
		return "1.0"
	case 0.9:
		return "0.9"
	case 0.6:
		return "0.6"
	}
	return fmt.Sprint(c)
}

func parseCSVColumn(out string) []string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var vals []string
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, `"`) && strings.HasSuffix(l, `"`) {
			l = strings.ReplaceAll(l[1:len(l)-1], `""`, `"`)
		}
		vals = append(vals, l)
	}
	return vals
}

// diff returns the elements of a (sorted) not matched in b (sorted), as
// multisets.
func diff(a, b []string) []string {
	var out []string
	j := 0
	for _, v := range a {
		for j < len(b) && b[j] < v {
			j++
		}
		if j < len(b) && b[j] == v {
			j++
			continue
		}
		out = append(out, v)
	}
	return out
}

func head(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
