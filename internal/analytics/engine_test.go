package analytics

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/testutil"
	"github.com/seclake/seclake/jobs/convert"
	"github.com/seclake/seclake/schemas"
)

func repoRoot(t testing.TB) string { return testutil.RepoRoot(t) }

func sampleLake(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	raw, err := storage.NewLocal(filepath.Join(repoRoot(t), "testdata", "raw"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	lk, err := storage.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := convert.Run(ctx, convert.Config{Raw: raw, Lake: lk}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func scalar[T any](t *testing.T, e *Engine, q string, args ...any) T {
	t.Helper()
	var v T
	if err := e.DB().QueryRowContext(context.Background(), q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func TestViewsOverConvertedLake(t *testing.T) {
	ctx := context.Background()
	dir := sampleLake(t)
	e, err := Open(ctx, dir, Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for table, want := range map[string]int64{"cloudtrail": 4, "vpcflow": 4, "s3access": 3, "quarantine": 0} {
		if got := scalar[int64](t, e, "SELECT count(*) FROM "+QuoteIdent(table)); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
	// partition columns keep Athena's types: accountId text (leading zeros survive), eventHour integer
	if got := scalar[string](t, e, `SELECT typeof("accountId") || ',' || typeof("eventDay") || ',' || typeof("eventHour") || ',' || typeof(event_time) FROM cloudtrail LIMIT 1`); got != "VARCHAR,VARCHAR,INTEGER,TIMESTAMP WITH TIME ZONE" {
		t.Errorf("types: %s", got)
	}
	if got := scalar[string](t, e, `SELECT "accountId" || '/' || "eventDay" || '/' || "eventHour" FROM vpcflow LIMIT 1`); got != "111122223333/20261121/9" {
		t.Errorf("partition values: %s", got)
	}
	// values reach DuckDB only as binds: a hostile string is just a string
	if got := scalar[int64](t, e, "SELECT count(*) FROM cloudtrail WHERE user_identity_arn = ?", "x' OR '1'='1"); got != 0 {
		t.Errorf("bound value matched %d rows", got)
	}
	if got := scalar[string](t, e, "SELECT event_name FROM cloudtrail WHERE user_identity_access_key_id = ?", "AKIAEXAMPLEKEY000002"); got != "ListUsers" {
		t.Errorf("lookup by key: %s", got)
	}
	// JSON columns are queryable with DuckDB's built-in json extension
	if got := scalar[string](t, e, `SELECT json_extract_string(response_elements, '$.accessKey.accessKeyId') FROM cloudtrail WHERE event_name = 'CreateAccessKey'`); got != "AKIAEXAMPLEKEY000005" {
		t.Errorf("json: %s", got)
	}
	// every part is zstd
	glob := filepath.ToSlash(dir) + "/events/**/*.parquet"
	if got := scalar[string](t, e, "SELECT string_agg(DISTINCT compression, ',') FROM parquet_metadata("+QuoteLiteral(glob)+")"); got != "ZSTD" {
		t.Errorf("compression: %s", got)
	}
}

func TestEmptyLakeHasTypedViews(t *testing.T) {
	e, err := Open(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if got := scalar[int64](t, e, "SELECT count(*) FROM cloudtrail WHERE event_name = 'x' AND \"eventHour\" = 3"); got != 0 {
		t.Fatal(got)
	}
	if got := scalar[string](t, e, "SELECT typeof(bytes) FROM vpcflow UNION ALL SELECT 'BIGINT' LIMIT 1"); got != "BIGINT" {
		t.Fatal(got)
	}
}

func TestQuoting(t *testing.T) {
	if QuoteIdent(`a"b`) != `"a""b"` || QuoteLiteral("it's") != `'it''s'` {
		t.Fatal("quoting")
	}
}

func TestEntitiesViewOnEmptyLake(t *testing.T) {
	e, err := Open(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if got := scalar[int64](t, e, "SELECT count(*) FROM entities WHERE kind = 'ip_address'"); got != 0 {
		t.Fatal(got)
	}
}

func TestReferencedTables(t *testing.T) {
	got := ReferencedTables(`SELECT * FROM CloudTrail c JOIN "vpcflow" v ON true WHERE note = 's3access_x' AND x IN (SELECT 1 FROM entities)`)
	want := []string{"entities", "cloudtrail", "vpcflow"}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v", got)
		}
	}
	e, err := Open(context.Background(), t.TempDir(), Options{Tables: []string{"entities"}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if got := scalar[int64](t, e, "SELECT count(*) FROM entities"); got != 0 {
		t.Fatal(got)
	}
}

// TestEntitiesViewOnOlderParts: parts written before p_typed_entities list
// every entity in their entities column; the view reads them from there
// instead of failing on the missing column.
func TestEntitiesViewOnOlderParts(t *testing.T) {
	type oldRow struct {
		EventTime       time.Time           `parquet:"event_time,timestamp(microsecond)"`
		EventID         string              `parquet:"event_id,optional"`
		SourceIPAddress string              `parquet:"source_ip_address,optional"`
		Entities        []schemas.EntityRef `parquet:"entities,optional,list"`
		SourceObject    string              `parquet:"source_object"`
		SourceOffset    int64               `parquet:"source_offset"`
	}
	root := t.TempDir()
	dir := filepath.Join(root, "events", "cloudtrail", "region=us-east-1", "accountId=111122223333", "eventDay=20261121", "eventHour=10")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rows := []oldRow{{EventTime: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), EventID: "e1", SourceIPAddress: "198.51.100.7",
		Entities:     []schemas.EntityRef{{Kind: "ip_address", Value: "198.51.100.7", Role: "source_ip", Field: "source_ip_address", Confidence: 1, Attr: "public"}},
		SourceObject: "o", SourceOffset: 1}}
	if err := parquet.WriteFile(filepath.Join(dir, "part-old.parquet"), rows); err != nil {
		t.Fatal(err)
	}
	e, err := Open(context.Background(), root, Options{Tables: []string{"entities"}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if got := scalar[int64](t, e, "SELECT count(*) FROM entities WHERE event_id = 'e1' AND kind = 'ip_address' AND value = '198.51.100.7' AND attr = 'public'"); got != 1 {
		t.Fatalf("older part: %d entities", got)
	}
}
