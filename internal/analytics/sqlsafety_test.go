package analytics

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/schemas"
)

// hostile are principal names, bucket names and keys built to break SQL
// that splices values into text.
var hostile = []string{
	`x'); DROP TABLE cloudtrail; --`,
	`x' OR '1'='1`,
	`b" OR 1=1 --`,
	`'; ATTACH '/tmp/evil.db' AS evil; --`,
	`\'; COPY (SELECT 1) TO '/tmp/pwned.csv'; --`,
	"multi\nline' --\r\n",
	`$$ dollar $$ quoted`,
	"nul\x00byte'",
	`ünïcödé ' "`,
	`read_parquet('/etc/passwd')`,
}

// TestHostileValuesAreOnlyEverBound: rows carrying hostile principal and
// bucket names, in a lake whose own path holds quotes and SQL, are read with
// the values bound as parameters: each matches exactly its own row, nothing
// else runs, and the quoting helpers round-trip every hostile string.
func TestHostileValuesAreOnlyEverBound(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), `lake'; DROP TABLE x; --"`)
	dir := filepath.Join(root, "events", "cloudtrail", "region=us-east-1", "accountId=111122223333", "eventDay=20261121", "eventHour=10")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var rows []schemas.CloudTrail
	for i, h := range hostile {
		rows = append(rows, schemas.CloudTrail{
			EventTime:            time.Date(2026, 11, 21, 10, 0, i, 0, time.UTC),
			EventID:              h,
			EventName:            "GetObject",
			UserIdentityARN:      "arn:aws:iam::111122223333:user/" + h,
			UserIdentityUserName: h,
			RequestParameters:    `{"bucketName":` + jsonString(h) + `}`,
		})
	}
	data, err := lake.EncodeParquet(rows, parquet.SchemaOf(schemas.CloudTrail{}), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "part-0.parquet"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := Open(ctx, root, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, h := range hostile {
		if n := scalar[int64](t, e, "SELECT count(*) FROM cloudtrail WHERE user_identity_user_name = ? AND user_identity_arn = ? AND json_extract_string(request_parameters, '$.bucketName') = ?",
			h, "arn:aws:iam::111122223333:user/"+h, h); n != 1 {
			t.Errorf("bound %q matched %d rows, want 1", h, n)
		}
		if h == "nul\x00byte'" {
			continue // a SQL text literal cannot hold NUL; as a bound value it works (above)
		}
		if got := scalar[string](t, e, "SELECT "+QuoteLiteral(h)); got != h {
			t.Errorf("QuoteLiteral(%q) read back as %q", h, got)
		}
		var col string
		r, err := e.Query(ctx, "SELECT 1 AS "+QuoteIdent(h))
		if err != nil {
			t.Fatalf("QuoteIdent(%q): %v", h, err)
		}
		cols, _ := r.Columns()
		r.Close()
		if len(cols) == 1 {
			col = cols[0]
		}
		if col != h {
			t.Errorf("QuoteIdent(%q) named the column %q", h, col)
		}
	}
	if n := scalar[int64](t, e, "SELECT count(*) FROM cloudtrail"); n != int64(len(hostile)) {
		t.Fatalf("%d rows after the hostile reads, want %d (a value was executed as SQL?)", n, len(hostile))
	}
	for _, p := range []string{"/tmp/pwned.csv", "/tmp/evil.db"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s exists: a hostile value ran as SQL", p)
		}
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
