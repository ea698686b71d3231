package integrity_test

import (
	"context"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/integrity"
	"github.com/seclake/seclake/internal/integrity/integritytest"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/testutil/minio"
)

// On S3 the digest signature is object metadata (x-amz-meta-signature), as
// CloudTrail delivers it; the trail sits under a prefix of the bucket.
func TestVerifyS3Metadata(t *testing.T) {
	k, _ := keys(t)
	srv := minio.Start(t)
	opts := srv.Options()
	opts.Prefix = "trail"
	s, err := storage.NewS3(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	integritytest.Write(t, s, k, start, 3, true)
	v := integrity.Verifier{Store: s, Keys: integrity.Keys{integrity.Fingerprint(&k.PublicKey): &k.PublicKey}}
	res, err := v.Verify(context.Background(), start, start.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(res); got != "10:verified 11:verified 12:verified" || len(res.Problems) != 0 {
		t.Errorf("hours %s, problems %+v", got, res.Problems)
	}
}
