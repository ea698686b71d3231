package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/seclake/seclake/schemas"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func findings(n int) []schemas.Finding {
	var out []schemas.Finding
	for i := 0; i < n; i++ {
		sev := int32(30 + 10*(i%7))
		out = append(out, schemas.Finding{
			FindingID: fmt.Sprintf("f-%03d", i), Detector: "s3_bytes_zscore", Title: fmt.Sprintf("Finding %d — unusual “download”", i),
			AttackTactic: "exfiltration", AttackTechnique: "T1530", Severity: sev, SeverityLabel: schemas.SeverityLabel(int(sev)),
			AccountID: "111122223333", AccountType: []string{"prod", "dev"}[i%2], Region: "us-east-1",
			PrincipalARN: "arn:aws:iam::111122223333:user/alice", WindowStart: t0, WindowEnd: t0.Add(time.Hour),
			FirstSeen: t0.Add(5 * time.Minute), LastSeen: t0.Add(50 * time.Minute), Count: 4, Explanation: "why", Recommendation: "what", Status: "new",
		})
	}
	return out
}

const testKey = "whsec-test-key-do-not-log-0123456789"

func TestWebhookSignsRetriesAndNeverLogsTheKey(t *testing.T) {
	var mu sync.Mutex
	var attempts int
	var bodies [][]byte
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		attempts++
		n := attempts
		bodies = append(bodies, body)
		mu.Unlock()
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %s %s", r.Method, r.Header.Get("Content-Type"))
		}
		if !Verify([]byte(testKey), r.Header.Get(HeaderTimestamp), body, r.Header.Get(HeaderSignature)) {
			t.Errorf("attempt %d: bad signature %q", n, r.Header.Get(HeaderSignature))
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch n {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			w.WriteHeader(http.StatusAccepted)
		}
	}))
	defer srv.Close()
	var logs bytes.Buffer
	var waits []time.Duration
	wh := &Webhook{
		TargetName: "siem", URL: srv.URL + "/hook", Key: NewSecret([]byte(testKey)), Client: srv.Client(),
		Backoff: 100 * time.Millisecond, Now: func() time.Time { return t0 },
		Sleep:  func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil },
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	wh.Logger.Info("configured", "target", wh.Name(), "key", wh.Key) // a careless log line
	if err := wh.Notify(context.Background(), findings(3)); err != nil {
		t.Fatal(err)
	}
	if attempts != 3 {
		t.Errorf("attempts = %d, want 3", attempts)
	}
	if want := []time.Duration{100 * time.Millisecond, 3 * time.Second}; fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Errorf("waits = %v, want %v (backoff, then Retry-After)", waits, want)
	}
	if !bytes.Equal(bodies[0], bodies[2]) {
		t.Error("retries sent different bodies")
	}
	var p WebhookPayload
	if err := json.Unmarshal(bodies[2], &p); err != nil || p.Count != 3 || p.Findings[2].FindingID != "f-002" {
		t.Errorf("payload = %+v, %v", p, err)
	}
	if strings.Contains(logs.String(), testKey) {
		t.Errorf("the webhook key appears in the logs:\n%s", logs.String())
	}
	if s := fmt.Sprintf("%v %+v %#v %s", wh.Key, wh.Key, wh.Key, wh.Key); strings.Contains(s, testKey) {
		t.Errorf("Secret formats its value: %s", s)
	}
	if b, _ := json.Marshal(map[string]any{"key": wh.Key}); bytes.Contains(b, []byte(testKey)) {
		t.Error("Secret marshals its value")
	}
}

