package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const corpusDir = "/work/shared/corpus"

// corpusFiles lists the CloudTrail-ish public samples (never copied here).
func corpusFiles(t testing.TB) []string {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus absent: %v", err)
	}
	var files []string
	for _, pat := range []string{
		"aws-cloudtrail-processing-library-testfiles/*",
		"elastic-aws-test-samples/*cloudtrail*/*",
		"stratus-red-team-detonation-logs/*.json",
	} {
		m, _ := filepath.Glob(filepath.Join(corpusDir, pat))
		for _, f := range m {
			if b := filepath.Base(f); b == "SOURCE.md" || b == "LICENSE.txt" || b == "LICENSE" {
				continue
			}
			files = append(files, f)
		}
	}
	sort.Strings(files)
	return files
}

// readMaybeGzip returns the file content, gunzipped when it starts with the
// gzip magic bytes.
func readMaybeGzip(t testing.TB, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return data
}

// TestCorpus checks every corpus file against testdata/corpus.golden:
// "file rows=N bad=N skipped=B err=B" per line; -update rewrites it. The
// counts were checked against the files with an independent JSON reader:
// stratus files are top-level arrays of 1–56 events, all rows; the AWS
// library files hold 2–6 records each, the bad ones being the all-null
// record (eventTime null), the renamed-keys records (no eventTime), the
// "ThisIsAWrongEventTime" record of MissField and the first (unclosed
// userIdentity) element of BadJsonFormat; SQS bodies, the digest and the
// Insights sample are skipped.
func TestCorpus(t *testing.T) {
	files := corpusFiles(t)
	var out strings.Builder
	for _, f := range files {
		in := readMaybeGzip(t, f)
		res := parse(t, bytes.NewReader(in), "")
		checkInvariants(t, in, res)
		rel, _ := filepath.Rel(corpusDir, f)
		fmt.Fprintf(&out, "%s rows=%d bad=%d skipped=%v err=%v\n", rel, len(res.rows), len(res.bads), res.stats.Skipped, res.err != nil)
	}
	golden := "testdata/corpus.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != string(want) {
		t.Errorf("corpus counts differ from %s (run with -update after checking):\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
}

// TestCorpusDetails pins a few values of specific corpus files.
func TestCorpusDetails(t *testing.T) {
	corpusFiles(t)
	dir := filepath.Join(corpusDir, "aws-cloudtrail-processing-library-testfiles")

	in := readMaybeGzip(t, filepath.Join(dir, "SerializerTestFileBadJsonFormat.json"))
	res := parse(t, bytes.NewReader(in), "")
	first := int64(bytes.IndexByte(in[bytes.IndexByte(in, '['):], '{') + bytes.IndexByte(in, '['))
	if len(res.bads) != 1 || res.bads[0].Offset != first || len(res.rows) != 1 || res.rows[0].EventName != "eventName2" {
		t.Fatalf("BadJsonFormat: rows=%d bads=%+v", len(res.rows), res.bads)
	}

	gz := readMaybeGzip(t, filepath.Join(dir, "SerializerTestFileCompact.json.gz"))
	plain := readMaybeGzip(t, filepath.Join(dir, "SerializerTestFileCompact.json"))
	a, b := parse(t, bytes.NewReader(gz), ""), parse(t, bytes.NewReader(plain), "")
	if len(a.rows) != 6 || len(b.rows) != 6 || a.rows[5].EventName != b.rows[5].EventName {
		t.Fatalf("gzip and plain compact files differ")
	}

	in = readMaybeGzip(t, filepath.Join(dir, "SerializerVariousUserIdentityTestFile.json"))
	res = parse(t, bytes.NewReader(in), "")
	if len(res.rows) != 1 || res.rows[0].UserIdentity == "" {
		t.Fatalf("VariousUserIdentity: %+v", res.rows)
	}

	in = readMaybeGzip(t, filepath.Join(corpusDir, "elastic-aws-test-samples/integrations-cloudtrail/test-user-authentication.log"))
	res = parse(t, bytes.NewReader(in), "")
	if len(res.rows) != 1 || res.rows[0].UserIdentityType != "IdentityCenterUser" || res.rows[0].UserIdentityCredentialID != "redacted" {
		t.Fatalf("IdentityCenterUser: %+v", res.rows)
	}
}
