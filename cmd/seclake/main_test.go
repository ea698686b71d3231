package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/schedule"
)

// The test binary doubles as seclake when SECLAKE_TEST_MAIN=1.
func TestMain(m *testing.M) {
	if os.Getenv("SECLAKE_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// `seclake schedule` as a real process: it catches up the activations
// missed since the state in the lake, logs each run, and exits 0 on
// SIGTERM.
func TestScheduleProcessSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	lakeDir, rawDir := filepath.Join(dir, "lake"), filepath.Join(dir, "raw")
	_ = os.MkdirAll(rawDir, 0o755)
	sch, _ := schedule.Specs()[0].Schedule()
	last := schedule.Prev(sch, time.Now().UTC()).Add(-2 * time.Hour) // two activations missed
	st, _ := json.Marshal(schedule.State{Job: schedule.Hourly, Last: last})
	_ = os.MkdirAll(filepath.Join(lakeDir, "schedule", "state"), 0o755)
	if err := os.WriteFile(filepath.Join(lakeDir, "schedule", "state", "hourly.json"), st, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "seclake.yaml")
	_ = os.WriteFile(cfg, []byte("lake: "+lakeDir+"\nraw: "+rawDir+"\nlog:\n  format: json\nschedule:\n  jobs: [hourly]\n  trailing_hours: 1\n"), 0o644)

	cmd := exec.Command(os.Args[0], "schedule", "--config", cfg)
	cmd.Env = append(os.Environ(), "SECLAKE_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var log []string
	ended := 0
	deadline := time.After(60 * time.Second)
	for ended < 2 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("process ended early:\n%s", strings.Join(log, "\n"))
			}
			log = append(log, l)
			// Each catch-up run ends (failed on this branch's missing detect
			// command, or finished): one log line per run.
			if strings.Contains(l, `"msg":"run finished"`) || strings.Contains(l, `"msg":"run failed"`) {
				ended++
			}
		case <-deadline:
			_ = cmd.Process.Kill()
			t.Fatalf("catch-up runs did not end:\n%s", strings.Join(log, "\n"))
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for l := range lines {
			log = append(log, l)
		}
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, strings.Join(log, "\n"))
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("no exit within 30 s of SIGTERM")
	}
	if !strings.Contains(strings.Join(log, "\n"), `"msg":"scheduler stopped"`) {
		t.Errorf("no stop line:\n%s", strings.Join(log, "\n"))
	}
	data, _ := os.ReadFile(filepath.Join(lakeDir, "schedule", "state", "hourly.json"))
	var got schedule.State
	if json.Unmarshal(data, &got) != nil || !got.Last.After(last) {
		t.Errorf("state after catch-up: %s", data)
	}
}
