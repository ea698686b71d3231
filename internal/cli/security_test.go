package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/seclake/seclake/internal/testutil/minio"
)

// Planted secrets: none of them may ever appear in output or in the lake.
const (
	plantedAccessKey = "AKIAPLANTEDQ7X2K9ZT4"
	plantedSecret    = "pLaNtEd/SeCrEt+7hJ2kQ9wZ4xV1bN6mC3rT8yU5"
	plantedWrong     = "wRoNg/SeCrEt+0aB1cD2eF3gH4iJ5kL6mN7oP8qR"
	plantedToken     = "FwoGZXIvYXdzEPLANTED//////////wEaDPlantedSessionTokenValue0123456789"
	plantedPIIKey    = "pii-hmac-PLANTED-7c1e9a0b3d5f2468"
)

// runS3 runs the CLI with env as both the config environment and, for the
// AWS_* variables the SDK reads itself, the process environment.
func runS3(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, env[k])
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	code, out, errOut := run(t, env, args...)
	return code, out + errOut
}

func s3Env(srv *minio.Server) map[string]string {
	return map[string]string{
		"AWS_ACCESS_KEY_ID": srv.AccessKey, "AWS_SECRET_ACCESS_KEY": srv.SecretKey,
		"SECLAKE_S3_ENDPOINT": srv.Endpoint, "SECLAKE_S3_PATH_STYLE": "true", "SECLAKE_KMS_KEY": srv.KMSKeyID,
		"SECLAKE_PII_KEY": plantedPIIKey,
	}
}

func with(env map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// bucketObjects returns every object under prefix with its bytes.
func bucketObjects(t *testing.T, srv *minio.Server, prefix string) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	cli := srv.Client()
	out := map[string][]byte{}
	p := s3.NewListObjectsV2Paginator(cli, &s3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			g, err := cli.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: o.Key})
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(g.Body)
			g.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			out[aws.ToString(o.Key)] = b
		}
	}
	return out
}

// TestSecretsNeverLogged plants an access key, secret key, session token and
// PII HMAC key, runs convert, extract, feedback and query against MinIO at
// debug log level, then runs that fail on purpose (wrong secret, unknown
// access key, a session token the server rejects, wrong KMS key). No output
// (stdout, stderr, error messages) and no object in the lake contains a
// planted secret or the full access key id.
func TestSecretsNeverLogged(t *testing.T) {
	srv := minio.StartWithCredentials(t, plantedAccessKey, plantedSecret)
	env := s3Env(srv)
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfg, []byte("entities:\n  pii: hmac\nlog:\n  level: debug\n"), 0o644)
	lake := "s3://" + srv.Bucket + "/lake"
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	var all bytes.Buffer
	step := func(wantOK bool, env map[string]string, args ...string) {
		t.Helper()
		code, out := runS3(t, env, args...)
		all.WriteString(out)
		if (code == 0) != wantOK {
			t.Fatalf("%v: exit %d (want success %v)\n%s", args, code, wantOK, out)
		}
		if !wantOK && !strings.Contains(out, "seclake "+args[0]+":") {
			t.Errorf("%v: no clear error on stderr: %s", args, out)
		}
		t.Logf("%s → exit %d: %.300s", strings.Join(args[:1], " "), code, out)
	}
	step(true, env, "convert", "--raw", raw, "--lake", lake, "--config", cfg, "--log-format", "json")
	step(true, env, "extract", "--lake", lake, "--config", cfg)
	step(true, env, "feedback", "entity", "--lake", lake, "--kind", "ip_address", "--value", "198.51.100.23", "--verdict", "ignore", "--note", "nat")
	step(true, env, "query", "--lake", lake, "--cache", t.TempDir(), "--format", "json", "SELECT count(*) AS n FROM cloudtrail")
	step(false, with(env, "AWS_SECRET_ACCESS_KEY", plantedWrong), "convert", "--raw", raw, "--lake", lake+"2", "--config", cfg)
	step(false, with(env, "AWS_ACCESS_KEY_ID", "AKIAUNKNOWNQ7X2K9ZT4"), "convert", "--raw", raw, "--lake", lake+"3", "--config", cfg)
	step(false, with(env, "AWS_SESSION_TOKEN", plantedToken), "convert", "--raw", raw, "--lake", lake+"4", "--config", cfg)
	step(false, with(env, "SECLAKE_KMS_KEY", "not-the-key"), "convert", "--raw", raw, "--lake", lake+"5", "--config", cfg)
	step(false, with(env, "AWS_SECRET_ACCESS_KEY", plantedWrong), "query", "--lake", lake, "--cache", t.TempDir(), "SELECT 1")

	secrets := map[string]string{
		"secret key": plantedSecret, "wrong secret key": plantedWrong, "session token": plantedToken,
		"PII HMAC key": plantedPIIKey, "access key id": plantedAccessKey, "unknown access key id": "AKIAUNKNOWNQ7X2K9ZT4",
	}
	for name, s := range secrets {
		if bytes.Contains(all.Bytes(), []byte(s)) {
			t.Errorf("output contains the %s", name)
		}
	}
	if all.Len() == 0 {
		t.Fatal("no output at all: the grep proves nothing")
	}
	objs := bucketObjects(t, srv, "")
	if len(objs) == 0 {
		t.Fatal("empty bucket")
	}
	for key, b := range objs {
		for name, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains the %s", key, name)
			}
		}
	}
}

