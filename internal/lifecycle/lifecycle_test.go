package lifecycle_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/seclake/seclake/internal/lifecycle"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/testutil/minio"
)

func TestRules(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range lifecycle.Rules() {
		if seen[r.ID] {
			t.Errorf("duplicate rule %s", r.ID)
		}
		seen[r.ID] = true
		if r.ExpireDays <= 0 || (r.IADays > 0 && r.IADays < 30) || (r.GlacierDays > 0 && r.GlacierDays <= r.IADays) || (r.IADays > 0 && r.ExpireDays <= r.IADays) {
			t.Errorf("rule %+v: S3 needs IA ≥ 30 d, Glacier after IA, expiry after transitions", r)
		}
	}
	raw := lifecycle.For(lifecycle.Raw)
	if len(raw) != 1 || raw[0].IADays != 30 || raw[0].GlacierDays != 90 || raw[0].ExpireDays != 400 {
		t.Errorf("raw rule %+v: the issue asks IA 30 d, Glacier 90 d, expire 400 d", raw)
	}
}

// lake init against a real S3 API (MinIO): encryption default, lifecycle
// rules that the retention check then accepts, drift detected, object lock.
func TestInitAgainstMinIO(t *testing.T) {
	srv := minio.Start(t)
	ctx := context.Background()
	opts := srv.Options()
	opts.Prefix = "lake"
	st, err := storage.NewS3(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	var logs []string
	logf := func(f string, a ...any) { logs = append(logs, f) }
	if err := lifecycle.Init(ctx, st, lifecycle.InitOptions{Rules: lifecycle.For(lifecycle.Lake), Logf: logf}); err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(srv.Bucket)})
	if err != nil {
		t.Fatal(err)
	}
	def := enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault
	if def.SSEAlgorithm != types.ServerSideEncryptionAwsKms || !strings.HasSuffix(aws.ToString(def.KMSMasterKeyID), srv.KMSKeyID) {
		t.Errorf("default encryption %+v", def)
	}
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(srv.Bucket)})
	if err != nil {
		t.Fatal(err)
	}
	if len(lc.Rules) != len(lifecycle.For(lifecycle.Lake)) {
		t.Fatalf("%d lifecycle rules", len(lc.Rules))
	}
	for _, r := range lc.Rules {
		if !strings.HasPrefix(aws.ToString(r.Filter.Prefix), "lake/") {
			t.Errorf("rule %s prefix %q not under the lake prefix", aws.ToString(r.ID), aws.ToString(r.Filter.Prefix))
		}
	}
	// MinIO has no storage classes: Init kept the expirations only.
	if err := lifecycle.Check(ctx, st, lifecycle.WithoutTransitions(lifecycle.For(lifecycle.Lake))); err != nil {
		t.Fatalf("check after init: %v", err)
	}
	if err := lifecycle.Check(ctx, st, lifecycle.For(lifecycle.Lake)); err == nil || !strings.Contains(err.Error(), "STANDARD_IA") {
		t.Fatalf("check with transitions on a server without them: %v", err)
	}
	// Idempotent.
	if err := lifecycle.Init(ctx, st, lifecycle.InitOptions{Rules: lifecycle.For(lifecycle.Lake)}); err != nil {
		t.Fatal(err)
	}
	// Drift: someone shortened the findings expiry.
	drift := lifecycle.WithoutTransitions(lifecycle.For(lifecycle.Lake))
	drift[1].ExpireDays = 10
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(srv.Bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: lifecycle.S3Rules(drift, "lake/")}}); err != nil {
		t.Fatal(err)
	}
	if err := lifecycle.Check(ctx, st, lifecycle.WithoutTransitions(lifecycle.For(lifecycle.Lake))); err == nil || !strings.Contains(err.Error(), "seclake-findings") {
		t.Fatalf("check after drift: %v", err)
	}

	// Reports bucket. MinIO (unlike S3 since 2023) cannot turn object lock
	// on for an existing bucket: Init says how to fix that.
	err = lifecycle.Init(ctx, st, lifecycle.InitOptions{ObjectLockDays: 30})
	if err == nil || !strings.Contains(err.Error(), "--object-lock-enabled-for-bucket") {
		t.Fatalf("object lock on a bucket created without it: %v", err)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("seclake-reports"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	ropts := srv.Options()
	ropts.Bucket = "seclake-reports"
	rst, err := storage.NewS3(ctx, ropts)
	if err != nil {
		t.Fatal(err)
	}
	err = lifecycle.Init(ctx, rst, lifecycle.InitOptions{Rules: lifecycle.For(lifecycle.Reports), ObjectLockDays: lifecycle.ReportsRetentionDays, Logf: logf})
	if err != nil {
		t.Fatal(err)
	}
	ol, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("seclake-reports")})
	if err != nil {
		t.Fatal(err)
	}
	if ol.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled ||
		aws.ToInt32(ol.ObjectLockConfiguration.Rule.DefaultRetention.Days) != lifecycle.ReportsRetentionDays {
		t.Errorf("object lock %+v", ol.ObjectLockConfiguration)
	}
	t.Logf("init log: %q", logs)
}
