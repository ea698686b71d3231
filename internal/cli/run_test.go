package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/schedule"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/jobs/convert"
)

// Every step of every job names a command of this binary, and its command
// lines pass that command's flag parsing. (detect, notify and report come
// from their own branches: until they are merged, this test names them.)
func TestEveryStepNamesARegisteredCommand(t *testing.T) {
	cmds := map[string]bool{}
	for _, c := range (&App{}).commands() {
		cmds[c.name] = true
	}
	a := &App{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(string) string { return "" }}
	p := schedule.Params{At: time.Date(2026, 11, 21, 11, 20, 0, 0, time.UTC), Config: "", TrailingHours: 3, BaselineDays: 14, Frameworks: []string{"soc2"}}
	for _, spec := range schedule.Specs() {
		for _, s := range schedule.Steps(spec.Job) {
			if !cmds[s.Command] {
				t.Errorf("%s step %s runs `seclake %s`, which is not a registered command", spec.Job, s.Name, s.Command)
				continue
			}
			q := p
			if s.FanOut {
				q.Item = &schedule.Item{Source: "cloudtrail", Account: "111122223333", Region: "eu-west-1"}
			}
			for _, argv := range s.Argv(q) {
				if err := a.checkArgv(context.Background(), argv); err != nil {
					t.Errorf("%s step %s: %v", spec.Job, s.Name, err)
				}
			}
		}
	}
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "seclake.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunDryRun(t *testing.T) {
	cfg := writeConfig(t, "lake: "+t.TempDir()+"\nraw: "+t.TempDir()+"\nschedule:\n  accounts: ['111122223333']\n  regions: [eu-west-1, us-east-1]\n")
	code, out, errOut := run(t, nil, "run", "hourly", "--config", cfg, "--at", "2026-11-21T00:20:00Z", "--step", "convert", "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 { // 3 trailing hours × 2 shards
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	want := "seclake convert --config " + cfg + " --from 2026-11-20T21:00:00Z --to 2026-11-20T22:00:00Z --if-changed --prefix AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/ --shard cloudtrail-111122223333-eu-west-1"
	if lines[0] != want {
		t.Errorf("first line\n got %s\nwant %s", lines[0], want)
	}
	if !strings.Contains(lines[2], "--from 2026-11-20T23:00:00Z --to 2026-11-21T00:00:00Z") {
		t.Errorf("third line %s", lines[2])
	}
	// The plan of the AWS fan-out: one bin per shard by default.
	code, out, _ = run(t, nil, "run", "hourly", "--config", cfg, "--plan-out", "plans/x.json", "--dry-run")
	var plan []planEntry
	if code != 0 || json.Unmarshal([]byte(out), &plan) != nil || len(plan) != 2 || plan[1].Bin != "plans/x/bin-00001.json" {
		t.Fatalf("plan: exit %d %q", code, out)
	}
	// Unknown steps and jobs are usage errors.
	if code, _, _ := run(t, nil, "run", "hourly", "--step", "nope", "--dry-run"); code != 2 {
		t.Errorf("unknown step: exit %d", code)
	}
	if code, _, _ := run(t, nil, "run", "weekly"); code != 2 {
		t.Errorf("unknown job: exit %d", code)
	}
}

func manifests(t *testing.T, lakeDir string) []string {
	t.Helper()
	st, err := storage.NewLocal(lakeDir)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	_ = st.List(context.Background(), "runs/convert/", func(o storage.ObjectInfo) error {
		keys = append(keys, o.Key)
		return nil
	})
	return keys
}

// The hourly convert step end to end on the sample logs (delivered
// 2026-11-21 09:xx and 10:xx): the 11:20 activation converts 08–11 as three
// hourly windows; running it again changes nothing.
func TestRunHourlyConvert(t *testing.T) {
	lakeDir := t.TempDir()
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	cfg := writeConfig(t, "lake: "+lakeDir+"\nraw: "+raw+"\nconvert:\n  workers: 2\n")
	args := []string{"run", "hourly", "--config", cfg, "--at", "2026-11-21T11:20:00Z", "--step", "convert"}
	if code, _, errOut := run(t, nil, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := manifests(t, lakeDir)
	want := []string{
		"runs/convert/20261121T080000Z-20261121T090000Z/manifest.json",
		"runs/convert/20261121T090000Z-20261121T100000Z/manifest.json",
		"runs/convert/20261121T100000Z-20261121T110000Z/manifest.json",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("manifests %q", got)
	}
	before := snapshotDir(t, lakeDir)
	if code, _, errOut := run(t, nil, args...); code != 0 {
		t.Fatalf("rerun exit %d: %s", code, errOut)
	}
	if after := snapshotDir(t, lakeDir); !mapsEqual(before, after) {
		t.Fatalf("rerun changed the lake")
	}
}

func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		// Lock objects name their last owner: every run rewrites them.
		rel, _ := filepath.Rel(dir, p)
		if err == nil && fi.Mode().IsRegular() && !strings.Contains(p, ".seclake-tmp-") && !strings.HasPrefix(filepath.ToSlash(rel), schedule.LockPrefix) {
			b, _ := os.ReadFile(p)
			out[p] = string(b)
		}
		return nil
	})
	return out
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestBackfillResumes(t *testing.T) {
	lakeDir := t.TempDir()
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	cfg := writeConfig(t, "lake: "+lakeDir+"\nraw: "+raw+"\n")
	args := []string{"backfill", "--config", cfg, "--from", "2026-11-21T07:00:00Z", "--to", "2026-11-21T12:00:00Z", "--parallel", "2"}
	code, out, errOut := run(t, nil, args...)
	if code != 0 || !strings.Contains(out, "5 partitions converted, 0 already done") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	if n := len(manifests(t, lakeDir)); n != 5 {
		t.Fatalf("%d manifests", n)
	}
	// Interrupted after some partitions: only the missing ones run again.
	w := lake.Window{From: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	if err := os.Remove(filepath.Join(lakeDir, filepath.FromSlash(convert.ManifestKey(w, "")))); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, nil, append(args, "--dry-run")...)
	if code != 0 || strings.Count(out, "todo\t") != 1 || strings.Count(out, "done\t") != 4 {
		t.Fatalf("dry run: %s", out)
	}
	code, out, errOut = run(t, nil, args...)
	if code != 0 || !strings.Contains(out, "1 partitions converted, 4 already done") {
		t.Fatalf("resume: exit %d: %s %s", code, out, errOut)
	}
}

