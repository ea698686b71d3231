package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/seclake/seclake/internal/testutil"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seclake/seclake/internal/testutil/minio"
	"github.com/seclake/seclake/schemas"
)

func repoRoot(t testing.TB) string { return testutil.RepoRoot(t) }

func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &App{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	code := a.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, c := range (&App{}).commands() {
		args := []string{c.name, "--help"}
		switch c.name {
		case "athena":
			args = []string{"athena", "ddl", "--help"}
		case "feedback":
			args = []string{"feedback", "entity", "--help"}
		}
		code, _, errOut := run(t, nil, args...)
		if code != 0 {
			t.Errorf("%s --help: exit %d", c.name, code)
		}
		if c.name != "version" && !strings.Contains(errOut, "Usage: seclake "+c.name) {
			t.Errorf("%s --help printed %q", c.name, errOut)
		}
	}
	if code, _, errOut := run(t, nil); code != 2 || !strings.Contains(errOut, "convert") {
		t.Errorf("no args: %d %q", code, errOut)
	}
	if code, _, _ := run(t, nil, "frobnicate"); code != 2 {
		t.Errorf("unknown command exit %d", code)
	}
}

func TestConvertJSONAndQuery(t *testing.T) {
	lakeDir := t.TempDir()
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	code, out, errOut := run(t, nil, "convert", "--raw", raw, "--lake", lakeDir, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("not one JSON object: %q", out)
	}
	for k, want := range map[string]float64{"records_read": 11, "records_written": 11, "records_quarantined": 0, "files_read": 3, "files_skipped": 1} {
		if sum[k] != want {
			t.Errorf("%s = %v, want %v", k, sum[k], want)
		}
	}
	if sum["bytes_read"].(float64) <= 0 {
		t.Error("bytes_read missing")
	}
	if !strings.Contains(errOut, `"records_read":11`) {
		t.Errorf("no structured JSON log line on a non-terminal: %q", errOut)
	}

	code, out, errOut = run(t, nil, "query", "--lake", lakeDir, "--format", "csv", "SELECT event_name, \"accountId\" FROM cloudtrail ORDER BY event_time")
	if code != 0 || out != "event_name,accountId\nConsoleLogin,111122223333\nListBuckets,111122223333\nListUsers,111122223333\nCreateAccessKey,111122223333\n" {
		t.Fatalf("csv: %d %q %s", code, out, errOut)
	}
	code, out, _ = run(t, nil, "query", "--lake", lakeDir, "--format", "json", "SELECT bytes, srcaddr FROM vpcflow WHERE bytes IS NOT NULL ORDER BY bytes DESC LIMIT 1")
	if code != 0 || !strings.Contains(out, `"bytes": 90210`) || !strings.Contains(out, `"srcaddr": "2001:db8::15"`) {
		t.Fatalf("json: %d %s", code, out)
	}
	code, out, _ = run(t, nil, "query", "--lake", lakeDir, "SELECT count(*) AS n FROM s3access")
	if code != 0 || !strings.Contains(out, "(1 row)") || !strings.Contains(out, "3") {
		t.Fatalf("table: %d %s", code, out)
	}
	if code, _, errOut := run(t, nil, "query", "--lake", lakeDir, "SELEC nonsense"); code != 1 || !strings.Contains(errOut, "syntax") {
		t.Fatalf("bad SQL: %d %s", code, errOut)
	}
}

func TestConvertUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		code int
		want string
	}{
		{[]string{"convert", "--lake", "x"}, nil, 2, "--raw is required"},
		{[]string{"convert", "--raw", "r", "--source", "syslog"}, nil, 2, "convert.source"},
		{[]string{"convert", "--raw", "r", "--lake", "s3://bucket/lake"}, nil, 2, "s3.kms_key"},
		{[]string{"convert", "--raw", "r", "--lake", "s3://bucket/lake"}, map[string]string{"SECLAKE_S3_ENDPOINT": "localhost:9000", "SECLAKE_KMS_KEY": "k"}, 2, "s3.endpoint"},
		{[]string{"convert", "--raw", "r", "--from", "yesterday"}, nil, 2, "--from"},
		{[]string{"convert", "--raw", "r", "--from", "2026-11-21T10:00:00Z", "--to", "2026-11-21T09:00:00Z"}, nil, 1, "must be before"},
		{[]string{"query", "--lake", "x", "--format", "xml", "SELECT 1"}, nil, 2, "--format"},
		{[]string{"athena", "ddl", "--location", "s3://b/p"}, nil, 2, "--accounts"},
	}
	for _, c := range cases {
		code, _, errOut := run(t, c.env, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d (want %d), stderr %q (want %q)", c.args, code, c.code, errOut, c.want)
		}
	}
}