func TestWebhookPermanentFailureAndGiveUp(t *testing.T) {
	var n int
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		if r.URL.Path == "/gone" {
			w.WriteHeader(http.StatusGone)
			return
		}
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	noSleep := func(context.Context, time.Duration) error { return nil }
	wh := &Webhook{TargetName: "x", URL: srv.URL + "/gone", Key: NewSecret([]byte("k")), Client: srv.Client(), Sleep: noSleep}
	if err := wh.Notify(context.Background(), findings(1)); !errors.Is(err, ErrPermanent) || n != 1 {
		t.Errorf("410: err %v after %d attempts, want ErrPermanent after 1", err, n)
	}
	n = 0
	wh.URL, wh.MaxAttempts = srv.URL+"/down", 4
	if err := wh.Notify(context.Background(), findings(1)); err == nil || n != 4 {
		t.Errorf("502 forever: err %v after %d attempts, want an error after 4", err, n)
	}
	// A plain-HTTP client cannot talk to the TLS server: the certificate is checked.
	wh.Client, wh.MaxAttempts = &http.Client{Timeout: 2 * time.Second}, 1
	if err := wh.Notify(context.Background(), findings(1)); err == nil {
		t.Error("an untrusted certificate was accepted")
	}
}

// recorder is a local AWS endpoint that keeps every request.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func (rc *recorder) keep(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, r)
	rc.body = append(rc.body, b)
	rc.mu.Unlock()
	return b
}

func checkSigV4(t *testing.T, r *http.Request, service string) {
	t.Helper()
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDTEST/") || !strings.Contains(auth, "/us-east-1/"+service+"/aws4_request") {
		t.Errorf("%s request not SigV4-signed for %s: %q", service, service, auth)
	}
}

var creds = credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")

func TestSNSPublishBatch(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := rec.keep(r)
		checkSigV4(t, r, "sns")
		form, err := url.ParseQuery(string(body))
		if err != nil || form.Get("Action") != "PublishBatch" || form.Get("TopicArn") != "arn:aws:sns:us-east-1:111122223333:alerts" {
			t.Errorf("request form: %v %v", form, err)
		}
		var ok strings.Builder
		for i := 1; ; i++ {
			id := form.Get(fmt.Sprintf("PublishBatchRequestEntries.member.%d.Id", i))
			if id == "" {
				break
			}
			msg := form.Get(fmt.Sprintf("PublishBatchRequestEntries.member.%d.Message", i))
			var f schemas.Finding
			if err := json.Unmarshal([]byte(msg), &f); err != nil || f.FindingID == "" {
				t.Errorf("entry %d message is not a finding: %v", i, err)
			}
			subj := form.Get(fmt.Sprintf("PublishBatchRequestEntries.member.%d.Subject", i))
			if len(subj) > 100 || strings.ContainsFunc(subj, func(r rune) bool { return r > 0x7e }) {
				t.Errorf("subject %q not ≤100 printable ASCII", subj)
			}
			fmt.Fprintf(&ok, "<member><Id>%s</Id><MessageId>m-%s</MessageId></member>", id, id)
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful>%s</Successful><Failed></Failed></PublishBatchResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></PublishBatchResponse>`, ok.String())
	}))
	defer srv.Close()
	client := sns.New(sns.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds})
	n := &SNS{TargetName: "alerts", TopicARN: "arn:aws:sns:us-east-1:111122223333:alerts", Client: client}
	if err := n.Notify(context.Background(), findings(23)); err != nil {
		t.Fatal(err)
	}
	if len(rec.reqs) != 3 {
		t.Errorf("requests = %d, want 3 batches (10+10+3)", len(rec.reqs))
	}
	form, _ := url.ParseQuery(string(rec.body[2]))
	if got := form.Get("PublishBatchRequestEntries.member.3.MessageAttributes.entry.1.Name"); got == "" {
		t.Errorf("no message attributes: %v", form)
	}
}

func TestSecurityHubBatchImport(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := rec.keep(r)
		checkSigV4(t, r, "securityhub")
		if r.Method != http.MethodPost || r.URL.Path != "/findings/import" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		var in struct{ Findings []map[string]any }
		if err := json.Unmarshal(body, &in); err != nil {
			t.Fatal(err)
		}
		if len(in.Findings) == 0 || len(in.Findings) > 100 {
			t.Errorf("batch of %d findings", len(in.Findings))
		}
		for _, f := range in.Findings {
			for _, k := range []string{"SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types", "CreatedAt", "UpdatedAt", "Severity", "Title", "Description", "Resources"} {
				if _, ok := f[k]; !ok {
					t.Errorf("finding %v lacks required ASFF field %s", f["Id"], k)
				}
			}
			if f["SchemaVersion"] != "2018-10-08" || f["ProductArn"] != "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default" {
				t.Errorf("finding %v: %v %v", f["Id"], f["SchemaVersion"], f["ProductArn"])
			}
			if _, err := time.Parse(time.RFC3339, f["CreatedAt"].(string)); err != nil {
				t.Errorf("CreatedAt %v: %v", f["CreatedAt"], err)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"FailedCount":0,"SuccessCount":%d,"FailedFindings":[]}`, len(in.Findings))
	}))
	defer srv.Close()
	client := securityhub.New(securityhub.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds})
	n := &SecurityHub{TargetName: "hub", Client: client, Options: ASFFOptions{AccountID: "111122223333", Region: "us-east-1"}}
	if err := n.Notify(context.Background(), findings(150)); err != nil {
		t.Fatal(err)
	}
	if len(rec.reqs) != 2 {
		t.Errorf("requests = %d, want 2 (100 + 50)", len(rec.reqs))
	}
}