// TestSecurityAuditAfterRun: after convert, extract and feedback on MinIO,
// every object in the lake is encrypted with SSE-KMS under the configured
// key; a run with a wrong or no KMS key fails before any object is written.
func TestSecurityAuditAfterRun(t *testing.T) {
	srv := minio.Start(t)
	env := s3Env(srv)
	lake := "s3://" + srv.Bucket + "/lake"
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	for _, args := range [][]string{
		{"convert", "--raw", raw, "--lake", lake},
		{"extract", "--lake", lake},
		{"feedback", "entity", "--lake", lake, "--kind", "ip_address", "--value", "198.51.100.23", "--verdict", "ignore"},
	} {
		if code, out := runS3(t, env, args...); code != 0 {
			t.Fatalf("%v: exit %d %s", args, code, out)
		}
	}
	ctx := context.Background()
	cli := srv.Client()
	objs := bucketObjects(t, srv, "")
	kinds := map[string]int{}
	for key := range objs {
		h, err := cli.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if h.ServerSideEncryption != types.ServerSideEncryptionAwsKms || !strings.HasSuffix(aws.ToString(h.SSEKMSKeyId), srv.KMSKeyID) {
			t.Errorf("%s: encryption %q key %q, want aws:kms with %s", key, h.ServerSideEncryption, aws.ToString(h.SSEKMSKeyId), srv.KMSKeyID)
		}
		kinds[strings.SplitN(strings.TrimPrefix(key, "lake/"), "/", 2)[0]]++
	}
	t.Logf("%d objects audited, all SSE-KMS with %s: %v", len(objs), srv.KMSKeyID, kinds)
	if kinds["events"] == 0 || kinds["runs"] == 0 || kinds["feedback"] == 0 {
		t.Fatalf("audit saw too little: %v", kinds)
	}
	for _, c := range []struct {
		name string
		env  map[string]string
	}{
		{"wrong KMS key", with(env, "SECLAKE_KMS_KEY", "arn:aws:kms:us-east-1:111122223333:key/not-the-key")},
		{"no KMS key", with(env, "SECLAKE_KMS_KEY", "")},
	} {
		prefix := "audit-" + strings.ReplaceAll(c.name, " ", "-")
		code, out := runS3(t, c.env, "convert", "--raw", raw, "--lake", "s3://"+srv.Bucket+"/"+prefix)
		t.Logf("%s: exit %d: %.400s", c.name, code, out)
		if code == 0 {
			t.Errorf("%s: convert succeeded", c.name)
		}
		if n := len(bucketObjects(t, srv, prefix+"/")); n != 0 {
			t.Errorf("%s: %d objects written", c.name, n)
		}
	}
}
