package s3access

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/internal/rawlog/internal/casetest"
	"github.com/seclake/seclake/schemas"
)

func parse(ctx context.Context, text string, obj rawlog.Object, sink rawlog.Sink[schemas.S3Access]) (rawlog.Stats, error) {
	return (&Parser{}).Parse(ctx, strings.NewReader(text), obj, sink)
}

func TestCases(t *testing.T) {
	for _, c := range casetest.Load(t, "testdata/cases") {
		t.Run(c.Name, func(t *testing.T) { casetest.Run(t, c, parse) })
	}
}

const corpus = "/work/shared/corpus"

// TestCorpus parses every S3 access log sample. Expected counts were checked
// by reading each file: every non-blank line is a valid record, including the
// DANDI lines with unescaped quotes, a `""Mozilla` user agent and a double
// space after the remote IP.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus, "elastic-aws-test-samples", "*s3access*", "*"))
	filepath.WalkDir(filepath.Join(corpus, "dandi-s3-access-log-edgecases"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != "SOURCE.md" {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Skip("corpus not present at " + corpus)
	}
	want := map[string]int{
		"elastic-aws-test-samples/beats-s3access/s3_server_access.log":                               5,
		"elastic-aws-test-samples/beats-s3access/test.log":                                           6,
		"elastic-aws-test-samples/integrations-s3access/test-s3-server-access.log":                   10,
		"dandi-s3-access-log-edgecases/dandi-s3-log-extraction/2020-01-01-05-06-35-0123456789ABCDEF": 4,
		"dandi-s3-access-log-edgecases/dandi-s3-log-extraction/2022-01-01-05-06-35-0123456789ABCDEF": 9,
		"dandi-s3-access-log-edgecases/s3-log-extraction/2020-01-01-05-06-35-0123456789ABCDEF":       3,
		"dandi-s3-access-log-edgecases/s3-log-extraction/2022-01-01-05-06-35-0123456789ABCDEF":       7,
		"dandi-s3-access-log-edgecases/s3-log-parser/reduction_example_0_2020-01-01.log":             3,
		"dandi-s3-access-log-edgecases/s3-log-parser/reduction_example_1_2020-01-01.log":             3,
		"dandi-s3-access-log-edgecases/s3-log-parser/reduction_example_1_2021-02-03.log":             3,
		"dandi-s3-access-log-edgecases/s3-log-parser/reduction_example_2_2022-04-06.log":             5,
	}
	for _, f := range files {
		rel, _ := filepath.Rel(corpus, f)
		t.Run(rel, func(t *testing.T) {
			w, ok := want[rel]
			if !ok {
				t.Fatalf("no expected count for %s", rel)
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rows, bads, st, err := casetest.Collect(parse, string(b), rawlog.Object{Key: rel})
			if err != nil {
				t.Fatal(err)
			}
			if err := casetest.Check(rows, bads, st); err != nil {
				t.Error(err)
			}
			for _, b := range bads {
				t.Errorf("bad line %d: %v", b.Line, b.Err)
			}
			if len(rows) != w || len(bads) != 0 {
				t.Errorf("rows, bads = %d, %d; want %d, 0", len(rows), len(bads), w)
			}
			for i, r := range rows {
				// Every sample line has a request ID, an operation and a
				// host ID: a misplaced quote would shift them.
				if r.RequestID == "" || !strings.Contains(r.Operation, ".") || r.HostID == "" || r.EventTime.IsZero() {
					t.Errorf("row %d looks shifted: %+v", i, r)
				}
				if r.TLSVersion != "" && !strings.HasPrefix(strings.ToUpper(r.TLSVersion), "TLSV1.") {
					t.Errorf("row %d tls_version %q: fields shifted", i, r.TLSVersion)
				}
			}
			if !Sniff(b) {
				t.Error("Sniff = false")
			}
		})
	}
}

func TestTooLarge(t *testing.T) {
	line := "o b [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57 REST.GET.OBJECT k \"GET /k HTTP/1.1\" 200 - 113 - 7 - \"-\" \"UA\" -\n"
	big := "o b [06/Feb/2019:00:00:38 +0000] " + strings.Repeat("y", rawlog.MaxRecordBytes) + "\n"
	rows, bads, st, err := casetest.Collect(parse, line+big+line, rawlog.Object{Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || len(bads) != 1 || st.Records != 3 || !errors.Is(bads[0].Err, rawlog.ErrTooLarge) {
		t.Fatalf("rows %d bads %v records %d", len(rows), bads, st.Records)
	}
	if bads[0].Line != 2 || bads[0].Offset != int64(len(line)) || len(bads[0].Raw) != schemas.RawLimit {
		t.Errorf("bad line %d offset %d raw %d", bads[0].Line, bads[0].Offset, len(bads[0].Raw))
	}
	if rows[1].SourceOffset != int64(len(line)+len(big)) {
		t.Errorf("offset = %d", rows[1].SourceOffset)
	}
}

// TestManyQuotes checks that a line full of `" ` stays fast and ends as a bad.
func TestManyQuotes(t *testing.T) {
	line := "o b [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57 REST.GET.OBJECT k \"" + strings.Repeat("\" ", 1<<20) + "\n"
	_, bads, _, err := casetest.Collect(parse, line, rawlog.Object{Key: "k"})
	if err != nil || len(bads) != 1 {
		t.Fatalf("bads %d err %v", len(bads), err)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Parser{}).Parse(ctx, strings.NewReader("x\n"), rawlog.Object{}, rawlog.Sink[schemas.S3Access]{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		head string
		want bool
	}{
		{"\no b [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57 REST.GET.OBJECT k \"GET /k", true},
		{"o b [06/Feb/2019:00:00:38 -0730] x", true},
		{"version account-id interface-id srcaddr\n", false},
		{`{"Records":[]}`, false},
		{"o b [06/Feb/2019 x", false},
		{"", false},
	} {
		if got := Sniff([]byte(tc.head)); got != tc.want {
			t.Errorf("Sniff(%.40q) = %v, want %v", tc.head, got, tc.want)
		}
	}
}
