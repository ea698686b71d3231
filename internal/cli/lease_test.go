package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/schedule"
	"github.com/seclake/seclake/internal/storage"
)

// lakeObjects maps every object of a local lake but the lock objects to the
// SHA-256 of its bytes. The baseline profile manifests
// (runs/detect-baseline/) are left out too: their fingerprint hashes the
// modification times of the event parts, so they differ between two lakes
// converted separately (within one lake, reruns keep them). Also left out:
// the empty file a local lake flocks for conditional puts.
func lakeObjects(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, schedule.LockPrefix) || strings.HasPrefix(rel, "runs/detect-baseline/") ||
			rel == ".seclake-tmp-conditional.lock" { // the local store's flock for conditional puts

			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		out[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// leaseLive reports whether locks/<job>.json in a local lake holds an
// unexpired lease.
func leaseLive(root, job string) bool {
	data, err := os.ReadFile(filepath.Join(root, schedule.LockPrefix+job+".json"))
	if err != nil {
		return false
	}
	var d struct{ Expires time.Time }
	return json.Unmarshal(data, &d) == nil && d.Expires.After(time.Now())
}

// TestConcurrentRunsOneLease: two `seclake run hourly` of the same
// activation on one lake (separate App instances, as two processes would
// be) do not overlap: the second finds the first's lease on
// locks/hourly.json and exits ExitLockHeld (75) at once, naming the holder,
// without writing; the lake ends byte for byte as after one run. A lease
// held by another owner (a daemon) stops a manual run the same way (with
// --wait, the run waits for the release and goes ahead), and the
// daemon's own in-process run is not stopped by the lease it holds
// (TestScheduleOnS3Lake, schedule tests).
func TestConcurrentRunsOneLease(t *testing.T) {
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	at := "2026-11-21T11:20:00Z"
	setup := func() (string, []string) {
		lakeDir := t.TempDir()
		cfg := writeConfig(t, "lake: "+lakeDir+"\nraw: "+raw+"\nconvert:\n  workers: 1\n")
		return lakeDir, []string{"run", "hourly", "--config", cfg, "--at", at, "--step", "convert,detect"}
	}

	// One run alone: the reference.
	refLake, args := setup()
	if code, _, errOut := run(t, nil, args...); code != 0 {
		t.Fatalf("reference run: exit %d: %s", code, errOut)
	}
	want := lakeObjects(t, refLake)
	if len(want) < 3 {
		t.Fatalf("reference run wrote %d objects", len(want))
	}

	// Two at once: the second starts while the first holds the lease.
	lakeDir, args := setup()
	first := make(chan string, 1)
	go func() {
		var errb bytes.Buffer
		a := &App{Stdout: &bytes.Buffer{}, Stderr: &errb, Getenv: func(string) string { return "" }}
		code := a.Run(context.Background(), args)
		if code != 0 {
			first <- errb.String()
			return
		}
		first <- ""
	}()
	deadline := time.Now().Add(60 * time.Second)
	for !leaseLive(lakeDir, "hourly") {
		if time.Now().After(deadline) {
			t.Fatal("the first run never took the lease")
		}
		time.Sleep(2 * time.Millisecond)
	}
	code, _, errOut := run(t, nil, args...)
	if code != ExitLockHeld || !strings.Contains(errOut, "holds the lake's lease") || !strings.Contains(errOut, "run:") {
		t.Errorf("second run: exit %d, want %d; stderr %s", code, ExitLockHeld, errOut)
	}
	if msg := <-first; msg != "" {
		t.Fatalf("first run failed: %s", msg)
	}
	got := lakeObjects(t, lakeDir)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s missing or different from the single run's", k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("extra object %s", k)
		}
	}
	if leaseLive(lakeDir, "hourly") {
		t.Error("the lease is still live after the run ended")
	}

	// A lease held by another owner (a daemon elsewhere): the manual run
	// writes nothing and exits 75; once released, the run goes ahead.
	lakeDir, args = setup()
	st, err := storage.NewLocal(lakeDir)
	if err != nil {
		t.Fatal(err)
	}
	l := &schedule.Locker{Store: st, Owner: "daemon-elsewhere", TTL: time.Hour, Clock: schedule.RealClock{}}
	lease, err := l.Acquire(context.Background(), "hourly", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut = run(t, nil, args...)
	if code != ExitLockHeld || !strings.Contains(errOut, "daemon-elsewhere") {
		t.Errorf("run under another owner's lease: exit %d; stderr %s", code, errOut)
	}
	if objs := lakeObjects(t, lakeDir); len(objs) != 0 {
		t.Errorf("run under another owner's lease wrote %v", objs)
	}
	// The other steps' jobs have their own leases.
	if code, _, errOut := run(t, nil, "run", "daily", "--config", args[3], "--at", "2026-11-22T01:40:00Z", "--step", "retention"); code == ExitLockHeld {
		t.Errorf("daily run blocked by the hourly lease: %s", errOut)
	}
	// --wait: a short wait still ends in 75; a longer one runs once the
	// holder releases.
	began := time.Now()
	if code, _, errOut := run(t, nil, append(args, "--wait", "300ms")...); code != ExitLockHeld || time.Since(began) < 300*time.Millisecond {
		t.Errorf("--wait 300ms under a held lease: exit %d after %v: %s", code, time.Since(began), errOut)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = lease.Release(context.Background())
	}()
	if code, _, errOut := run(t, nil, append(args, "--wait", "30s")...); code != 0 {
		t.Fatalf("run --wait 30s after release: exit %d: %s", code, errOut)
	}
	got = lakeObjects(t, lakeDir)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("after release: %s missing or different from the single run's", k)
		}
	}
}

