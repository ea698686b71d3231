package storage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/storage/storagetest"
	"github.com/seclake/seclake/internal/testutil/minio"
)

// One MinIO server for the whole test; each store gets its own prefix.
func TestS3(t *testing.T) {
	srv := minio.Start(t)
	ctx := context.Background()
	var n atomic.Int64
	newStore := func(t *testing.T, mod func(*storage.S3Options)) *storage.S3 {
		t.Helper()
		opts := srv.Options()
		opts.Prefix = fmt.Sprintf("t%03d/", n.Add(1))
		if mod != nil {
			mod(&opts)
		}
		s, err := storage.NewS3(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	t.Run("Conformance", func(t *testing.T) {
		storagetest.Run(t, func(t *testing.T) storage.Store { return newStore(t, nil) })
	})

	t.Run("EveryObjectEncrypted", func(t *testing.T) {
		s := newStore(t, nil)
		storagetest.MustPut(t, s, "small.json", []byte(`{}`))
		storagetest.MustPut(t, s, "multipart.bin", storagetest.Data(9, 11<<20)) // 3 parts of 5 MiB
		client := srv.Client()

		head, err := client.HeadObject(ctx, &s3.HeadObjectInput{
			Bucket: aws.String(srv.Bucket), Key: aws.String(strings.TrimPrefix(s.URI(), "s3://"+srv.Bucket+"/") + "/multipart.bin"),
			PartNumber: aws.Int32(1),
		})
		if err != nil {
			t.Fatal(err)
		}
		if parts := aws.ToInt32(head.PartsCount); parts != 3 {
			t.Errorf("multipart.bin has %d parts, want 3 (was it a multipart upload?)", parts)
		}

		// Everything in the bucket, including what the conformance suite wrote.
		var checked int
		p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, obj := range page.Contents {
				h, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(srv.Bucket), Key: obj.Key})
				if err != nil {
					t.Fatalf("HeadObject(%s): %v", aws.ToString(obj.Key), err)
				}
				if h.ServerSideEncryption != types.ServerSideEncryptionAwsKms {
					t.Errorf("%s: ServerSideEncryption = %q, want aws:kms", aws.ToString(obj.Key), h.ServerSideEncryption)
				}
				if id := aws.ToString(h.SSEKMSKeyId); !strings.HasSuffix(id, srv.KMSKeyID) {
					t.Errorf("%s: SSEKMSKeyId = %q, want the key %q", aws.ToString(obj.Key), id, srv.KMSKeyID)
				}
				checked++
			}
		}
		if checked < 10 {
			t.Errorf("checked only %d objects", checked)
		}
		t.Logf("%d objects in the bucket, all SSE-KMS with %s", checked, srv.KMSKeyID)
	})

	t.Run("NoKMSKeyRefusesPut", func(t *testing.T) {
		writer := newStore(t, nil)
		storagetest.MustPut(t, writer, "readable", []byte("written with a key"))

		var requests atomic.Int64
		hc := &http.Client{Transport: countingTransport{&requests, http.DefaultTransport}}
		s := newStore(t, func(o *storage.S3Options) {
			o.Prefix = strings.TrimPrefix(writer.URI(), "s3://"+srv.Bucket+"/")
			o.KMSKeyID = ""
			o.HTTPClient = hc
		})
		for _, data := range [][]byte{[]byte("x"), storagetest.Data(5, 6<<20)} {
			err := s.Put(ctx, "plain", bytes.NewReader(data), storage.PutOptions{})
			if !errors.Is(err, storage.ErrNoKMSKey) {
				t.Errorf("Put without KMS key: err = %v, want ErrNoKMSKey", err)
			}
		}
		if got := requests.Load(); got != 0 {
			t.Errorf("Put without KMS key sent %d requests, want 0", got)
		}
		if _, err := writer.Stat(ctx, "plain"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Stat after refused Put: err = %v, want ErrNotFound", err)
		}
		// Reads need no key.
		if got, _ := storagetest.MustGet(t, s, "readable"); string(got) != "written with a key" {
			t.Errorf("Get through keyless store = %q", got)
		}
		if keys := storagetest.Keys(t, s, ""); len(keys) != 1 || keys[0] != "readable" {
			t.Errorf("List through keyless store = %q, want [readable]", keys)
		}
	})

	t.Run("WrongKMSKeyFails", func(t *testing.T) {
		s := newStore(t, func(o *storage.S3Options) { o.KMSKeyID = "no-such-key" })
		for name, data := range map[string][]byte{"small": []byte("x"), "multipart": storagetest.Data(6, 11<<20)} {
			err := s.Put(ctx, name, bytes.NewReader(data), storage.PutOptions{})
			if err == nil {
				t.Errorf("Put %s with unknown KMS key succeeded", name)
			}
			if !errors.Is(err, storage.ErrKMSKey) {
				t.Errorf("Put %s with unknown KMS key: err = %v, want ErrKMSKey", name, err)
			}
			t.Logf("Put %s with unknown key: %v", name, err)
			if _, err := s.Stat(ctx, name); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("Stat %s after failed Put: err = %v, want ErrNotFound", name, err)
			}
		}
		if keys := storagetest.Keys(t, s, ""); len(keys) != 0 {
			t.Errorf("wrong-key Puts left %q", keys)
		}
	})

	t.Run("NoPendingMultipartUploads", func(t *testing.T) {
		out, err := srv.Client().ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(srv.Bucket)})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range out.Uploads {
			t.Errorf("multipart upload left behind: %s (id %s)", aws.ToString(u.Key), aws.ToString(u.UploadId))
		}
	})

	t.Run("Restart", func(t *testing.T) {
		s := newStore(t, nil)
		storagetest.MustPut(t, s, "survives", []byte("restart"))
		srv.Kill()
		if _, err := s.Stat(ctx, "survives"); err == nil || errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Stat with server down: err = %v, want a non-NotFound error", err)
		}
		srv.Restart()
		if got, _ := storagetest.MustGet(t, s, "survives"); string(got) != "restart" {
			t.Errorf("after restart got %q", got)
		}
	})
}

type countingTransport struct {
	n    *atomic.Int64
	next http.RoundTripper
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}
