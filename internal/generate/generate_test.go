package generate

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/storage"
)

// dirWriter is a Writer over a directory that also records every object's hash.
type dirWriter struct {
	root   string
	mu     sync.Mutex
	hashes map[string][32]byte
}

func newDirWriter(t testing.TB) *dirWriter {
	return &dirWriter{root: t.TempDir(), hashes: map[string][32]byte{}}
}

func (w *dirWriter) Put(_ context.Context, key string, r io.Reader, _ storage.PutOptions) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	p := filepath.Join(w.root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, dup := w.hashes[key]; dup {
		return fmt.Errorf("object %s written twice", key)
	}
	w.hashes[key] = sha256.Sum256(b)
	return os.WriteFile(p, b, 0o644)
}

func (w *dirWriter) read(t testing.TB, key string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.root, filepath.FromSlash(key)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(key, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	return b
}

func (w *dirWriter) keys() []string {
	var ks []string
	for k := range w.hashes {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func testConfig() Config {
	c := DefaultConfig()
	c.Days, c.Rate, c.Principals, c.Workers = 1, 400, 24, 2
	return c
}

func run(t testing.TB, cfg Config) (*dirWriter, Summary) {
	t.Helper()
	w := newDirWriter(t)
	sum, err := Run(context.Background(), cfg, w)
	if err != nil {
		t.Fatal(err)
	}
	return w, sum
}

func TestDeterministic(t *testing.T) {
	cfg := testConfig()
	cfg.Accounts, cfg.Principals = 2, 16
	a, sa := run(t, cfg)
	cfg.Workers = 1
	b, sb := run(t, cfg)
	if len(a.hashes) != len(b.hashes) || sa.Files != sb.Files || sa.Bytes != sb.Bytes {
		t.Fatalf("different runs: %d vs %d objects, %+v vs %+v", len(a.hashes), len(b.hashes), sa, sb)
	}
	for k, h := range a.hashes {
		if b.hashes[k] != h {
			t.Errorf("object %s differs between runs", k)
		}
	}
	cfg.Seed++
	c, _ := run(t, cfg)
	if c.hashes["labels.json"] == a.hashes["labels.json"] {
		t.Error("another seed gave the same labels.json")
	}
}

type ctEvent struct {
	EventVersion string `json:"eventVersion"`
	EventTime    string `json:"eventTime"`
	EventID      string `json:"eventID"`
	EventType    string `json:"eventType"`
	SourceIP     string `json:"sourceIPAddress"`
	Recipient    string `json:"recipientAccountId"`
	UserIdentity struct {
		Type           string `json:"type"`
		AccessKeyID    string `json:"accessKeyId"`
		SessionContext *struct {
			Attributes struct {
				CreationDate     string `json:"creationDate"`
				MFAAuthenticated string `json:"mfaAuthenticated"`
			} `json:"attributes"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	RequestParameters json.RawMessage `json:"requestParameters"`
	ResponseElements  json.RawMessage `json:"responseElements"`
	ReadOnly          *bool           `json:"readOnly"`
	ManagementEvent   *bool           `json:"managementEvent"`
	EventCategory     string          `json:"eventCategory"`
}

var (
	reCTKey  = regexp.MustCompile(`^AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_([A-Za-z0-9]{16})\.json\.gz$`)
	reVPCKey = regexp.MustCompile(`^AWSLogs/(\d{12})/vpcflowlogs/([a-z0-9-]+)/\d{4}/\d{2}/\d{2}/(\d{12})_vpcflowlogs_([a-z0-9-]+)_fl-[0-9a-f]{17}_\d{8}T\d{4}Z_[0-9a-f]{8}\.log\.gz$`)
	reS3Key  = regexp.MustCompile(`^s3-access-logs/(\d{12})/([a-z0-9-]+)/([a-z0-9.-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{4})-(\d{2})-(\d{2})-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$`)
	reKey    = regexp.MustCompile(`^(AKIA|ASIA)[A-Z2-7]{16}$`)
	reUUID   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	reS3Line = regexp.MustCompile(`^(\S+) (\S+) \[([^\]]+)\] (\S+) (\S+) (\S+) (\S+) (\S+) "([^"]*)" (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) "([^"]*)" "((?:[^"\\]|\\.)*)" (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)$`)
	versions = map[string]bool{"1.08": true, "1.09": true, "1.10": true, "1.11": true}
)

// TestOutputAndLabels checks every object's format and that labels.json is
// consistent with the raw files.
func TestOutputAndLabels(t *testing.T) {
	cfg := testConfig()
	w, sum := run(t, cfg)
	var labels Labels
	if err := json.Unmarshal(w.read(t, "labels.json"), &labels); err != nil {
		t.Fatal(err)
	}
	if len(labels.Scenarios) != len(ScenarioIDs()) || sum.Scenarios != len(ScenarioIDs()) {
		t.Fatalf("%d labelled scenarios, summary %d, want %d", len(labels.Scenarios), sum.Scenarios, len(ScenarioIDs()))
	}
	if len(labels.BenignRare) < 4 {
		t.Fatalf("%d benign_rare labels", len(labels.BenignRare))
	}
	attackIP, attackKey, attackEvent := map[string]bool{}, map[string]bool{}, map[string]string{}
	wantLines := map[string]string{}
	for _, l := range labels.Scenarios {
		if len(l.EventIDs) == 0 {
			t.Errorf("scenario %s has no events", l.ID)
		}
		if !regexp.MustCompile(`^T\d{4}(\.\d{3})?$`).MatchString(l.Technique) {
			t.Errorf("scenario %s: technique %q", l.ID, l.Technique)
		}
		for _, ip := range l.SourceIPs {
			attackIP[ip] = true
		}
		for _, k := range l.AccessKeyIDs {
			attackKey[k] = true
		}
		for _, id := range l.EventIDs {
			if strings.Contains(id, "#") {
				wantLines[id] = l.ID
			} else {
				attackEvent[id] = l.ID
			}
		}
	}
	rareEvent := map[string]bool{}
	for _, l := range labels.BenignRare {
		if len(l.EventIDs) == 0 {
			t.Errorf("benign_rare %s has no events", l.ID)
		}
		for _, id := range l.EventIDs {
			rareEvent[id] = true
		}
	}
	seen := map[string]int{}
	var nEvents int64
	for _, key := range w.keys() {
		switch {
		case strings.HasPrefix(key, "AWSLogs/") && strings.Contains(key, "/CloudTrail/"):
			m := reCTKey.FindStringSubmatch(key)
			if m == nil || m[1] != m[6] || m[2] != m[7] {
				t.Fatalf("bad CloudTrail key %s", key)
			}
			slot, _ := time.Parse("20060102T1504Z", m[8])
			if slot.Minute()%5 != 0 || slot.Format("2006/01/02") != m[3]+"/"+m[4]+"/"+m[5] {
				t.Fatalf("bad slot in %s", key)
			}
			var f struct{ Records []json.RawMessage }
			if err := json.Unmarshal(w.read(t, key), &f); err != nil || f.Records == nil {
				t.Fatalf("%s: not a CloudTrail file: %v", key, err)
			}
			for _, raw := range f.Records {
				var e ctEvent
				if err := json.Unmarshal(raw, &e); err != nil {
					t.Fatalf("%s: %v", key, err)
				}
				nEvents++
				et, err := time.Parse(time.RFC3339, e.EventTime)
				if err != nil || et.Before(slot) || !et.Before(slot.Add(5*time.Minute)) {
					t.Fatalf("%s: eventTime %s outside slot", key, e.EventTime)
				}
				if !versions[e.EventVersion] || !reUUID.MatchString(e.EventID) || e.Recipient != m[1] || e.ReadOnly == nil || e.ManagementEvent == nil ||
					e.EventCategory != "Management" || (e.EventType != "AwsApiCall" && e.EventType != "AwsConsoleSignIn") || e.RequestParameters == nil {
					t.Fatalf("%s: incomplete event %s", key, raw)
				}
				ui := e.UserIdentity
				if ui.AccessKeyID != "" && !reKey.MatchString(ui.AccessKeyID) {
					t.Fatalf("bad access key in %s", raw)
				}
				if ui.Type == "AssumedRole" && (ui.SessionContext == nil || ui.SessionContext.Attributes.CreationDate == "" ||
					(ui.SessionContext.Attributes.MFAAuthenticated != "true" && ui.SessionContext.Attributes.MFAAuthenticated != "false")) {
					t.Fatalf("AssumedRole without session context: %s", raw)
				}
				seen[e.EventID]++
				if _, bad := attackEvent[e.EventID]; !bad {
					if attackIP[e.SourceIP] || attackKey[ui.AccessKeyID] {
						t.Errorf("benign event uses attacker IP/key: %s", raw)
					}
				}
			}
		case strings.Contains(key, "/vpcflowlogs/"):
			m := reVPCKey.FindStringSubmatch(key)
			if m == nil || m[1] != m[3] || m[2] != m[4] {
				t.Fatalf("bad VPC flow key %s", key)
			}
			sc := bufio.NewScanner(bytes.NewReader(w.read(t, key)))
			for n := 1; sc.Scan(); n++ {
				f := strings.Fields(sc.Text())
				if len(f) != 29 {
					t.Fatalf("%s#%d: %d fields", key, n, len(f))
				}
				if n == 1 {
					if sc.Text()+"\n" != vpcHeader {
						t.Fatalf("%s: header %q", key, sc.Text())
					}
					continue
				}
				id := fmt.Sprintf("%s#%d", key, n)
				if _, ok := wantLines[id]; ok {
					seen[id]++
				} else if attackIP[f[3]] || attackIP[f[4]] {
					t.Errorf("benign flow uses attacker IP: %s", sc.Text())
				}
			}
		case strings.HasPrefix(key, "s3-access-logs/"):
			if reS3Key.FindStringSubmatch(key) == nil {
				t.Fatalf("bad S3 access log key %s", key)
			}
			sc := bufio.NewScanner(bytes.NewReader(w.read(t, key)))
			for n := 1; sc.Scan(); n++ {
				f := reS3Line.FindStringSubmatch(sc.Text())
				if f == nil {
					t.Fatalf("%s#%d: not a 26-field access log line: %s", key, n, sc.Text())
				}
				id := fmt.Sprintf("%s#%d", key, n)
				if _, ok := wantLines[id]; ok {
					seen[id]++
				} else if attackIP[f[4]] {
					t.Errorf("benign access log line uses attacker IP: %s", sc.Text())
				}
			}
		case key == "accounts.json" || key == "labels.json":
		default:
			t.Errorf("unexpected object %s", key)
		}
	}
	if nEvents != sum.Events[SourceCloudTrail] {
		t.Errorf("read %d events, summary says %d", nEvents, sum.Events[SourceCloudTrail])
	}
	for id, sc := range attackEvent {
		if seen[id] != 1 {
			t.Errorf("scenario %s: event %s seen %d times", sc, id, seen[id])
		}
	}
	for id := range rareEvent {
		if seen[id] != 1 {
			t.Errorf("benign_rare event %s seen %d times", id, seen[id])
		}
	}
	for id, sc := range wantLines {
		if seen[id] != 1 {
			t.Errorf("scenario %s: line %s seen %d times", sc, id, seen[id])
		}
	}
	t.Logf("summary %+v, %d attack events, %d labelled lines", sum, len(attackEvent), len(wantLines))
}

func TestValidateNamesFlag(t *testing.T) {
	for flag, mut := range map[string]func(*Config){
		"--days":       func(c *Config) { c.Days = 0 },
		"--accounts":   func(c *Config) { c.Accounts = 0 },
		"--principals": func(c *Config) { c.Principals = 2 },
		"--rate":       func(c *Config) { c.Rate = 0 },
		"--start":      func(c *Config) { c.Start = time.Time{} },
		"--attacks":    func(c *Config) { c.Attacks = []string{"nope"} },
		"--sources":    func(c *Config) { c.Sources = []string{"elb"} },
	} {
		c := DefaultConfig()
		mut(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), flag) {
			t.Errorf("%s: got %v", flag, err)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), Config{}, newDirWriter(t)); err == nil {
		t.Fatal("Run accepted an empty config")
	}
}

func TestScenarioCatalogue(t *testing.T) {
	ids := ScenarioIDs()
	if len(ids) < 18 {
		t.Fatalf("%d scenarios", len(ids))
	}
	seen, slowN := map[string]bool{}, 0
	for _, d := range scenarioDefs() {
		if seen[d.id] {
			t.Errorf("duplicate id %s", d.id)
		}
		seen[d.id] = true
		if d.slow {
			slowN++
		}
	}
	for _, d := range benignRareDefs() {
		if seen[d.id] {
			t.Errorf("benign_rare id %s collides", d.id)
		}
	}
	if slowN < 2 {
		t.Errorf("%d slow-and-low scenarios", slowN)
	}
}

func TestSelectAttacksAndSources(t *testing.T) {
	cfg := testConfig()
	cfg.Days, cfg.Attacks, cfg.Sources = 1, []string{"none"}, []string{SourceCloudTrail}
	w, sum := run(t, cfg)
	if sum.Scenarios != 0 || sum.Events[SourceVPCFlow] != 0 || sum.Events[SourceS3Access] != 0 {
		t.Fatalf("summary %+v", sum)
	}
	var labels Labels
	if err := json.Unmarshal(w.read(t, "labels.json"), &labels); err != nil || len(labels.Scenarios) != 0 {
		t.Fatalf("labels %+v %v", labels, err)
	}
	cfg.Attacks, cfg.Sources = []string{"exfil-vpc-bytes-out"}, []string{SourceVPCFlow}
	w, sum = run(t, cfg)
	if err := json.Unmarshal(w.read(t, "labels.json"), &labels); err != nil || len(labels.Scenarios) != 1 || len(labels.Scenarios[0].EventIDs) != 40 {
		t.Fatalf("labels %+v %v", labels.Scenarios, err)
	}
}

// TestWriteSample writes a small corpus to $SECLAKE_GEN_SAMPLE for eyeballing.
func TestWriteSample(t *testing.T) {
	dir := os.Getenv("SECLAKE_GEN_SAMPLE")
	if dir == "" {
		t.Skip("set SECLAKE_GEN_SAMPLE=<dir> to write a sample corpus")
	}
	w := &dirWriter{root: dir, hashes: map[string][32]byte{}}
	sum, err := Run(context.Background(), testConfig(), w)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", sum)
}

func TestReadmeListsScenarios(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range append(scenarioDefs(), benignRareDefs()...) {
		if !strings.Contains(string(b), "`"+d.id+"`") {
			t.Errorf("README.md does not list %s", d.id)
		}
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, testConfig(), &discardWriter{}); err == nil {
		t.Fatal("Run ignored a cancelled context")
	}
}