func TestRouter(t *testing.T) {
	r := Router{MinSeverity: 60, All: []string{"hub", "pager", "siem"}, Routes: []Route{
		{AccountType: "prod", MinSeverity: 60, Targets: []string{"pager"}},
		{AccountType: "*", MinSeverity: 40, Targets: []string{"hub", "siem"}},
	}}
	f := func(sev int32, typ string) *schemas.Finding { return &schemas.Finding{Severity: sev, AccountType: typ} }
	for _, c := range []struct {
		f    *schemas.Finding
		want string
	}{
		{f(80, "prod"), "[hub pager siem]"},
		{f(80, "dev"), "[hub siem]"},
		{f(50, "prod"), "[hub siem]"},
		{f(30, "prod"), "[]"},
	} {
		if got := fmt.Sprint(r.Targets(c.f)); got != c.want {
			t.Errorf("severity %d %s → %s, want %s", c.f.Severity, c.f.AccountType, got, c.want)
		}
	}
	noRoutes := Router{MinSeverity: 60, All: []string{"a", "b"}}
	if got := fmt.Sprint(noRoutes.Targets(f(59, "prod")), noRoutes.Targets(f(60, "dev"))); got != "[] [a b]" {
		t.Errorf("threshold only: %s", got)
	}
}

func TestSecretSource(t *testing.T) {
	env := map[string]string{"HOOK_KEY": "from-env"}
	s := SecretSource{Getenv: func(k string) string { return env[k] }}
	if sec, err := s.Resolve(context.Background(), "HOOK_KEY", ""); err != nil || string(sec.Bytes()) != "from-env" {
		t.Errorf("env: %v", err)
	}
	if _, err := s.Resolve(context.Background(), "MISSING", ""); err == nil {
		t.Error("empty env var accepted")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		checkSigV4(t, r, "secretsmanager")
		if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" {
			t.Errorf("target %q", r.Header.Get("X-Amz-Target"))
		}
		var in struct{ SecretId string }
		json.NewDecoder(r.Body).Decode(&in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprintf(w, `{"ARN":%q,"Name":"hook","SecretString":"from-secrets-manager\n"}`, in.SecretId)
	}))
	defer srv.Close()
	s.SecretsManager = secretsmanager.New(secretsmanager.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds})
	sec, err := s.Resolve(context.Background(), "MISSING", "arn:aws:secretsmanager:us-east-1:111122223333:secret:hook")
	if err != nil || string(sec.Bytes()) != "from-secrets-manager" {
		t.Errorf("secrets manager: %q %v", sec.Bytes(), err)
	}
}
