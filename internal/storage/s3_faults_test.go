package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/testutil/faultproxy"
	"github.com/seclake/seclake/internal/testutil/minio"
)

func isUploadPart(r *http.Request) bool {
	return r.Method == http.MethodPut && r.URL.Query().Has("partNumber")
}

func isComplete(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Query().Has("uploadId")
}

// TestS3MultipartUnderFaults: a multipart Put (12 MiB in 5 MiB parts) through
// a fault proxy. Transient part failures are retried and the object is
// exact; when parts or the completion keep failing, Put fails, no object is
// visible and the upload is aborted (no orphan parts are billed or listed).
func TestS3MultipartUnderFaults(t *testing.T) {
	srv := minio.Start(t)
	p := faultproxy.Start(t, srv.Addr())
	ctx := context.Background()
	data := make([]byte, 12<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	cases := []struct {
		name    string
		arm     func()
		wantErr bool
	}{
		{"part 503 SlowDown ×3", func() { p.FailRequests(3, 503, "SlowDown", isUploadPart) }, false},
		{"2 connections reset", func() { p.ResetConnections(2) }, false},
		{"every part 500", func() { p.FailRequests(1<<30, 500, "InternalError", isUploadPart) }, true},
		{"complete 503 every time", func() { p.FailRequests(1<<30, 503, "ServiceUnavailable", isComplete) }, true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := srv.Options()
			o.Endpoint = p.URL
			o.MaxAttempts = 4
			o.Prefix = "mp"
			st, err := storage.NewS3(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			key := "obj" + string(rune('a'+i))
			p.DropAll()
			c.arm()
			err = st.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{})
			p.FailRequests(0, 0, "", nil)
			p.ResetConnections(0)
			t.Logf("%s: err=%v; proxy %+v", c.name, err, p.Stats())
			direct := srv.Options()
			direct.Prefix = "mp"
			ds, _ := storage.NewS3(ctx, direct)
			rc, _, gerr := ds.Get(ctx, key)
			if c.wantErr {
				if err == nil {
					t.Fatal("Put succeeded")
				}
				if !errors.Is(gerr, storage.ErrNotFound) {
					t.Fatalf("failed Put left an object (get: %v)", gerr)
				}
				ups, lerr := srv.Client().ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(srv.Bucket), Prefix: aws.String("mp/")})
				if lerr != nil {
					t.Fatal(lerr)
				}
				if len(ups.Uploads) != 0 {
					t.Fatalf("%d multipart uploads left open", len(ups.Uploads))
				}
				return
			}
			if err != nil || gerr != nil {
				t.Fatalf("put %v, get %v", err, gerr)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, data) {
				t.Fatal("object bytes differ")
			}
		})
	}
}
