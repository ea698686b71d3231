package storage

import (
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

// The answers S3 and MinIO give when the SSE-KMS key cannot be used, and
// some that are not about the key.
func TestIsS3KMS(t *testing.T) {
	for _, c := range []struct {
		code, msg string
		want      bool
	}{
		{"KMS.NotFoundException", "Invalid keyId", true},
		{"KMS.DisabledException", "key is disabled", true},
		{"KMS.KMSInvalidStateException", "pending deletion", true},
		{"kms:KeyNotFound", "key with given key ID does not exist", true}, // MinIO
		{"KMSAccessDenied", "", true},
		{"AccessDenied", "User: arn:aws:sts::1:assumed-role/r is not authorized to perform: kms:GenerateDataKey on resource", true},
		{"AccessDenied", "Access Denied", false},
		{"NoSuchBucket", "", false},
		{"PreconditionFailed", "", false},
	} {
		err := fmt.Errorf("put: %w", &smithy.GenericAPIError{Code: c.code, Message: c.msg})
		if got := isS3KMS(err); got != c.want {
			t.Errorf("%s %q: isS3KMS = %v, want %v", c.code, c.msg, got, c.want)
		}
	}
	if isS3KMS(fmt.Errorf("dial tcp: connection refused")) {
		t.Error("a network error is not a KMS error")
	}
}
