package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// report works on a lake with events but no findings (detection not run
// yet) and on an empty lake; bad periods and frameworks are usage errors.
func TestReportCommand(t *testing.T) {
	lakeDir := t.TempDir()
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	if code, _, errOut := run(t, nil, "convert", "--raw", raw, "--lake", lakeDir); code != 0 {
		t.Fatalf("convert: %s", errOut)
	}
	day := "" // the first event day of the sample
	filepath.WalkDir(filepath.Join(lakeDir, "events"), func(p string, d os.DirEntry, err error) error {
		if i := strings.Index(p, "eventDay="); i >= 0 && day == "" {
			day = p[i+9 : i+17]
		}
		return nil
	})
	if day == "" {
		t.Fatal("no event day in the converted sample")
	}
	period := day[:4] + "-" + day[4:6] + "-" + day[6:]
	code, out, errOut := run(t, nil, "report", "--lake", lakeDir, "--period", period, "--now", "2030-01-01T00:00:00Z", "--json")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	var sum struct {
		Outputs  []struct{ Key string }
		Statuses map[string]map[string]string
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || len(sum.Outputs) != 9 || len(sum.Statuses) != 3 {
		t.Fatalf("summary %q: %v", out, err)
	}
	if got := sum.Statuses["soc2"]["CC7.3"]; got != "insufficient evidence" {
		t.Errorf("CC7.3 without detection runs = %q, want insufficient evidence", got)
	}
	for _, o := range sum.Outputs {
		if _, err := os.Stat(filepath.Join(lakeDir, filepath.FromSlash(o.Key))); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(lakeDir, "runs", "report")); err != nil {
		t.Errorf("no report manifest: %v", err)
	}

	empty := t.TempDir()
	code, out, errOut = run(t, nil, "report", "--lake", empty, "--period", "2026-Q4", "--frameworks", "gdpr", "--out", filepath.Join(empty, "out"))
	if code != 0 || !strings.Contains(out, "report: "+filepath.Join(empty, "out", "reports", "period=2026-Q4", "framework=gdpr", "report.html")) {
		t.Errorf("empty lake: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, bad := range [][]string{{"--period", "2026-13"}, {"--period", "2026-Q1", "--frameworks", "hipaa"}, {}} {
		args := append([]string{"report", "--lake", empty}, bad...)
		if code, _, _ := run(t, nil, args...); code == 0 {
			t.Errorf("%v: exit 0", bad)
		}
	}
}
