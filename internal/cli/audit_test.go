package cli

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/seclake/seclake/internal/testutil/minio"
)

const plantedWebhookKey = "whk-PLANTED-3f9a1c7e5b2d4086aa"

// hookServer is a local HTTPS webhook receiver that checks each delivery's
// HMAC signature with the planted key. The process trusts its certificate
// through SSL_CERT_FILE, which Go reads when it first loads the system roots
// (no TLS connection is made earlier in this test binary's run).
type hookServer struct {
	*httptest.Server
	mu        sync.Mutex
	delivered int
	badSig    int
	bodies    bytes.Buffer
}

func startHook(t *testing.T) *hookServer {
	t.Helper()
	h := &hookServer{}
	h.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(plantedWebhookKey))
		mac.Write([]byte(r.Header.Get("X-Seclake-Timestamp") + "." + string(body)))
		h.mu.Lock()
		defer h.mu.Unlock()
		h.bodies.Write(body)
		if r.Header.Get("X-Seclake-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			h.badSig++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		h.delivered++
	}))
	t.Cleanup(h.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", ca)
	return h
}

// objInfo is what the audit compares between snapshots of a bucket.
type objInfo struct{ etag, modified string }

func listBucket(t *testing.T, srv *minio.Server, bucket string) map[string]objInfo {
	t.Helper()
	out := map[string]objInfo{}
	p := s3.NewListObjectsV2Paginator(srv.Client(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			out[aws.ToString(o.Key)] = objInfo{aws.ToString(o.ETag), aws.ToTime(o.LastModified).String()}
		}
	}
	return out
}