func TestWrongSourceExitsNonZero(t *testing.T) {
	raw := filepath.Join(repoRoot(t), "testdata", "raw", "AWSLogs", "111122223333", "CloudTrail")
	code, _, errOut := run(t, nil, "convert", "--raw", raw, "--lake", t.TempDir(), "--source", "s3access")
	if code != 1 || !strings.Contains(errOut, "look like cloudtrail") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestAthenaDDL(t *testing.T) {
	code, out, _ := run(t, nil, "athena", "ddl", "--location", "s3://acme-lake/seclake/", "--accounts", "111122223333,444455556666", "--regions", "us-east-1")
	if code != 0 || strings.Count(out, "CREATE EXTERNAL TABLE") != len(schemas.Tables()) || !strings.Contains(out, "'projection.accountid.values' = '111122223333,444455556666'") ||
		!strings.Contains(out, "LOCATION 's3://acme-lake/seclake/events/vpcflow/'") || !strings.Contains(out, `CREATE OR REPLACE VIEW "seclake"."entities"`) {
		t.Fatalf("%d\n%s", code, out)
	}
}

// TestS3LakeEndToEnd converts into a MinIO lake through the CLI (flags and
// environment as a user would pass them) and queries it back.
func TestS3LakeEndToEnd(t *testing.T) {
	srv := minio.Start(t)
	env := map[string]string{
		"AWS_ACCESS_KEY_ID": srv.AccessKey, "AWS_SECRET_ACCESS_KEY": srv.SecretKey,
		"SECLAKE_S3_ENDPOINT": srv.Endpoint, "SECLAKE_S3_PATH_STYLE": "true", "SECLAKE_KMS_KEY": srv.KMSKeyID,
	}
	for k, v := range env {
		if strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, v) // the AWS SDK reads credentials from the process environment
		}
	}
	lakeURI := "s3://" + srv.Bucket + "/lake"
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	code, out, errOut := run(t, env, "convert", "--raw", raw, "--lake", lakeURI, "--json")
	if code != 0 {
		t.Fatalf("convert: %d %s", code, errOut)
	}
	if !strings.Contains(out, `"records_written":11`) {
		t.Fatalf("summary %s", out)
	}
	cache := t.TempDir()
	code, out, errOut = run(t, env, "query", "--lake", lakeURI, "--cache", cache, "--format", "csv",
		"SELECT (SELECT count(*) FROM cloudtrail) + (SELECT count(*) FROM vpcflow) + (SELECT count(*) FROM s3access) AS n")
	if code != 0 || out != "n\n11\n" {
		t.Fatalf("query: %d %q %s", code, out, errOut)
	}
}

// TestEntityFeedbackAndPII: an ignored entity disappears from the entity
// columns after a backfill; with entities.pii=hmac, user names and e-mails
// are replaced by the same keyed hash everywhere, so they stay joinable.
func TestEntityFeedbackAndPII(t *testing.T) {
	lakeDir := t.TempDir()
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	if code, _, errOut := run(t, nil, "convert", "--raw", raw, "--lake", lakeDir); code != 0 {
		t.Fatal(errOut)
	}
	count := func(sql string) string {
		code, out, errOut := run(t, nil, "query", "--lake", lakeDir, "--format", "csv", sql)
		if code != 0 {
			t.Fatalf("%s: %s", sql, errOut)
		}
		return strings.TrimSpace(strings.TrimPrefix(out, strings.SplitN(out, "\n", 2)[0]+"\n"))
	}
	if got := count("SELECT count(*) FROM entities WHERE value = '198.51.100.23'"); got == "0" {
		t.Fatal("sample IP not extracted")
	}
	if code, _, errOut := run(t, nil, "feedback", "entity", "--lake", lakeDir, "--kind", "ip_address", "--value", "198.51.100.23", "--verdict", "ignore", "--note", "office NAT"); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := run(t, nil, "feedback", "entity", "--lake", lakeDir, "--kind", "ipaddr", "--value", "x", "--verdict", "ignore"); code != 2 || !strings.Contains(errOut, "--kind") {
		t.Fatalf("bad kind: %d %s", code, errOut)
	}
	if code, _, errOut := run(t, nil, "extract", "--lake", lakeDir); code != 0 {
		t.Fatal(errOut)
	}
	if got := count("SELECT count(*) FROM entities WHERE value = '198.51.100.23'"); got != "0" {
		t.Fatalf("ignored IP still extracted %s times", got)
	}
	if got := count("SELECT count(*) FROM cloudtrail WHERE source_ip_address = '198.51.100.23'"); got != "2" {
		t.Fatalf("feedback must not touch the event columns themselves: %s", got)
	}

	pii := t.TempDir()
	env := map[string]string{"SECLAKE_PII_KEY": "0123456789abcdef0123456789abcdef"}
	cfgPath := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfgPath, []byte("entities:\n  pii: hmac\n"), 0o644)
	if code, _, errOut := run(t, env, "convert", "--raw", raw, "--lake", pii, "--config", cfgPath); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := run(t, nil, "convert", "--raw", raw, "--lake", t.TempDir(), "--config", cfgPath); code != 2 || !strings.Contains(errOut, "SECLAKE_PII_KEY") {
		t.Fatalf("hmac without a key: %d %s", code, errOut)
	}
	lakeDir = pii
	if got := count("SELECT count(*) FROM cloudtrail WHERE user_identity_user_name IN ('alice', 'build-bot') OR user_identity_arn LIKE '%user/alice' OR request_parameters LIKE '%alice%'"); got != "0" {
		t.Fatalf("user names left in clear: %s", got)
	}
	// the hashed user name in the ARN equals the hashed user_identity_user_name
	if got := count("SELECT count(*) FROM cloudtrail WHERE user_identity_type = 'IAMUser' AND user_identity_arn LIKE '%user/' || user_identity_user_name AND user_identity_user_name LIKE 'h:%'"); got != "2" {
		t.Fatalf("hashed names not consistent: %s", got)
	}
}
