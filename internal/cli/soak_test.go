package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/generate"
	"github.com/seclake/seclake/internal/schedule"
	"github.com/seclake/seclake/internal/storage"
)

// soakRuns is the number of simulated hourly activations.
const soakRuns = 48

// settleGoroutines waits (real time, up to d) until at most n goroutines run
// and returns the count it saw last.
func settleGoroutines(n int, d time.Duration) int {
	deadline := time.Now().Add(d)
	for {
		g := runtime.NumGoroutine()
		if g <= n || time.Now().After(deadline) {
			return g
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// heapAfterGC is the live heap after two collections.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// osThreads is the process's thread count (Linux; 0 elsewhere): DuckDB's
// threads are not goroutines.
func osThreads() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

func avg(xs []uint64) float64 {
	var s float64
	for _, x := range xs {
		s += float64(x)
	}
	return s / float64(len(xs))
}

// TestSoakHourlyScheduler: 48 hourly activations (convert, detect, deliver)
// through `seclake schedule` on a fake clock, against a local lake of
// generated CloudTrail. Every run succeeds, and across the runs:
//   - goroutines do not grow (after each run they settle back to the count
//     after the first; after the daemon stops, to the count before it);
//   - the live heap after GC does not grow: the mean of the last 10 runs is
//     within 25 % + 4 MiB of the mean of the first 10;
//   - no temporary file is left in TMPDIR (a private one), in the working
//     directory or in the lake (in-progress uploads, mirror temps).
func TestSoakHourlyScheduler(t *testing.T) {
	if testing.Short() {
		t.Skip("48 scheduled hourly runs")
	}
	tmp := filepath.Join(t.TempDir(), "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)
	cwdBefore, _ := os.ReadDir(".")

	root := t.TempDir()
	rawDir, lakeDir := filepath.Join(root, "raw"), filepath.Join(root, "lake")
	raw, err := storage.NewLocal(rawDir)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	gc := generate.DefaultConfig()
	gc.Start, gc.Days, gc.Rate, gc.Accounts, gc.Principals, gc.Seed = start, 3, 60, 1, 8, 3
	gc.Sources = []string{"cloudtrail"}
	if _, err := generate.Run(context.Background(), gc, raw); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, "lake: "+lakeDir+"\nraw: "+rawDir+"\nconvert:\n  workers: 1\nschedule:\n  jobs: [hourly]\n  trailing_hours: 2\n")

	g0 := settleGoroutines(0, 200*time.Millisecond)
	th0 := osThreads()
	clock := schedule.NewFakeClock(start.Add(50 * time.Minute))
	var errb syncBuffer
	a := &App{Stdout: io.Discard, Stderr: &errb, Getenv: func(string) string { return "" }, Clock: clock}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- a.Run(ctx, []string{"schedule", "--config", cfg, "--log-level", "warn"}) }()
	if !clock.WaitFor(1, 10*time.Second) {
		t.Fatalf("daemon never waited: %s", errb.String())
	}

	statePath := filepath.Join(lakeDir, filepath.FromSlash(schedule.StatePrefix+"hourly.json"))
	var heaps []uint64
	var gAfter []int
	began := time.Now()
	for i := range soakRuns {
		at := start.Add(time.Duration(i+1)*time.Hour + schedule.Delay)
		clock.Set(at)
		deadline := time.Now().Add(60 * time.Second)
		var st schedule.State
		for !st.Last.Equal(at) {
			if time.Now().After(deadline) {
				t.Fatalf("run %d (%s) did not finish; state %+v; log:\n%s", i, at.Format(time.RFC3339), st, errb.String())
			}
			time.Sleep(5 * time.Millisecond)
			if data, err := os.ReadFile(statePath); err == nil {
				_ = json.Unmarshal(data, &st)
			}
		}
		if st.LastError != "" {
			t.Fatalf("run %d (%s) failed: %s", i, at.Format(time.RFC3339), st.LastError)
		}
		// The daemon is back to sleeping until the next activation.
		ref := 0
		if len(gAfter) > 0 {
			ref = gAfter[0]
		}
		g := settleGoroutines(ref, 2*time.Second)
		if i == 0 {
			g = settleGoroutines(0, 300*time.Millisecond) // steady state after the first run
		}
		gAfter = append(gAfter, g)
		heaps = append(heaps, heapAfterGC())
	}
	elapsed := time.Since(began)
	th1 := osThreads()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("schedule exit %d: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("schedule did not stop")
	}
	gEnd := settleGoroutines(g0, 5*time.Second)

	first, last := avg(heaps[:10]), avg(heaps[len(heaps)-10:])
	t.Logf("%d hourly runs in %.1fs: goroutines before %d, after run 1 %d, after run %d %d, after stop %d; OS threads before %d, after the runs %d; live heap first-10 mean %.1f MiB, last-10 mean %.1f MiB (%+.1f%%)",
		soakRuns, elapsed.Seconds(), g0, gAfter[0], soakRuns, gAfter[len(gAfter)-1], gEnd, th0, th1,
		first/(1<<20), last/(1<<20), 100*(last-first)/first)
	if gAfter[len(gAfter)-1] > gAfter[0] {
		t.Errorf("goroutines grew from %d after the first run to %d after the last", gAfter[0], gAfter[len(gAfter)-1])
	}
	if gEnd > g0 {
		var b bytes.Buffer
		_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
		t.Errorf("%d goroutines after the daemon stopped, %d before:\n%s", gEnd, g0, b.String())
	}
	if last > first*1.25+4<<20 {
		t.Errorf("live heap grew: first-10 mean %.1f MiB, last-10 mean %.1f MiB", first/(1<<20), last/(1<<20))
	}

	// No temporary files anywhere.
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		t.Errorf("TMPDIR holds %d entries after the runs: %v", len(left), names)
	}
	if cwdAfter, _ := os.ReadDir("."); len(cwdAfter) != len(cwdBefore) {
		t.Errorf("the working directory changed: %d entries, was %d", len(cwdAfter), len(cwdBefore))
	}
	_ = filepath.Walk(lakeDir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		name := info.Name()
		if (strings.HasPrefix(name, ".seclake-tmp-") && name != ".seclake-tmp-conditional.lock") || strings.HasPrefix(name, ".mirror-") {
			t.Errorf("temporary file left in the lake: %s", p)
		}
		return nil
	})
	// Every activation committed its detect windows.
	n := 0
	_ = filepath.Walk(filepath.Join(lakeDir, "runs", "detect"), func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Name() == "manifest.json" {
			n++
		}
		return nil
	})
	findings, _ := filepath.Glob(filepath.Join(lakeDir, "findings", "*", "*.parquet"))
	t.Logf("lake: %d detect manifests, %d findings parts", n, len(findings))
	if n == 0 || len(findings) == 0 {
		t.Error("no detect manifest or no findings in the lake")
	}
}
