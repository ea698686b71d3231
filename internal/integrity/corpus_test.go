package integrity_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seclake/seclake/internal/integrity"
	"github.com/seclake/seclake/internal/testutil"
)

// A real CloudTrail digest file (public sample) decodes into Digest and its
// signing string has CloudTrail's four lines.
func TestRealDigestSample(t *testing.T) {
	root, err := testutil.FindRepoRoot()
	if err != nil {
		t.Skip(err)
	}
	path := filepath.Join(root, "..", "shared", "corpus", "elastic-aws-test-samples", "integrations-cloudtrail", "test-cloudtrail-digest-json.log")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("corpus sample absent: %v", err)
	}
	var d integrity.Digest
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.LogFiles) != 3 || d.SignatureAlgorithm != "SHA256withRSA" || d.PreviousDigestSignature == nil || d.PublicKeyFingerprint == "" {
		t.Fatalf("decoded %+v", d)
	}
	end, ok := integrity.DigestTime(d.DigestS3Object)
	if !ok || end.Format("2006-01-02T15:04:05Z") != d.DigestEndTime {
		t.Errorf("DigestTime(%s) = %v, %v; want %s", d.DigestS3Object, end, ok, d.DigestEndTime)
	}
	lines := strings.Split(integrity.SigningString(&d, strings.Repeat("ab", 32)), "\n")
	if len(lines) != 4 || lines[0] != d.DigestEndTime || lines[1] != d.DigestS3Bucket+"/"+d.DigestS3Object || lines[3] != *d.PreviousDigestSignature {
		t.Errorf("signing string lines %q", lines)
	}
}
