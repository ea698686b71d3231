package storage_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/testutil/minio"
)

// Object Lock: a store on a bucket with Object Lock reports it, and a Put
// with a Retention leaves the object version under COMPLIANCE retention
// (and SSE-KMS, as every put). User metadata round-trips through Stat/Get.
func TestS3ObjectLock(t *testing.T) {
	srv := minio.Start(t)
	ctx := context.Background()
	locked := srv.CreateLockedBucket("seclake-locked")

	plainOpts := srv.Options()
	plain, err := storage.NewS3(ctx, plainOpts)
	if err != nil {
		t.Fatal(err)
	}
	lockOpts := srv.Options()
	lockOpts.Bucket, lockOpts.Prefix = locked, "lake"
	lk, err := storage.NewS3(ctx, lockOpts)
	if err != nil {
		t.Fatal(err)
	}
	if on, err := plain.ObjectLockEnabled(ctx); err != nil || on {
		t.Errorf("plain bucket: ObjectLockEnabled = %v, %v; want false, nil", on, err)
	}
	if on, err := lk.ObjectLockEnabled(ctx); err != nil || !on {
		t.Fatalf("locked bucket: ObjectLockEnabled = %v, %v; want true, nil", on, err)
	}

	until := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second)
	err = lk.Put(ctx, "reports/r.json", bytes.NewReader([]byte(`{"ok":true}`)), storage.PutOptions{
		ContentType: "application/json",
		Metadata:    map[string]string{"signature": "abc123"},
		Retention:   &storage.Retention{Mode: storage.RetentionCompliance, Until: until},
	})
	if err != nil {
		t.Fatal(err)
	}
	ret, err := srv.Client().GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(locked), Key: aws.String("lake/reports/r.json")})
	if err != nil {
		t.Fatal(err)
	}
	if ret.Retention == nil || ret.Retention.Mode != "COMPLIANCE" || !aws.ToTime(ret.Retention.RetainUntilDate).Equal(until) {
		t.Errorf("retention = %+v, want COMPLIANCE until %v", ret.Retention, until)
	}
	head, err := srv.Client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(locked), Key: aws.String("lake/reports/r.json")})
	if err != nil {
		t.Fatal(err)
	}
	if head.ObjectLockMode != "COMPLIANCE" || head.ServerSideEncryption != "aws:kms" {
		t.Errorf("HeadObject: lock mode %q, SSE %q; want COMPLIANCE, aws:kms", head.ObjectLockMode, head.ServerSideEncryption)
	}
	info, err := lk.Stat(ctx, "reports/r.json")
	if err != nil || info.Metadata["signature"] != "abc123" {
		t.Errorf("Stat metadata = %v, %v; want signature=abc123", info.Metadata, err)
	}
	// The locked version cannot be deleted.
	_, err = srv.Client().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(locked), Key: aws.String("lake/reports/r.json"), VersionId: head.VersionId})
	if err == nil {
		t.Error("deleting a version under COMPLIANCE retention succeeded")
	}
}
