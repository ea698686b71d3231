package cli

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAdversarialValues converts events built to break parsers, writers and
// readers, then reads them back with DuckDB: nothing crashes, every record is
// written or quarantined, and hostile strings reach SQL only as values.
func TestAdversarialValues(t *testing.T) {
	ev := func(extra string) string {
		return `{"eventVersion":"1.09","eventTime":"2026-11-21T10:00:00Z","eventName":"GetObject","eventSource":"s3.amazonaws.com","awsRegion":"us-east-1","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/x"}` + extra + `}`
	}
	deep := strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000)
	records := []string{
		ev(`,"eventID":"big-ua","userAgent":"` + strings.Repeat("A", 1<<20) + `"`),
		ev(`,"eventID":"deep","requestParameters":` + deep),
		ev(`,"eventID":"nul","userAgent":"a\u0000b","errorMessage":"x\u0000y"`),
		ev(`,"eventID":"ipv6zone","sourceIPAddress":"fe80::1%eth0"`),
		ev(`,"eventID":"sql","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/x'); DROP TABLE cloudtrail; --","userName":"x' OR '1'='1"},"requestParameters":{"bucketName":"b\" OR 1=1 --"}`),
		strings.Replace(ev(`,"eventID":"past"`), "2026-11-21T10:00:00Z", "0001-01-01T00:00:01Z", 1),
		strings.Replace(ev(`,"eventID":"future"`), "2026-11-21T10:00:00Z", "9999-12-31T23:59:59Z", 1),
		strings.Replace(ev(`,"eventID":"late"`), "2026-11-21T10:00:00Z", "2026-11-20T03:00:00Z", 1),
		ev(`,"eventID":"region","awsRegion":"../../../etc"`),
	}
	var doc bytes.Buffer
	doc.WriteString(`{"Records":[`)
	doc.WriteString(strings.Join(records, ","))
	doc.WriteString("]}")
	raw := t.TempDir()
	key := filepath.Join(raw, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/21/111122223333_CloudTrail_us-east-1_20261121T1005Z_adv.json.gz")
	os.MkdirAll(filepath.Dir(key), 0o755)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(doc.Bytes())
	w.Close()
	os.WriteFile(key, gz.Bytes(), 0o644)
	// invalid UTF-8 and a NUL byte in an NDJSON line
	os.WriteFile(filepath.Join(raw, "ndjson.json"), []byte(ev(`,"eventID":"badutf8","userAgent":"`+"\xff\xfe\xc3"+`"`)+"\n\x00\x00garbage\n"), 0o644)

	lakeDir := t.TempDir()
	code, out, errOut := run(t, nil, "convert", "--raw", raw, "--lake", lakeDir, "--json")
	if code != 0 {
		t.Fatalf("convert: %d %s", code, errOut)
	}
	if !strings.Contains(out, `"records_read":11`) || !strings.Contains(out, `"records_written":10`) {
		t.Fatalf("summary %s", out)
	}
	q := func(sql string) string {
		t.Helper()
		code, out, errOut := run(t, nil, "query", "--lake", lakeDir, "--format", "csv", sql)
		if code != 0 {
			t.Fatalf("%s: %s", sql, errOut)
		}
		return strings.TrimSpace(out[strings.IndexByte(out, '\n')+1:])
	}
	for sql, want := range map[string]string{
		"SELECT length(user_agent) FROM cloudtrail WHERE event_id = 'big-ua'":                        fmt.Sprint(1 << 20),
		"SELECT user_agent = 'a' || chr(0) || 'b' FROM cloudtrail WHERE event_id = 'nul'":            "true",
		"SELECT count(*) FROM cloudtrail WHERE event_id = 'deep' AND length(request_parameters) > 0": "1",
		"SELECT \"eventDay\" FROM cloudtrail WHERE event_id = 'past'":                                "00010101",
		"SELECT \"eventDay\" FROM cloudtrail WHERE event_id = 'future'":                              "99991231",
		"SELECT \"eventDay\" || '/' || \"eventHour\" FROM cloudtrail WHERE event_id = 'late'":        "20261120/3",
		"SELECT region FROM cloudtrail WHERE event_id = 'region'":                                    "unknown",
		"SELECT user_agent FROM cloudtrail WHERE event_id = 'badutf8'":                               "\uFFFD\uFFFD\uFFFD",
		"SELECT count(*) FROM cloudtrail WHERE user_identity_user_name = 'x'' OR ''1''=''1'":         "1",
		"SELECT count(*) FROM cloudtrail":                                                            "10",
		"SELECT count(*) FROM quarantine WHERE source_line = 2 AND raw = '\\x00\\x00garbage'::BLOB":  "1",
	} {
		if got := q(sql); got != want {
			t.Errorf("%s\n got %q\nwant %q", sql, got, want)
		}
	}
	if got := q("SELECT count(*) FROM entities WHERE event_id = 'ipv6zone' AND kind = 'ip_address' AND value = 'fe80::1'"); got != "1" {
		t.Errorf("IPv6 zone not stripped in entities: %s", got)
	}
}