// TestRunStopsWhenLeaseLost: a run whose lease is taken over (the lock
// object rewritten by another owner, found at the next renewal) stops with
// an error that says the lease was lost, instead of running on beside the
// new holder.
func TestRunStopsWhenLeaseLost(t *testing.T) {
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	lakeDir := t.TempDir()
	cfg := writeConfig(t, "lake: "+lakeDir+"\nraw: "+raw+"\nconvert:\n  workers: 1\n")
	clock := schedule.NewFakeClock(time.Now())
	var errb syncBuffer
	a := &App{Stdout: &bytes.Buffer{}, Stderr: &errb, Getenv: func(string) string { return "" }, Clock: clock}
	done := make(chan int, 1)
	go func() {
		done <- a.Run(context.Background(), []string{"run", "hourly", "--config", cfg, "--at", "2026-11-21T11:20:00Z", "--step", "convert,detect"})
	}()
	deadline := time.Now().Add(60 * time.Second)
	for !leaseLive(lakeDir, "hourly") {
		if time.Now().After(deadline) {
			t.Fatal("the run never took the lease")
		}
		time.Sleep(time.Millisecond)
	}
	// Once the run keeps its lease (Acquire done), another owner takes the
	// lock object over; the next renewal finds out.
	if !clock.WaitFor(1, 10*time.Second) {
		t.Fatal("the run does not renew its lease")
	}
	other := []byte(`{"owner":"thief","job":"hourly","expires":"` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}`)
	if err := os.WriteFile(filepath.Join(lakeDir, schedule.LockPrefix+"hourly.json"), other, 0o644); err != nil {
		t.Fatal(err)
	}
	clock.Advance(10 * time.Minute)
	code := <-done
	if code == 0 {
		t.Skip("the run finished before its renewal saw the takeover (a slow machine)")
	}
	if !strings.Contains(errb.String(), "lease lost") {
		t.Errorf("exit %d; stderr does not say the lease was lost:\n%s", code, errb.String())
	}
	data, _ := os.ReadFile(filepath.Join(lakeDir, schedule.LockPrefix+"hourly.json"))
	if !strings.Contains(string(data), "thief") {
		t.Errorf("the stopped run overwrote the new holder's lock: %s", data)
	}
}
