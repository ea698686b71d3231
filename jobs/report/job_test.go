package report

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"flag"
	"github.com/seclake/seclake/internal/integrity"
	"github.com/seclake/seclake/internal/integrity/integritytest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/compliance"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/storage/storagetest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var fixedNow = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test -tags duckdb_arrow ./jobs/report -update and review the diff)", name, path)
	}
}

func runDay(t *testing.T, dir string) *Result {
	t.Helper()
	store, err := storage.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := compliance.ParsePeriod("2026-11-21")
	res, err := Run(context.Background(), Config{Lake: store, Root: dir, Period: p, Now: func() time.Time { return fixedNow }, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestReportDay(t *testing.T) {
	dir := t.TempDir()
	store, _ := storage.NewLocal(dir)
	buildLake(t, store)
	res := runDay(t, dir)

	if res.GapFindings != 2 {
		t.Errorf("gap findings = %d, want 2 (dev CloudTrail 05:00–08:00, flow logs 21:00–24:00)", res.GapFindings)
	}
	want := map[string]map[string]string{
		"soc2": {
			"CC6.1": compliance.StatusNotMet, // root console login without MFA
			"CC6.2": compliance.StatusNotMet, // open T1098 (account manipulation) finding
			"CC6.3": compliance.StatusNotMet, // open privilege-escalation finding
			"CC6.6": compliance.StatusNotMet, // SSH from the internet accepted
			"CC7.2": compliance.StatusNotMet, // the gap
			"CC7.3": compliance.StatusNotMet, // a suppression without a note
			"CC7.4": compliance.StatusNotMet, // the critical finding is still open 4 days later
		},
		"pci-dss": {
			"10.2.1":   compliance.StatusNotMet,
			"10.2.1.2": compliance.StatusMet,
			"10.2.1.5": compliance.StatusMet,
			"10.2.1.6": compliance.StatusNotMet, // StopLogging
			"10.3":     compliance.StatusInsufficient,
			"10.4":     compliance.StatusMet,
			"10.5.1":   compliance.StatusNotMet,
			"10.7":     compliance.StatusNotMet,
		},
		"gdpr": {
			"Art. 5(1)(f)": compliance.StatusNotMet,
			"Art. 30":      compliance.StatusMet,
			"Art. 33":      compliance.StatusNotMet, // the possible breach is untriaged past its 72 h at report time
		},
	}
	for fw, ctl := range want {
		for id, st := range ctl {
			if got := res.Statuses[fw][id]; got != st {
				t.Errorf("%s %s: status %q, want %q", fw, id, got, st)
			}
		}
	}
	for _, o := range res.Outputs {
		data, _ := storagetest.MustGet(t, store, o.Key)
		if strings.HasSuffix(o.Key, ".html") {
			// Self-contained: no script, no external resource, a CSP that forbids fetching.
			for _, bad := range []string{"<script", " src=", `href="http`, "url(", "@import"} {
				if bytes.Contains(data, []byte(bad)) {
					t.Errorf("%s contains %q", o.Key, bad)
				}
			}
			if !bytes.Contains(data, []byte(`content="default-src 'none'`)) {
				t.Errorf("%s has no restrictive Content-Security-Policy", o.Key)
			}
		}
		golden(t, strings.TrimPrefix(filepath.Base(filepath.Dir(o.Key)), "framework=")+"."+filepath.Base(o.Key), data)
	}

	// A rerun writes the same bytes and the same gap finding parts.
	before := storagetest.Keys(t, store, "findings/")
	first := map[string][]byte{}
	for _, o := range res.Outputs {
		first[o.Key], _ = storagetest.MustGet(t, store, o.Key)
	}
	res2 := runDay(t, dir)
	for _, o := range res2.Outputs {
		got, _ := storagetest.MustGet(t, store, o.Key)
		if !bytes.Equal(got, first[o.Key]) {
			t.Errorf("rerun changed %s", o.Key)
		}
	}
	if after := storagetest.Keys(t, store, "findings/"); len(after) != len(before) {
		t.Errorf("rerun changed findings parts: %v → %v", before, after)
	}
}

func TestPeriods(t *testing.T) {
	for _, c := range []struct{ in, start, end string }{
		{"2026-11-21", "2026-11-21", "2026-11-22"},
		{"2026-W47", "2026-11-16", "2026-11-23"},
		{"2026-W01", "2025-12-29", "2026-01-05"},
		{"2026-11", "2026-11-01", "2026-12-01"},
		{"2026-Q4", "2026-10-01", "2027-01-01"},
	} {
		p, err := compliance.ParsePeriod(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if s, e := p.Start.Format("2006-01-02"), p.End.Format("2006-01-02"); s != c.start || e != c.end {
			t.Errorf("%s: [%s, %s), want [%s, %s)", c.in, s, e, c.start, c.end)
		}
	}
	for _, bad := range []string{"", "2026", "2026-13", "2026-W54", "2026-Q5", "2026-11-31", "26-11-21", "2025-W53"} {
		if _, err := compliance.ParsePeriod(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestReportIntegrity(t *testing.T) {
	dir := t.TempDir()
	store, _ := storage.NewLocal(dir)
	buildLake(t, store)
	raw, _ := storage.NewLocal(t.TempDir())
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tr := integritytest.Write(t, raw, key, day.Add(10*time.Hour), 4, false)
	storagetest.MustPut(t, raw, tr.Logs[2][0], integritytest.Gzip([]byte(`{"Records":[{"eventName":"Forged"}]}`)))
	if err := raw.Delete(context.Background(), tr.Logs[3][1]); err != nil {
		t.Fatal(err)
	}
	p, _ := compliance.ParsePeriod("2026-11-21")
	res, err := Run(context.Background(), Config{Lake: store, Root: dir, Raw: raw, PublicKeys: integrity.Keys{integrity.Fingerprint(&key.PublicKey): &key.PublicKey},
		Period: p, Frameworks: []string{"pci-dss"}, Now: func() time.Time { return fixedNow }, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Statuses["pci-dss"]["10.3"]; got != compliance.StatusNotMet {
		t.Errorf("10.3 = %q, want not met (a tampered and a missing log file)", got)
	}
	html, _ := storagetest.MustGet(t, store, ReportPrefix("2026-11-21", "pci-dss")+"report.html")
	for _, want := range []string{integrity.ModifiedLog, integrity.MissingLog, tr.Logs[2][0], tr.Logs[3][1]} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report.html does not name %q", want)
		}
	}
	js, _ := storagetest.MustGet(t, store, ReportPrefix("2026-11-21", "pci-dss")+"report.json")
	var doc Document
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	// 4 hours: 10 and 11 verified, 12 and 13 broken.
	if got := doc.Integrity.Summary.Rows; len(got) != 1 || got[0][2] != "2" || got[0][4] != "2" {
		t.Errorf("integrity summary = %v, want 2 verified and 2 broken hours", got)
	}
}
