package report

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/seclake/seclake/internal/compliance"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/storage/storagetest"
	"github.com/seclake/seclake/internal/testutil/minio"
	"github.com/seclake/seclake/schemas"
)

// An S3 lake on a bucket with Object Lock: the report mirrors the lake for
// DuckDB, writes its gap findings back to S3 (and sees them), and every
// report object is under COMPLIANCE retention.
func TestReportS3ObjectLock(t *testing.T) {
	srv := minio.Start(t)
	ctx := context.Background()
	opts := srv.Options()
	opts.Bucket, opts.Prefix = srv.CreateLockedBucket("seclake-lake-locked"), "lake"
	store, err := storage.NewS3(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	buildLake(t, store)
	mirror := t.TempDir()
	var prefixes []string
	for _, tb := range schemas.Tables() {
		prefixes = append(prefixes, tb.Prefix)
	}
	refresh := func(ctx context.Context) error { _, err := lake.Mirror(ctx, store, mirror, prefixes); return err }
	if err := refresh(ctx); err != nil {
		t.Fatal(err)
	}
	ret, err := RetentionFor(ctx, store, 400, fixedNow)
	if err != nil || ret == nil {
		t.Fatalf("RetentionFor = %v, %v", ret, err)
	}
	p, _ := compliance.ParsePeriod("2026-11-21")
	res, err := Run(ctx, Config{Lake: store, Root: mirror, Refresh: refresh, Period: p, Frameworks: []string{"soc2"},
		Retention: ret, Now: func() time.Time { return fixedNow }, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.GapFindings != 2 || res.Statuses["soc2"]["CC7.2"] != compliance.StatusNotMet {
		t.Errorf("gaps %d, CC7.2 %q", res.GapFindings, res.Statuses["soc2"]["CC7.2"])
	}
	if keys := storagetest.Keys(t, store, "findings/eventDay=20261121/"); len(keys) != 2 {
		t.Errorf("findings parts in S3 = %v, want the detect part and one log_gap part (both gaps end on the 21st)", keys)
	}
	wantUntil := time.Date(2027, 12, 30, 0, 0, 0, 0, time.UTC) // 2026-11-25 + 400 days
	if len(res.Outputs) != 3 {
		t.Fatalf("outputs = %v", res.Outputs)
	}
	for _, o := range res.Outputs {
		r, err := srv.Client().GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(opts.Bucket), Key: aws.String("lake/" + o.Key)})
		if err != nil {
			t.Fatalf("%s: %v", o.Key, err)
		}
		if r.Retention.Mode != "COMPLIANCE" || !aws.ToTime(r.Retention.RetainUntilDate).Equal(wantUntil) {
			t.Errorf("%s: retention %s until %v, want COMPLIANCE until %v", o.Key, r.Retention.Mode, aws.ToTime(r.Retention.RetainUntilDate), wantUntil)
		}
	}
	// A plain bucket gets no retention.
	plain, _ := storage.NewS3(ctx, srv.Options())
	if r, err := RetentionFor(ctx, plain, 400, fixedNow); err != nil || r != nil {
		t.Errorf("plain bucket: RetentionFor = %v, %v; want nil, nil", r, err)
	}
}
