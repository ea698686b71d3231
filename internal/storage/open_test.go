package storage_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seclake/seclake/internal/storage"
)

func TestParseURI(t *testing.T) {
	for _, c := range []struct {
		uri  string
		want storage.Location
	}{
		{"s3://my-bucket", storage.Location{S3: true, Bucket: "my-bucket"}},
		{"s3://my-bucket/", storage.Location{S3: true, Bucket: "my-bucket"}},
		{"s3://my-bucket/lake/prod/", storage.Location{S3: true, Bucket: "my-bucket", Prefix: "lake/prod"}},
		{"S3://b.c-d/x", storage.Location{S3: true, Bucket: "b.c-d", Prefix: "x"}},
		{"./lake", storage.Location{Path: "./lake"}},
		{"/var/lib/seclake", storage.Location{Path: "/var/lib/seclake"}},
		{"file:///var/lib/seclake", storage.Location{Path: "/var/lib/seclake"}},
	} {
		got, err := storage.ParseURI(c.uri)
		if err != nil || got != c.want {
			t.Errorf("ParseURI(%q) = %+v, %v; want %+v", c.uri, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "  ", "s3://", "s3:///prefix", "s3://Upper/x", "s3://ab", "s3://b_c/x",
		"s3://bucket/a/../b", "s3://bucket/a//b", "s3://bucket/x?versionId=1", "gs://bucket/x", "file://host/x"} {
		_, err := storage.ParseURI(bad)
		if err == nil {
			t.Errorf("ParseURI(%q) succeeded, want an error", bad)
			continue
		}
		if bad != "" && !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseURI(%q) error %q does not name the URI", bad, err)
		}
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "new", "lake")
	s, err := storage.Open(ctx, dir, storage.S3Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*storage.Local); !ok {
		t.Fatalf("Open(%q) = %T, want *storage.Local", dir, s)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("Open did not create %s: %v", dir, err)
	}

	// No request is made, so this works offline.
	s, err = storage.Open(ctx, "s3://seclake-bucket/lake/", storage.S3Options{Region: "eu-west-1", KMSKeyID: "alias/x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*storage.S3); !ok || s.URI() != "s3://seclake-bucket/lake" {
		t.Fatalf("Open(s3) = %T %q, want *storage.S3 s3://seclake-bucket/lake", s, s.URI())
	}

	// Without a KMS key the store refuses to write before any request.
	s, err = storage.Open(ctx, "s3://seclake-bucket/lake", storage.S3Options{Region: "eu-west-1", Endpoint: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "k", strings.NewReader("x"), storage.PutOptions{}); !errors.Is(err, storage.ErrNoKMSKey) {
		t.Fatalf("Put without KMS key: err = %v, want ErrNoKMSKey", err)
	}
}
