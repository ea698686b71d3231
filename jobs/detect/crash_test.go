package detect

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/generate"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/testutil/failstore"
)

var (
	smallOnce sync.Once
	smallDir  string
	smallErr  error
	smallFrom = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
)

// smallLake is a small generated and converted lake (3 days, every attack
// scenario, a low benign rate, CloudTrail only) for tests that run detect many times.
func smallLake(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("generates and converts three days of logs")
	}
	smallOnce.Do(func() {
		dir, err := os.MkdirTemp("", "seclake-detect-small-")
		if err != nil {
			smallErr = err
			return
		}
		addTempRoot(dir)
		smallDir = filepath.Join(dir, "lake")
		cfg := generate.DefaultConfig()
		cfg.Start, cfg.Days, cfg.Rate, cfg.Accounts, cfg.Principals, cfg.Seed = smallFrom, 3, 60, 1, 8, 5
		cfg.Sources = []string{"cloudtrail"}
		_, _, smallErr = generateLake(dir, cfg)
	})
	if smallErr != nil {
		t.Fatal(smallErr)
	}
	return smallDir
}

// lakeSnapshot maps every object the detect job owns (all but events/) to
// the SHA-256 of its bytes; in-progress upload files count too, so a leftover
// one fails the comparison.
func lakeSnapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "events/") {
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

// TestDetectCrashAtEveryPutThenRerun: whichever write a detect run dies at,
// the window it was working on commits no manifest (windows committed before
// it are exactly those of an uninterrupted run, their outputs present with
// the listed hashes), and a rerun leaves exactly the bytes of a run that
// never failed — findings, baselines, stats and manifests — with no finding
// id repeated in the latest findings.
func TestDetectCrashAtEveryPutThenRerun(t *testing.T) {
	src := smallLake(t)
	ctx := context.Background()
	from, to := smallFrom.AddDate(0, 0, 1), smallFrom.AddDate(0, 0, 3)
	opts := func(st storage.Store, root string) Options {
		return Options{Lake: st, Root: root, From: from, To: to, BaselineDays: 2, Threads: 2}
	}
	clean := copyLake(t, src)
	st, err := storage.NewLocal(clean)
	if err != nil {
		t.Fatal(err)
	}
	counter := failstore.New(st, 1<<40)
	sum, err := Run(ctx, opts(counter, clean))
	if err != nil {
		t.Fatal(err)
	}
	want := lakeSnapshot(t, clean)
	puts := int(1<<40 - counter.Left.Load())
	if sum.Findings == 0 || sum.Windows != 2 || puts < 10 {
		t.Fatalf("clean run: %d findings, %d windows, %d puts: the test would prove little", sum.Findings, sum.Windows, puts)
	}
	t.Logf("clean run: %d puts, %d objects, %d findings", puts, len(want), sum.Findings)
	for n := 0; n < puts; n++ {
		dir := copyLake(t, src)
		local, err := storage.NewLocal(dir)
		if err != nil {
			t.Fatal(err)
		}
		fs := failstore.New(local, int64(n))
		if _, err := Run(ctx, opts(fs, dir)); !errors.Is(err, failstore.ErrInjected) {
			t.Fatalf("crash at put %d: err %v", n, err)
		}
		failedKey := fs.Failed()
		// Committed windows are whole; the crashed one is not committed.
		got := lakeSnapshot(t, dir)
		committed := 0
		for _, w := range Windows(from, to) {
			key := lake.ManifestKey("detect", w)
			h, ok := got[key]
			if !ok {
				continue
			}
			committed++
			if h != want[key] {
				t.Fatalf("crash at put %d (%s): manifest %s differs from the clean run's", n, failedKey, key)
			}
			var m lake.Manifest
			data, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			for _, o := range m.Outputs {
				if got[o.Key] != o.SHA256 {
					t.Fatalf("crash at put %d: committed window %s lists %s, missing or different", n, w.ID(), o.Key)
				}
			}
		}
		if committed == len(Windows(from, to)) {
			t.Fatalf("crash at put %d (%s): every window committed", n, failedKey)
		}
		// The rerun converges on the uninterrupted run's bytes.
		if _, err := Run(ctx, opts(local, dir)); err != nil {
			t.Fatalf("rerun after crash at put %d: %v", n, err)
		}
		got = lakeSnapshot(t, dir)
		for k, v := range want {
			if got[k] != v {
				t.Errorf("crash at put %d (%s), rerun: %s missing or different", n, failedKey, k)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("crash at put %d (%s), rerun: extra object %s", n, failedKey, k)
			}
		}
		latest, err := LatestFindings(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, f := range latest {
			if ids[f.FindingID] {
				t.Errorf("crash at put %d, rerun: finding %s twice in the latest findings", n, f.FindingID)
			}
			ids[f.FindingID] = true
		}
		if t.Failed() {
			return
		}
	}
}

// TestDetectCancelMidQueryThenRerun: a detect run whose context is
// cancelled at points spread over its run time (mostly inside DuckDB
// queries) returns the cancellation, leaves no temporary directory, commits
// no manifest for the window it was in, and a rerun gives the bytes of an
// uninterrupted run.
func TestDetectCancelMidQueryThenRerun(t *testing.T) {
	src := smallLake(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	from, to := smallFrom.AddDate(0, 0, 1), smallFrom.AddDate(0, 0, 3)
	opts := func(st storage.Store, root string) Options {
		return Options{Lake: st, Root: root, From: from, To: to, BaselineDays: 2, Threads: 2}
	}
	clean := copyLake(t, src)
	st, _ := storage.NewLocal(clean)
	began := time.Now()
	if _, err := Run(context.Background(), opts(st, clean)); err != nil {
		t.Fatal(err)
	}
	full := time.Since(began)
	want := lakeSnapshot(t, clean)
	for i := 1; i <= 5; i++ {
		after := full * time.Duration(i) / 6
		dir := copyLake(t, src)
		local, _ := storage.NewLocal(dir)
		ctx, cancel := context.WithTimeout(context.Background(), after)
		_, err := Run(ctx, opts(local, dir))
		cancel()
		if err == nil {
			t.Logf("cancel after %v: the run finished first", after)
		}
		committed := 0
		got := lakeSnapshot(t, dir)
		for _, w := range Windows(from, to) {
			if h, ok := got[lake.ManifestKey("detect", w)]; ok {
				committed++
				if h != want[lake.ManifestKey("detect", w)] {
					t.Errorf("cancel after %v: manifest of %s differs", after, w.ID())
				}
			}
		}
		if err != nil && committed == len(Windows(from, to)) {
			t.Errorf("cancel after %v: failed (%v) yet every window committed", after, err)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("cancel after %v: %d entries left in TMPDIR", after, len(left))
		}
		if _, err := Run(context.Background(), opts(local, dir)); err != nil {
			t.Fatalf("rerun after cancel at %v: %v", after, err)
		}
		got = lakeSnapshot(t, dir)
		if len(got) != len(want) {
			t.Errorf("cancel after %v, rerun: %d objects, want %d", after, len(got), len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("cancel after %v, rerun: %s missing or different", after, k)
			}
		}
		msg := fmt.Sprint(err)
		if i := strings.IndexByte(msg, '\n'); i > 0 {
			msg = msg[:i] + " …"
		}
		t.Logf("cancel after %v: err %s; %d windows committed before the rerun", after.Round(time.Millisecond), msg, committed)
	}
}
