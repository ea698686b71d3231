package convert

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/schemas"
)

// Shards of one window (the AWS hourly fan-out: one task per source, account
// and region) commit separately and never replace or delete each other's
// parts, even when their rows land in the same partition.
func TestShardsOfOneWindow(t *testing.T) {
	keyB := strings.Replace(fmt.Sprintf(ctKey, "b"), "AWSLogs/111122223333/", "AWSLogs/444455556666/", 1)
	keyB = strings.Replace(keyB, "/111122223333_", "/444455556666_", 1)
	raw := localStore(t, writeRaw(t, map[string][]byte{
		fmt.Sprintf(ctKey, "a"): gz(ctFile(3)),
		keyB:                    gz(ctFile(5)),
	}))
	lakeDir := t.TempDir()
	lk := localStore(t, lakeDir)
	win := lake.Window{From: mustParse(t, "2026-11-21T10:00:00Z"), To: mustParse(t, "2026-11-21T11:00:00Z")}
	shardA := Config{Raw: raw, Lake: lk, Window: win, Shard: "cloudtrail-111122223333-eu-west-1", Prefixes: []string{"AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/21/"}}
	shardB := Config{Raw: raw, Lake: lk, Window: win, Shard: "cloudtrail-444455556666-eu-west-1", Prefixes: []string{"AWSLogs/444455556666/CloudTrail/eu-west-1/2026/11/21/"}}
	ma, mb := run(t, shardA), run(t, shardB)
	if ma.Counts.RecordsWritten != 3 || mb.Counts.RecordsWritten != 5 {
		t.Fatalf("written a=%d b=%d", ma.Counts.RecordsWritten, mb.Counts.RecordsWritten)
	}
	if ma.Outputs[0].Key == mb.Outputs[0].Key {
		t.Fatalf("both shards wrote %s", ma.Outputs[0].Key)
	}
	run(t, shardA) // rerun of one shard
	if rows := readParts[schemas.CloudTrail](t, lakeDir, "events/cloudtrail/"); len(rows) != 8 {
		t.Fatalf("lake has %d rows after shard rerun, want 8", len(rows))
	}
	for _, k := range []string{ManifestKey(win, shardA.Shard), ManifestKey(win, shardB.Shard)} {
		if _, err := lk.Stat(t.Context(), k); err != nil {
			t.Errorf("manifest %s: %v", k, err)
		}
	}
	if err := (&Config{Raw: raw, Lake: lk, Shard: "a/b"}).Validate(); err == nil {
		t.Error("shard with a slash accepted")
	}
}

func mustParse(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// IfChanged: a re-run over the same objects is skipped (same manifest, no
// writes); a late object makes it convert again.
func TestIfChanged(t *testing.T) {
	rawDir := writeRaw(t, map[string][]byte{fmt.Sprintf(ctKey, "a"): gz(ctFile(3))})
	raw := localStore(t, rawDir)
	lakeDir := t.TempDir()
	lk := localStore(t, lakeDir)
	win := lake.Window{From: mustParse(t, "2026-11-21T10:00:00Z"), To: mustParse(t, "2026-11-21T11:00:00Z")}
	cfg := Config{Raw: raw, Lake: lk, Window: win, IfChanged: true}
	run(t, cfg)
	before := snapshot(t, lakeDir)
	if m := run(t, cfg); m.Counts.RecordsWritten != 3 {
		t.Fatalf("skipped run returned counts %+v", m.Counts)
	}
	if after := snapshot(t, lakeDir); !maps.Equal(before, after) {
		t.Fatal("skipped run changed the lake")
	}
	late := localStore(t, rawDir)
	// New events (other eventIDs than the first file's: equal ids would be deduplicated).
	lateFile := `{"Records":[` + ctEvent(100) + "," + ctEvent(101) + "]}"
	_ = late.Put(t.Context(), fmt.Sprintf(ctKey, "late"), strings.NewReader(string(gz([]byte(lateFile)))), storage.PutOptions{})
	if m := run(t, cfg); m.Counts.RecordsWritten != 5 {
		t.Fatalf("after a late object: written %d, want 5", m.Counts.RecordsWritten)
	}
}
