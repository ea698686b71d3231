package lake

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/storage"
)

func putPart(t *testing.T, st storage.Store, key string) Output {
	t.Helper()
	if err := st.Put(context.Background(), key, strings.NewReader("part"), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	return Output{Key: key, Rows: 1}
}

// TestCommittedParts: parts are listed only when a committed manifest lists
// them (a run that died before its manifest is invisible), per table and
// day, each once however many manifests list it; the cache file carries
// what was read to the next reader, and a changed manifest is read again.
func TestCommittedParts(t *testing.T) {
	ctx := context.Background()
	st, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(t.TempDir(), "committed.json")
	day := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
	w1, w2, w3 := Window{From: day(1), To: day(2)}, Window{From: day(2), To: day(3)}, Window{From: day(3), To: day(4)}
	key := func(d, name string) string {
		return "events/cloudtrail/region=r/accountId=1/eventDay=" + d + "/eventHour=00/part-" + name + ".parquet"
	}
	n := func(k int64) Counts { return Counts{RecordsRead: k, RecordsWritten: k} }
	commit := func(w Window, m *Manifest) {
		t.Helper()
		if err := WriteManifest(ctx, st, ManifestKey("convert", w), m); err != nil {
			t.Fatal(err)
		}
	}
	commit(w1, &Manifest{Job: "convert", Window: w1, Outputs: []Output{putPart(t, st, key("20261001", "a")), putPart(t, st, key("20261002", "late"))}, Counts: n(2)})
	commit(w2, &Manifest{Job: "convert", Window: w2, Outputs: []Output{putPart(t, st, key("20261002", "b")),
		putPart(t, st, "quarantine/cloudtrail/eventDay=20261002/part-q.parquet")}, Counts: n(2)})
	// an extract run rewrites a committed part and lists it again
	commit(Window{}, &Manifest{Job: "extract", Outputs: []Output{{Key: key("20261002", "b")}}})
	// a run that dies after its data, before its manifest
	m3 := &Manifest{Job: "convert", Window: w3, Outputs: []Output{putPart(t, st, key("20261002", "c")), putPart(t, st, key("20261003", "d"))}, Counts: n(2)}

	c := NewCommitted(st, cache)
	got, err := c.Parts(ctx, "events/cloudtrail/", "20261002")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{key("20261002", "b"), key("20261002", "late")}; !slices.Equal(got, want) {
		t.Errorf("day 2: %v, want %v", got, want)
	}
	if got, _ := c.Parts(ctx, "events/cloudtrail/", "20261003"); len(got) != 0 {
		t.Errorf("day 3 has only uncommitted parts, got %v", got)
	}
	if got, _ := c.Parts(ctx, "events/vpcflow/"); len(got) != 0 {
		t.Errorf("another table: %v", got)
	}
	if got, _ := c.Parts(ctx, "quarantine/"); !slices.Equal(got, []string{"quarantine/cloudtrail/eventDay=20261002/part-q.parquet"}) {
		t.Errorf("quarantine: %v", got)
	}

	// The rerun commits them, each part once; the next reader finds the new
	// manifest through its cache.
	commit(w3, m3)
	c = NewCommitted(st, cache)
	all, err := c.Parts(ctx, "events/cloudtrail/")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{key("20261001", "a"), key("20261002", "b"), key("20261002", "c"), key("20261002", "late"), key("20261003", "d")}; !slices.Equal(all, want) {
		t.Errorf("after the rerun: %v, want %v", all, want)
	}
	// A rerun of window 1 that no longer writes the late part.
	commit(w1, &Manifest{Job: "convert", Window: w1, Outputs: []Output{{Key: key("20261001", "a")}}, Counts: n(1)})
	c = NewCommitted(st, cache)
	if got, _ := c.Parts(ctx, "events/cloudtrail/", "20261002"); !slices.Equal(got, []string{key("20261002", "b"), key("20261002", "c")}) {
		t.Errorf("after window 1 changed: %v", got)
	}
}
