package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectEvalFeedbackCLI runs detect, eval and feedback finding end to end
// on the small raw samples of testdata/raw (no labelled attacks there: eval
// reports an empty scenario list) and checks the usage errors.
func TestDetectEvalFeedbackCLI(t *testing.T) {
	if code, _, errOut := run(t, nil, "detect", "--lake", t.TempDir()); code != 2 || !strings.Contains(errOut, "--from and --to") {
		t.Errorf("detect without window: exit %d, %q", code, errOut)
	}
	if code, _, _ := run(t, nil, "feedback", "finding", "--lake", t.TempDir(), "--id", "f-x", "--verdict", "maybe"); code != 2 {
		t.Errorf("bad verdict: exit %d", code)
	}
	lk := t.TempDir()
	if code, _, errOut := run(t, nil, "convert", "--raw", filepath.Join(repoRoot(t), "testdata", "raw"), "--lake", lk, "--log-level", "error"); code != 0 {
		t.Fatalf("convert: %d %s", code, errOut)
	}
	code, out, errOut := run(t, nil, "detect", "--lake", lk, "--from", "2020-01-01", "--to", "2020-01-03", "--log-level", "error", "--json")
	if code != 0 || !strings.Contains(out, `"windows": 2`) {
		t.Fatalf("detect: %d %s %s", code, out, errOut)
	}
	labels := filepath.Join(t.TempDir(), "labels.json")
	if err := os.WriteFile(labels, []byte(`{"scenarios":[],"benign_rare":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, nil, "eval", "--lake", lk, "--labels", labels, "--json")
	if code != 0 || !strings.Contains(out, `"recall"`) || !strings.Contains(out, `"precision"`) || !strings.Contains(out, `"scenarios"`) {
		t.Fatalf("eval: %d %s %s", code, out, errOut)
	}
	if code, _, _ := run(t, nil, "feedback", "finding", "--lake", lk, "--id", "f-missing", "--verdict", "false-positive"); code != 2 {
		t.Errorf("feedback on a missing finding: exit %d", code)
	}
}