func getObject(t *testing.T, srv *minio.Server, bucket, key string) []byte {
	t.Helper()
	g, err := srv.Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Body.Close()
	b, err := io.ReadAll(g.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var findingIDRe = regexp.MustCompile(`f-[0-9a-f]{24}`)

// TestPipelineSecurityAudit runs the whole pipeline through the CLI against
// MinIO with planted credentials and keys, at debug log level: generate a
// small organization (2 days, every attack scenario) into a raw bucket,
// then lake init, convert, extract, detect (S3 lake mirrored for DuckDB),
// notify (HTTPS webhook signed with a planted HMAC key), report into a
// second bucket with Object Lock, feedback finding, and the scheduler's
// `run hourly` and `run daily` activations. Then:
//   - every object in the raw, lake and reports buckets is SSE-KMS with the
//     configured key; every report object is under COMPLIANCE retention
//     until the configured date;
//   - each writing command run with a wrong or a missing KMS key exits
//     non-zero with a clear error and leaves both buckets unchanged;
//   - no output (stdout, stderr, of passing and failing runs) and no object
//     contains a planted secret, session token, webhook or PII key, or the
//     full access key id.
func TestPipelineSecurityAudit(t *testing.T) {
	if testing.Short() {
		t.Skip("full pipeline on MinIO")
	}
	hook := startHook(t)
	srv := minio.StartWithCredentials(t, plantedAccessKey, plantedSecret)
	reportsBucket := srv.CreateLockedBucket("seclake-audit-reports")
	env := with(s3Env(srv), "SECLAKE_WEBHOOK_KEY", plantedWebhookKey)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	lake := "s3://" + srv.Bucket + "/lake"
	rawBucket := "seclake-audit-raw"
	if _, err := srv.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(rawBucket)}); err != nil {
		t.Fatal(err)
	}
	rawDir := "s3://" + rawBucket
	cache := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "seclake.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`lake: %s
raw: %s
log:
  level: debug
entities:
  pii: hmac
report:
  retention_days: 400
notify:
  routes:
    - {account_type: "*", min_severity: 40, targets: [siem]}
  targets:
    - {name: siem, type: webhook, url: %q, secret_env: SECLAKE_WEBHOOK_KEY}
`, lake, rawDir, hook.URL)), 0o644); err != nil {
		t.Fatal(err)
	}

	var all bytes.Buffer
	commands := map[string]int{}
	step := func(wantOK bool, env map[string]string, args ...string) string {
		t.Helper()
		code, out := runS3(t, env, args...)
		all.WriteString(out)
		name := args[0]
		if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
			name += " " + args[1]
		}
		commands[name]++
		if (code == 0) != wantOK {
			t.Fatalf("%v: exit %d (want success %v)\n%s", args, code, wantOK, out)
		}
		if !wantOK && !strings.Contains(out, "seclake "+args[0]+":") && !strings.Contains(out, "seclake "+name+":") {
			t.Errorf("%v: no clear error on stderr: %.600s", args, out)
		}
		t.Logf("%s → exit %d (%d bytes of output)", name, code, len(out))
		return out
	}

	// The pipeline.
	step(true, env, "generate", "--out", rawDir, "--start", "2026-11-20", "--days", "2", "--accounts", "2", "--principals", "8", "--rate", "150",
		"--attacks", "all", "--sources", "cloudtrail,s3access")
	step(true, env, "lake", "init", "--lake", lake, "--config", cfg)
	step(true, env, "lake", "init", "--lake", "s3://"+reportsBucket, "--kind", "reports", "--config", cfg)
	step(true, env, "convert", "--config", cfg, "--raw", rawDir, "--lake", lake, "--log-format", "json")
	step(true, env, "extract", "--config", cfg, "--lake", lake)
	out := step(true, env, "detect", "--config", cfg, "--lake", lake, "--cache", cache, "--from", "2026-11-20", "--to", "2026-11-22")
	ids := findingIDRe.FindAllString(out, -1)
	if len(ids) == 0 {
		t.Fatalf("detect on the S3 lake printed no finding:\n%.2000s", out)
	}
	// detect on S3 (mirror, DuckDB, write back) gives the findings of the
	// same run on a local lake, byte for byte.
	s3Findings := bucketObjects(t, srv, "lake/findings/")
	local := t.TempDir()
	step(true, env, "convert", "--config", cfg, "--raw", rawDir, "--lake", local)
	step(true, env, "extract", "--config", cfg, "--lake", local)
	step(true, env, "detect", "--config", cfg, "--lake", local, "--from", "2026-11-20", "--to", "2026-11-22")
	localFindings := map[string]string{}
	for p, b := range snapshotDir(t, filepath.Join(local, "findings")) {
		localFindings[filepath.ToSlash(strings.TrimPrefix(p, filepath.Join(local, "findings")+string(filepath.Separator)))] = b
	}
	if len(s3Findings) == 0 || len(s3Findings) != len(localFindings) {
		t.Errorf("findings objects: %d on S3, %d local", len(s3Findings), len(localFindings))
	}
	for k, b := range s3Findings {
		rel := strings.TrimPrefix(k, "lake/findings/")
		if lb, ok := localFindings[rel]; !ok || lb != string(b) {
			t.Errorf("findings/%s differs between the S3 and the local lake (local present: %v)", rel, ok)
		}
	}
	t.Logf("detect on the S3 lake: %d findings objects, %d finding ids printed, equal to a local lake's", len(s3Findings), len(ids))
	step(true, env, "notify", "--config", cfg, "--lake", lake, "--from", "2026-11-20", "--to", "2026-11-22")
	step(true, env, "report", "--config", cfg, "--lake", lake, "--cache", t.TempDir(), "--period", "2026-11", "--out", "s3://"+reportsBucket+"/r",
		"--now", "2026-12-01T00:00:00Z")
	step(true, env, "feedback", "finding", "--config", cfg, "--lake", lake, "--cache", t.TempDir(), "--id", ids[0], "--verdict", "true-positive", "--note", "audit")
	step(true, env, "run", "hourly", "--config", cfg, "--at", "2026-11-21T11:20:00Z")
	step(true, env, "run", "daily", "--config", cfg, "--at", "2026-11-22T01:20:00Z", "--step", "baseline,report")
	hook.mu.Lock()
	delivered, badSig := hook.delivered, hook.badSig
	hook.mu.Unlock()
	if delivered == 0 || badSig != 0 {
		t.Errorf("webhook: %d deliveries with a good signature, %d bad", delivered, badSig)
	}

	// Runs that fail on their credentials or on delivery, at debug level:
	// their errors are graded for secrets below.
	wrongSecret, token := with(env, "AWS_SECRET_ACCESS_KEY", plantedWrong), with(env, "AWS_SESSION_TOKEN", plantedToken)
	step(false, wrongSecret, "detect", "--config", cfg, "--lake", lake, "--cache", t.TempDir(), "--from", "2026-11-20", "--to", "2026-11-21")
	step(false, token, "notify", "--config", cfg, "--lake", lake, "--from", "2026-11-20", "--to", "2026-11-22")
	step(false, wrongSecret, "report", "--config", cfg, "--lake", lake, "--cache", t.TempDir(), "--period", "2026-11-20", "--out", "s3://"+reportsBucket+"/r3")
	step(false, token, "feedback", "finding", "--config", cfg, "--lake", lake, "--cache", t.TempDir(), "--id", ids[0], "--verdict", "false-positive")
	step(false, wrongSecret, "run", "hourly", "--config", cfg, "--at", "2026-11-21T15:20:00Z")
	deadHook := filepath.Join(t.TempDir(), "dead.yaml")
	dead := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	dead.Close() // nothing listens: every delivery fails
	if err := os.WriteFile(deadHook, []byte(fmt.Sprintf(`lake: %s
log:
  level: debug
notify:
  routes:
    - {account_type: "*", min_severity: 40, targets: [down]}
  targets:
    - {name: down, type: webhook, url: %q, secret_env: SECLAKE_WEBHOOK_KEY}
`, lake, dead.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, dout := runS3(t, env, "notify", "--config", deadHook, "--lake", lake, "--from", "2026-11-20", "--to", "2026-11-22")
	all.WriteString(dout)
	commands["notify"]++
	t.Logf("notify to a dead webhook → exit %d: %.300s", code, strings.TrimSpace(lastLine(dout)))

	// Audit 1: SSE-KMS everywhere, Object Lock on reports.
	ctx := context.Background()
	before := map[string]map[string]objInfo{srv.Bucket: listBucket(t, srv, srv.Bucket), reportsBucket: listBucket(t, srv, reportsBucket), rawBucket: listBucket(t, srv, rawBucket)}
	wantRetain := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 400)
	kinds := map[string]int{}
	audited := 0
	for bucket, objs := range before {
		for key := range objs {
			h, err := srv.Client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				t.Fatal(err)
			}
			audited++
			if h.ServerSideEncryption != types.ServerSideEncryptionAwsKms || !strings.HasSuffix(aws.ToString(h.SSEKMSKeyId), srv.KMSKeyID) {
				t.Errorf("%s/%s: encryption %q key %q, want aws:kms with %s", bucket, key, h.ServerSideEncryption, aws.ToString(h.SSEKMSKeyId), srv.KMSKeyID)
			}
			top := strings.SplitN(strings.TrimPrefix(key, "lake/"), "/", 2)[0]
			if bucket == rawBucket {
				top = "raw-bucket"
			}
			if bucket == reportsBucket {
				top = "reports-bucket"
				if h.ObjectLockMode != types.ObjectLockModeCompliance || !aws.ToTime(h.ObjectLockRetainUntilDate).Equal(wantRetain) {
					t.Errorf("%s/%s: object lock %q until %v, want COMPLIANCE until %v", bucket, key, h.ObjectLockMode, aws.ToTime(h.ObjectLockRetainUntilDate), wantRetain)
				}
				// Not even the credentials that wrote it can delete this version.
				if _, err := srv.Client().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: h.VersionId}); err == nil {
					t.Errorf("%s/%s: version %s deleted under COMPLIANCE retention", bucket, key, aws.ToString(h.VersionId))
				}
			}
			kinds[top]++
		}
	}
	t.Logf("audited %d objects, all SSE-KMS with %s: %v", audited, srv.KMSKeyID, kinds)
	for _, k := range []string{"events", "baselines", "findings", "runs", "feedback", "exports", "reports-bucket", "raw-bucket"} {
		if kinds[k] == 0 {
			t.Errorf("no %s object in the audit: %v", k, kinds)
		}
	}

	// Audit 2: a wrong or missing KMS key fails every writing command before
	// it writes anything.
	for _, kc := range []struct{ name, key string }{
		{"wrong key", "arn:aws:kms:us-east-1:111122223333:key/00000000-not-the-key"},
		{"no key", ""},
	} {
		bad := with(env, "SECLAKE_KMS_KEY", kc.key)
		hook.mu.Lock()
		deliveredBefore := hook.delivered
		hook.mu.Unlock()
		for _, args := range [][]string{
			{"convert", "--config", cfg, "--raw", rawDir, "--lake", lake, "--from", "2026-11-21T12:00:00Z", "--to", "2026-11-21T13:00:00Z"},
			{"extract", "--config", cfg, "--lake", lake},
			{"detect", "--config", cfg, "--lake", lake, "--cache", t.TempDir(), "--from", "2026-11-21", "--to", "2026-11-22"},
			{"notify", "--config", cfg, "--lake", lake, "--from", "2026-11-20", "--to", "2026-11-22"},
			{"report", "--config", cfg, "--lake", lake, "--cache", t.TempDir(), "--period", "2026-11-21", "--out", "s3://" + reportsBucket + "/r2"},
			{"report", "--config", cfg, "--lake", lake, "--cache", t.TempDir(), "--period", "2026-11-21"},
			{"feedback", "finding", "--config", cfg, "--lake", lake, "--cache", t.TempDir(), "--id", ids[0], "--verdict", "false-positive"},
			{"feedback", "entity", "--config", cfg, "--lake", lake, "--kind", "ip_address", "--value", "198.51.100.23", "--verdict", "ignore"},
			{"lake", "init", "--config", cfg, "--lake", lake},
			{"run", "hourly", "--config", cfg, "--at", "2026-11-21T14:20:00Z"},
		} {
			out := step(false, bad, args...)
			if want := map[bool]string{true: "s3.kms_key", false: "cannot encrypt this write"}[kc.key == ""]; !strings.Contains(out, want) {
				t.Errorf("%s, %v: error does not say %q: %.600s", kc.name, args, want, out)
			}
			t.Logf("%s, %s: %.200s", kc.name, args[0], strings.TrimSpace(lastLine(out)))
			for bucket, was := range before {
				now := listBucket(t, srv, bucket)
				if d := diffObjects(was, now); d != "" {
					t.Errorf("%s, %v: bucket %s changed: %s", kc.name, args, bucket, d)
					before[bucket] = now
				}
			}
		}
		hook.mu.Lock()
		if n := hook.delivered - deliveredBefore; n != 0 {
			t.Logf("%s: %d webhook deliveries by runs that failed", kc.name, n)
		}
		hook.mu.Unlock()
	}

	// Audit 3: no secret in any output or object.
	secrets := map[string]string{
		"secret key": plantedSecret, "access key id": plantedAccessKey, "PII HMAC key": plantedPIIKey, "webhook HMAC key": plantedWebhookKey,
		"wrong secret key": plantedWrong, "session token": plantedToken,
	}
	for name, s := range secrets {
		if bytes.Contains(all.Bytes(), []byte(s)) {
			t.Errorf("command output contains the %s", name)
		}
		hook.mu.Lock()
		if bytes.Contains(hook.bodies.Bytes(), []byte(s)) {
			t.Errorf("a webhook payload contains the %s", name)
		}
		hook.mu.Unlock()
	}
	scanned := 0
	for bucket, objs := range before {
		for key := range objs {
			b := getObject(t, srv, bucket, key)
			scanned++
			for name, s := range secrets {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("%s/%s contains the %s", bucket, key, name)
				}
			}
		}
	}
	names := make([]string, 0, len(commands))
	for c, n := range commands {
		names = append(names, fmt.Sprintf("%s×%d", c, n))
	}
	sort.Strings(names)
	t.Logf("%d commands exercised (%s), %d bytes of output and %d objects grepped for %d planted secrets",
		len(commands), strings.Join(names, ", "), all.Len(), scanned, len(secrets))
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func diffObjects(was, now map[string]objInfo) string {
	var d []string
	for k, v := range now {
		if w, ok := was[k]; !ok {
			d = append(d, "new "+k)
		} else if w != v {
			d = append(d, "rewritten "+k)
		}
	}
	for k := range was {
		if _, ok := now[k]; !ok {
			d = append(d, "deleted "+k)
		}
	}
	sort.Strings(d)
	if len(d) > 10 {
		d = append(d[:10], fmt.Sprintf("… %d more", len(d)-10))
	}
	return strings.Join(d, ", ")
}
