// Package integritytest writes CloudTrail log and digest files signed with a
// test key, in the AWS delivery layout, for tests of digest verification.
package integritytest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/integrity"
	"github.com/seclake/seclake/internal/storage"
)

// Trail describes the files written.
type Trail struct {
	Account, Region, Name string
	Digests               []string // digest keys, oldest first
	Logs                  [][]string
	Key                   *rsa.PrivateKey
}

// Write writes, for each of hours consecutive hours from start, two gzipped
// log files and a digest (ending at the next hour) that lists them and
// chains to the previous digest. Signatures go to the digest's
// SignatureSidecar file, or to S3 metadata when metadata is true.
func Write(t testing.TB, s storage.Store, key *rsa.PrivateKey, start time.Time, hours int, metadata bool) *Trail {
	t.Helper()
	ctx := context.Background()
	tr := &Trail{Account: "111122223333", Region: "us-east-1", Name: "org-trail", Key: key}
	var prevKey, prevHash, prevSig string
	for h := 0; h < hours; h++ {
		at := start.Add(time.Duration(h) * time.Hour)
		var files []map[string]any
		var logs []string
		for i := 0; i < 2; i++ {
			delivered := at.Add(time.Duration(5+25*i) * time.Minute)
			k := fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_f%d.json.gz", tr.Account, tr.Region, delivered.Format("2006/01/02"),
				tr.Account, tr.Region, delivered.Format("20060102T1504Z"), i)
			content := []byte(fmt.Sprintf(`{"Records":[{"eventVersion":"1.09","eventTime":"%s","eventName":"ListBuckets","awsRegion":"%s","recipientAccountId":"%s"}]}`,
				delivered.Add(-3*time.Minute).Format(time.RFC3339), tr.Region, tr.Account))
			put(t, s, k, gz(content), nil)
			sum := sha256.Sum256(content)
			files = append(files, map[string]any{"s3Bucket": "trail-bucket", "s3Object": k, "hashValue": hex.EncodeToString(sum[:]), "hashAlgorithm": "SHA-256",
				"newestEventTime": delivered.Format(time.RFC3339), "oldestEventTime": delivered.Format(time.RFC3339)})
			logs = append(logs, k)
		}
		end := at.Add(time.Hour)
		dk := fmt.Sprintf("AWSLogs/%s/CloudTrail-Digest/%s/%s/%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz", tr.Account, tr.Region, end.Format("2006/01/02"),
			tr.Account, tr.Region, tr.Name, tr.Region, end.Format("20060102T150405Z"))
		d := map[string]any{
			"awsAccountId": tr.Account, "digestStartTime": at.Format(time.RFC3339), "digestEndTime": end.Format(time.RFC3339),
			"digestS3Bucket": "trail-bucket", "digestS3Object": dk,
			"digestPublicKeyFingerprint": integrity.Fingerprint(&key.PublicKey), "digestSignatureAlgorithm": "SHA256withRSA",
			"logFiles": files,
		}
		if prevKey != "" {
			d["previousDigestS3Bucket"], d["previousDigestS3Object"] = "trail-bucket", prevKey
			d["previousDigestHashValue"], d["previousDigestHashAlgorithm"], d["previousDigestSignature"] = prevHash, "SHA-256", prevSig
		} else {
			d["previousDigestS3Bucket"], d["previousDigestS3Object"], d["previousDigestHashValue"], d["previousDigestSignature"] = nil, nil, nil, nil
		}
		content, _ := json.Marshal(d)
		sum := sha256.Sum256(content)
		var dd integrity.Digest
		_ = json.Unmarshal(content, &dd)
		sig := Sign(t, key, integrity.SigningString(&dd, hex.EncodeToString(sum[:])))
		if metadata {
			put(t, s, dk, gz(content), map[string]string{"signature": sig, "signature-algorithm": "SHA256withRSA"})
		} else {
			put(t, s, dk, gz(content), nil)
			put(t, s, dk+integrity.SignatureSidecar, []byte(sig+"\n"), nil)
		}
		tr.Digests = append(tr.Digests, dk)
		tr.Logs = append(tr.Logs, logs)
		prevKey, prevHash, prevSig = dk, hex.EncodeToString(sum[:]), sig
	}
	_ = ctx
	return tr
}

// Sign signs a signing string the way CloudTrail does (SHA256withRSA, hex).
func Sign(t testing.TB, key *rsa.PrivateKey, s string) string {
	h := sha256.Sum256([]byte(s))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(sig)
}

// Gzip compresses b.
func Gzip(b []byte) []byte { return gz(b) }

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func put(t testing.TB, s storage.Store, key string, data []byte, meta map[string]string) {
	t.Helper()
	if err := s.Put(context.Background(), key, bytes.NewReader(data), storage.PutOptions{Metadata: meta}); err != nil {
		t.Fatal(err)
	}
}
