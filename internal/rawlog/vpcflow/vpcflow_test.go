package vpcflow

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

func parseWith(p *Parser) casetest.Parse[schemas.VPCFlow] {
	return func(ctx context.Context, text string, obj rawlog.Object, sink rawlog.Sink[schemas.VPCFlow]) (rawlog.Stats, error) {
		return p.Parse(ctx, strings.NewReader(text), obj, sink)
	}
}

func TestCases(t *testing.T) {
	for _, c := range casetest.Load(t, "testdata/cases") {
		t.Run(c.Name, func(t *testing.T) {
			casetest.Run(t, c, parseWith(&Parser{Format: c.Format}))
		})
	}
}

const corpusDir = "/work/shared/corpus/elastic-aws-test-samples"

// TestCorpus parses Elastic's VPC flow test inputs. Expected counts were
// checked by reading each file (header and blank lines are not records).
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*vpcflow*", "*"))
	if len(files) == 0 {
		t.Skip("corpus not present at " + corpusDir)
	}
	want := map[string]struct{ rows, bads int }{
		"beats-vpcflow/accept-reject-traffic.log": {4, 0}, // header + 4 v2 records
		// "Phony unsupported log format.": 4 fields, no header, no layout.
		"beats-vpcflow/bad.log":                            {0, 1},
		"beats-vpcflow/custom-nat-gateway.log":             {2, 0}, // 6-field header, EventTime from the object
		"beats-vpcflow/custom-transit-gateway.log":         {1, 0}, // headerless 17-field documented example layout
		"beats-vpcflow/ipv6.log":                           {1, 0},
		"beats-vpcflow/no-data-skip-data.log":              {2, 0},
		"beats-vpcflow/tcp-flag-sequence-skip-data.log":    {2, 0}, // header repeated after a blank line
		"beats-vpcflow/tcp-flag-sequence.log":              {1, 0},
		"integrations-vpcflow/test-ecs-samples.log":        {10, 0}, // headerless 39-field v7 layout
		"integrations-vpcflow/test-extra-samples.log":      {7, 0},  // last line has no "\n"
		"integrations-vpcflow/test-tcp-flag-sequence.log":  {3, 0},  // header before every record
		"integrations-vpcflow/test-tgw-samples.log":        {10, 0}, // headerless 36-field transit gateway layout
		"integrations-vpcflow/test-v5-all-fields.log":      {1, 0},  // start 164000066 is odd but a valid number
		"integrations-vpcflow/test-v8-samples.log":         {1, 0},  // 40 fields, reject-reason BPA
		"integrations-vpcflow/test-with-message-field.log": {1, 0},  // {"message": ...} wrapper
	}
	for _, f := range files {
		rel, _ := filepath.Rel(corpusDir, f)
		t.Run(rel, func(t *testing.T) {
			w, ok := want[rel]
			if !ok {
				t.Fatalf("no expected counts for %s", rel)
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c := casetest.Case{Name: rel}
			rows, bads, st, err := casetest.Collect(parseWith(&Parser{}), string(b), c.Object())
			if err != nil {
				t.Fatal(err)
			}
			if err := casetest.Check(rows, bads, st); err != nil {
				t.Error(err)
			}
			for _, b := range bads {
				t.Logf("bad line %d: %v", b.Line, b.Err)
			}
			if len(rows) != w.rows || len(bads) != w.bads {
				t.Errorf("rows, bads = %d, %d; want %d, %d", len(rows), len(bads), w.rows, w.bads)
			}
			if !Sniff(b) && rel != "beats-vpcflow/bad.log" {
				t.Errorf("Sniff = false")
			}
		})
	}
}

func TestCorpusDetails(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(corpusDir, "integrations-vpcflow/test-v8-samples.log"))
	if err != nil {
		t.Skip("corpus not present")
	}
	rows, _, _, _ := casetest.Collect(parseWith(&Parser{}), string(b), rawlog.Object{Key: "k"})
	if len(rows) != 1 || rows[0].RejectReason != "BPA" || rows[0].ECSTaskID != "e504f037-35c" || rows[0].FlowDirection != "ingress" {
		t.Errorf("v8 row = %+v", rows)
	}
}

func TestTooLarge(t *testing.T) {
	big := "2 1 eni-1 " + strings.Repeat("x", rawlog.MaxRecordBytes+10) + " y\n"
	text := big + "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 3 4 1600000000 1600000060 ACCEPT OK\n"
	rows, bads, st, err := casetest.Collect(parseWith(&Parser{}), text, rawlog.Object{Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || len(bads) != 1 || st.Records != 2 {
		t.Fatalf("rows %d bads %d records %d", len(rows), len(bads), st.Records)
	}
	if !errors.Is(bads[0].Err, rawlog.ErrTooLarge) || len(bads[0].Raw) != schemas.RawLimit {
		t.Errorf("bad = %v, raw %d bytes", bads[0].Err, len(bads[0].Raw))
	}
	if rows[0].SourceOffset != int64(len(big)) {
		t.Errorf("offset = %d, want %d", rows[0].SourceOffset, len(big))
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Parser{}).Parse(ctx, strings.NewReader("x\n"), rawlog.Object{}, rawlog.Sink[schemas.VPCFlow]{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func TestSinkError(t *testing.T) {
	stop := errors.New("stop")
	_, err := (&Parser{}).Parse(context.Background(), strings.NewReader("junk\n"), rawlog.Object{},
		rawlog.Sink[schemas.VPCFlow]{Row: func(schemas.VPCFlow) error { return nil }, Bad: func(rawlog.Bad) error { return stop }})
	if !errors.Is(err, stop) {
		t.Errorf("err = %v", err)
	}
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		head string
		want bool
	}{
		{"version account-id interface-id srcaddr\n", true},
		{"\n2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 3 4 1600000000 1600000060 ACCEPT OK\n", true},
		{`{"message":"2 428961148399 eni-0e0bf7be352692297 - - - - - - - 1671029698 1671029728 - NODATA"}`, true},
		{`{"Records":[{"eventVersion":"1.08"}]}`, false},
		{"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /awsexamplebucket?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" - s9lzHYr= SigV2\n", false},
		{"Phony unsupported log format.", false},
		{"", false},
	} {
		if got := Sniff([]byte(tc.head)); got != tc.want {
			t.Errorf("Sniff(%.40q) = %v, want %v", tc.head, got, tc.want)
		}
	}
}
