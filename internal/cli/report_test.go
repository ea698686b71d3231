package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/seclake/seclake/internal/testutil/minio"
)

// report works on a lake with events but no findings (detection not run
// yet) and on an empty lake; bad periods and frameworks are usage errors.
func TestReportCommand(t *testing.T) {
	lakeDir := t.TempDir()
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	if code, _, errOut := run(t, nil, "convert", "--raw", raw, "--lake", lakeDir); code != 0 {
		t.Fatalf("convert: %s", errOut)
	}
	day := "" // the first event day of the sample
	filepath.WalkDir(filepath.Join(lakeDir, "events"), func(p string, d os.DirEntry, err error) error {
		if i := strings.Index(p, "eventDay="); i >= 0 && day == "" {
			day = p[i+9 : i+17]
		}
		return nil
	})
	if day == "" {
		t.Fatal("no event day in the converted sample")
	}
	period := day[:4] + "-" + day[4:6] + "-" + day[6:]
	code, out, errOut := run(t, nil, "report", "--lake", lakeDir, "--period", period, "--now", "2030-01-01T00:00:00Z", "--json")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	var sum struct {
		Outputs  []struct{ Key string }
		Statuses map[string]map[string]string
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || len(sum.Outputs) != 9 || len(sum.Statuses) != 3 {
		t.Fatalf("summary %q: %v", out, err)
	}
	if got := sum.Statuses["soc2"]["CC7.3"]; got != "insufficient evidence" {
		t.Errorf("CC7.3 without detection runs = %q, want insufficient evidence", got)
	}
	for _, o := range sum.Outputs {
		if _, err := os.Stat(filepath.Join(lakeDir, filepath.FromSlash(o.Key))); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(lakeDir, "runs", "report")); err != nil {
		t.Errorf("no report manifest: %v", err)
	}

	empty := t.TempDir()
	code, out, errOut = run(t, nil, "report", "--lake", empty, "--period", "2026-Q4", "--frameworks", "gdpr", "--out", filepath.Join(empty, "out"))
	if code != 0 || !strings.Contains(out, "report: "+filepath.Join(empty, "out", "reports", "period=2026-Q4", "framework=gdpr", "report.html")) {
		t.Errorf("empty lake: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, bad := range [][]string{{"--period", "2026-13"}, {"--period", "2026-Q1", "--frameworks", "hipaa"}, {}} {
		args := append([]string{"report", "--lake", empty}, bad...)
		if code, _, _ := run(t, nil, args...); code == 0 {
			t.Errorf("%v: exit 0", bad)
		}
	}
}

// report on an S3 lake in a bucket with Object Lock: the lake is mirrored
// for DuckDB, and the reports land in S3 with SSE-KMS and COMPLIANCE
// retention.
func TestReportS3LockedLake(t *testing.T) {
	srv := minio.Start(t)
	bucket := srv.CreateLockedBucket("seclake-cli-locked")
	env := map[string]string{
		"AWS_ACCESS_KEY_ID": srv.AccessKey, "AWS_SECRET_ACCESS_KEY": srv.SecretKey,
		"SECLAKE_S3_ENDPOINT": srv.Endpoint, "SECLAKE_S3_PATH_STYLE": "true", "SECLAKE_KMS_KEY": srv.KMSKeyID,
	}
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	lakeURI := "s3://" + bucket + "/lake"
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	if code, _, errOut := run(t, env, "convert", "--raw", raw, "--lake", lakeURI); code != 0 {
		t.Fatalf("convert: %s", errOut)
	}
	code, out, errOut := run(t, env, "report", "--lake", lakeURI, "--cache", t.TempDir(), "--period", "2026-Q4", "--frameworks", "soc2", "--now", "2026-12-01T00:00:00Z")
	if code != 0 || !strings.Contains(out, "report: "+lakeURI+"/reports/period=2026-Q4/framework=soc2/report.html") {
		t.Fatalf("report: exit %d\n%s\n%s", code, out, errOut)
	}
	head, err := srv.Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("lake/reports/period=2026-Q4/framework=soc2/report.html")})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2028, 1, 5, 0, 0, 0, 0, time.UTC) // 2026-12-01 + 400 days
	if head.ObjectLockMode != "COMPLIANCE" || !aws.ToTime(head.ObjectLockRetainUntilDate).Equal(want) || head.ServerSideEncryption != "aws:kms" {
		t.Errorf("report object: lock %q until %v, SSE %q", head.ObjectLockMode, aws.ToTime(head.ObjectLockRetainUntilDate), head.ServerSideEncryption)
	}
}