func TestLakeRetentionLocal(t *testing.T) {
	lakeDir := t.TempDir()
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, k := range []string{"quarantine/cloudtrail/eventDay=20260101/part-a.parquet", "events/cloudtrail/x/part-b.parquet", "locks/hourly.json"} {
		p := filepath.Join(lakeDir, filepath.FromSlash(k))
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, []byte("x"), 0o644)
		_ = os.Chtimes(p, old, old)
	}
	// 2026-03-01: quarantine (30 d) expired, events (400 d) and locks kept.
	code, out, errOut := run(t, nil, "lake", "retention", "--lake", lakeDir, "--at", "2026-03-01T00:00:00Z")
	if code != 0 || !strings.Contains(out, "deleted 1 expired") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(lakeDir, "events/cloudtrail/x/part-b.parquet")); err != nil {
		t.Fatal(err)
	}
}

// Bins: the plan splits the shards into bins written to the lake; a task
// given one bin converts exactly its shards.
func TestPlanBins(t *testing.T) {
	lakeDir := t.TempDir()
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	cfg := writeConfig(t, "lake: "+lakeDir+"\nraw: "+raw+"\nschedule:\n  accounts: ['111122223333', '444455556666', '777788889999']\n  regions: [us-east-1, eu-west-1]\n  bins: 2\n")
	code, out, errOut := run(t, nil, "run", "hourly", "--config", cfg, "--at", "2026-11-21T10:20:00Z", "--plan-out", "plans/hourly/2026-11-21T10:20:00Z.json")
	if code != 0 || !strings.Contains(out, "6 shards in 2 bins") {
		t.Fatalf("plan: exit %d %s %s", code, out, errOut)
	}
	var plan []planEntry
	data, err := os.ReadFile(filepath.Join(lakeDir, "plans/hourly/2026-11-21T10:20:00Z.json"))
	if err != nil || json.Unmarshal(data, &plan) != nil || len(plan) != 2 || plan[0].Shards != 3 {
		t.Fatalf("plan file %s: %v", data, err)
	}
	var bin []schedule.Item
	data, _ = os.ReadFile(filepath.Join(lakeDir, filepath.FromSlash(plan[0].Bin)))
	if json.Unmarshal(data, &bin) != nil || len(bin) != 3 || bin[0].Account != "111122223333" || bin[2].Account != "444455556666" {
		t.Fatalf("bin 0: %s", data)
	}
	// The first bin holds 111122223333 (both regions): its us-east-1 samples
	// are converted for the closed hour 09:00, as that shard.
	code, out, errOut = run(t, nil, "run", "hourly", "--config", cfg, "--at", "2026-11-21T10:20:00Z", "--step", "convert", "--bin", plan[0].Bin, "--dry-run")
	if code != 0 || strings.Count(out, "seclake convert") != 9 || !strings.Contains(out, "--shard cloudtrail-444455556666-us-east-1") || strings.Contains(out, "777788889999") {
		t.Fatalf("bin dry run: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut = run(t, nil, "run", "hourly", "--config", cfg, "--at", "2026-11-21T10:20:00Z", "--step", "convert", "--bin", plan[0].Bin); code != 0 {
		t.Fatalf("bin run: exit %d %s", code, errOut)
	}
	w := lake.Window{From: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	st, _ := storage.NewLocal(lakeDir)
	m, err := lake.ReadManifest(context.Background(), st, convert.ManifestKey(w, "cloudtrail-111122223333-us-east-1"))
	if err != nil || m.Counts.RecordsWritten == 0 {
		t.Fatalf("shard manifest: %v %+v", err, m)
	}
	// The next activation weighs shards by what their previous hour read:
	// the one shard with data gets a bin of its own.
	code, out, errOut = run(t, nil, "run", "hourly", "--config", cfg, "--at", "2026-11-21T11:20:00Z", "--plan-out", "plans/next.json", "--dry-run")
	plan = nil
	if code != 0 || json.Unmarshal([]byte(out), &plan) != nil || len(plan) != 2 || plan[0].Shards+plan[1].Shards != 6 || min(plan[0].Shards, plan[1].Shards) != 1 {
		t.Fatalf("weighted plan: exit %d %s %s", code, out, errOut)
	}
}

// Flags given to run (or schedule, backfill) reach the commands it runs.
func TestRunForwardsCommonFlags(t *testing.T) {
	lakeDir := t.TempDir()
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	code, out, errOut := run(t, map[string]string{"SECLAKE_RAW": raw}, "run", "hourly", "--lake", lakeDir, "--log-level", "warn", "--at", "2026-11-21T10:20:00Z", "--step", "convert", "--dry-run")
	if code != 0 || !strings.Contains(out, "--lake "+lakeDir+" --log-level warn") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	if code, _, errOut := run(t, map[string]string{"SECLAKE_RAW": raw}, "run", "hourly", "--lake", lakeDir, "--at", "2026-11-21T10:20:00Z", "--step", "convert"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := len(manifests(t, lakeDir)); n != 3 {
		t.Fatalf("%d manifests in --lake", n)
	}
}
