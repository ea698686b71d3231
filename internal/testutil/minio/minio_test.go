package minio

import (
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestBinaryFromEnv(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-minio")
	t.Setenv("SECLAKE_MINIO_BIN", missing)
	if p, ok := Binary(); ok || p != missing {
		t.Errorf("Binary() = %q, %v; want %q, false", p, ok, missing)
	}
}

func TestStartSkipsWithoutBinary(t *testing.T) {
	t.Setenv("SECLAKE_MINIO_BIN", filepath.Join(t.TempDir(), "no-minio"))
	t.Setenv("SECLAKE_REQUIRE_MINIO", "")
	var sub *testing.T
	t.Run("start", func(t *testing.T) {
		sub = t
		Start(t)
		t.Error("Start returned without a binary")
	})
	if !sub.Skipped() {
		t.Error("Start without a binary did not skip")
	}
}

func TestStartRestart(t *testing.T) {
	s := Start(t)
	addr := s.Addr()
	s.Restart()
	if s.Addr() != addr || s.Port() == 0 {
		t.Errorf("Restart moved the server from %s to %s", addr, s.Addr())
	}
	if _, err := s.Client().HeadBucket(t.Context(), headBucket(s.Bucket)); err != nil {
		t.Errorf("bucket gone after restart: %v", err)
	}
}

func headBucket(b string) *s3.HeadBucketInput { return &s3.HeadBucketInput{Bucket: aws.String(b)} }
