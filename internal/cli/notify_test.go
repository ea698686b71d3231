package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/schemas"
)

// seclake notify end to end: routes from a config file, SNS and Security
// Hub clients pointed at a local endpoint that records the requests.
func TestNotifyCommand(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	var mu sync.Mutex
	got := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.URL.Path == "/findings/import":
			var in struct{ Findings []map[string]any }
			json.Unmarshal(body, &in)
			got["securityhub"] += len(in.Findings)
			fmt.Fprintf(w, `{"FailedCount":0,"SuccessCount":%d,"FailedFindings":[]}`, len(in.Findings))
		default:
			form, _ := url.ParseQuery(string(body))
			var ok strings.Builder
			for i := 1; form.Get(fmt.Sprintf("PublishBatchRequestEntries.member.%d.Id", i)) != ""; i++ {
				got["sns"]++
				fmt.Fprintf(&ok, "<member><Id>%d</Id><MessageId>m</MessageId></member>", i-1)
			}
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful>%s</Successful><Failed></Failed></PublishBatchResult></PublishBatchResponse>`, ok.String())
		}
	}))
	defer srv.Close()

	lakeDir := t.TempDir()
	store, _ := storage.NewLocal(lakeDir)
	day := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	var rows []schemas.Finding
	for i, sev := range []int32{90, 65, 45, 20} {
		typ := []string{"prod", "dev"}[i%2]
		rows = append(rows, schemas.Finding{FindingID: fmt.Sprintf("f%d", i), Detector: "d", Title: "t", Severity: sev, SeverityLabel: schemas.SeverityLabel(int(sev)),
			AccountID: "111122223333", AccountType: typ, WindowStart: day.Add(time.Hour), WindowEnd: day.Add(2 * time.Hour), FirstSeen: day.Add(time.Hour), LastSeen: day.Add(2 * time.Hour), Status: "new"})
	}
	data, err := lake.EncodeParquet(rows, parquet.SchemaOf(schemas.Finding{}), 1000)
	if err != nil {
		t.Fatal(err)
	}
	store.Put(context.Background(), "findings/eventDay=20261121/part-a.parquet", bytes.NewReader(data), storage.PutOptions{})

	cfgPath := filepath.Join(t.TempDir(), "seclake.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`notify:
  routes:
    - {account_type: prod, min_severity: 40, targets: [pager]}
    - {account_type: "*", min_severity: 60, targets: [hub]}
  targets:
    - {name: pager, type: sns, topic_arn: "arn:aws:sns:us-east-1:111122223333:alerts", endpoint: %q}
    - {name: hub, type: securityhub, account_id: "111122223333", endpoint: %q}
`, srv.URL, srv.URL)), 0o644)
	code, out, errOut := run(t, nil, "notify", "--config", cfgPath, "--lake", lakeDir, "--from", "2026-11-21", "--to", "2026-11-22")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, out, errOut)
	}
	// prod: f0 (90) and f2 (45) → pager; ≥60 anywhere: f0, f1 → hub.
	if got["sns"] != 2 || got["securityhub"] != 2 {
		t.Errorf("delivered %v, want sns 2, securityhub 2\n%s", got, out)
	}
	if _, err := os.Stat(filepath.Join(lakeDir, "exports", "asff")); err != nil {
		t.Error(err)
	}
	// A webhook without a key source is a config error naming the key.
	os.WriteFile(cfgPath, []byte("notify:\n  targets:\n    - {name: siem, type: webhook, url: \"https://x.example\"}\n"), 0o644)
	if code, _, errOut := run(t, nil, "notify", "--config", cfgPath, "--lake", lakeDir, "--from", "2026-11-21", "--to", "2026-11-22"); code != 2 || !strings.Contains(errOut, "notify.targets[0].secret_env") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
