package convert

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/testutil/minio"
)

// TestConvertIntoS3Lake reads raw logs from one S3 prefix and writes the lake
// to another on a real MinIO with SSE-KMS, then checks every object is
// encrypted with the configured key and a rerun changes no object.
func TestConvertIntoS3Lake(t *testing.T) {
	srv := minio.Start(t)
	ctx := context.Background()
	opts := srv.Options()

	// upload the sample raw logs under raw/
	local := localStore(t, filepath.Join(repoRoot(t), "testdata", "raw"))
	rawOpts := opts
	rawOpts.Prefix = "raw"
	raw, err := storage.NewS3(ctx, rawOpts)
	if err != nil {
		t.Fatal(err)
	}
	err = local.List(ctx, "", func(o storage.ObjectInfo) error {
		rc, _, err := local.Get(ctx, o.Key)
		if err != nil {
			return err
		}
		defer rc.Close()
		return raw.Put(ctx, o.Key, rc, storage.PutOptions{})
	})
	if err != nil {
		t.Fatal(err)
	}
	lakeOpts := opts
	lakeOpts.Prefix = "lake"
	lk, err := storage.NewS3(ctx, lakeOpts)
	if err != nil {
		t.Fatal(err)
	}
	m := run(t, Config{Raw: raw, Lake: lk, Workers: 2})
	if m.Counts.RecordsWritten != 11 || m.Counts.FilesSkipped != 1 {
		t.Fatalf("counts %+v", m.Counts)
	}

	cli := srv.Client()
	etags := map[string]string{}
	var n int
	p := s3.NewListObjectsV2Paginator(cli, &s3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket), Prefix: aws.String("lake/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			n++
			h, err := cli.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(srv.Bucket), Key: o.Key})
			if err != nil {
				t.Fatal(err)
			}
			if h.ServerSideEncryption != types.ServerSideEncryptionAwsKms || !strings.HasSuffix(aws.ToString(h.SSEKMSKeyId), srv.KMSKeyID) {
				t.Errorf("%s: encryption %q key %q", aws.ToString(o.Key), h.ServerSideEncryption, aws.ToString(h.SSEKMSKeyId))
			}
			etags[aws.ToString(o.Key)] = aws.ToString(o.ETag)
		}
	}
	if n != len(m.Outputs)+1 {
		t.Fatalf("%d objects in the lake, want %d parts + manifest", n, len(m.Outputs))
	}
	// rerun: same keys, same content hashes
	m2 := run(t, Config{Raw: raw, Lake: lk, Workers: 1})
	for i, o := range m2.Outputs {
		if o.Key != m.Outputs[i].Key || o.SHA256 != m.Outputs[i].SHA256 {
			t.Errorf("rerun changed %s", o.Key)
		}
	}
	// a lake store without a KMS key refuses to write, before any data
	noKey := lakeOpts
	noKey.KMSKeyID = ""
	noKey.Prefix = "lake-nokey"
	lk2, err := storage.NewS3(ctx, noKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, Config{Raw: raw, Lake: lk2}); !errors.Is(err, storage.ErrNoKMSKey) {
		t.Fatalf("want ErrNoKMSKey, got %v", err)
	}
	out, err := cli.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket), Prefix: aws.String("lake-nokey/")})
	if err != nil || len(out.Contents) != 0 {
		t.Fatalf("unencrypted run left %d objects (%v)", len(out.Contents), err)
	}
}
