package convert

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/schemas"
)

// TestDuplicateCloudTrailEventsBecomeOneRow: an eventID delivered twice, in
// one file or in two files of the same account, region and delivery hour,
// gives one row; the first copy in key order wins; the manifest counts the
// repeats and read = written + quarantined + duplicate.
func TestDuplicateCloudTrailEventsBecomeOneRow(t *testing.T) {
	ev := func(i int, ip string) string {
		return strings.Replace(ctEvent(i), fmt.Sprintf(`"198.51.100.%d"`, i%250), `"`+ip+`"`, 1)
	}
	file := func(evs ...string) []byte { return gz([]byte(`{"Records":[` + strings.Join(evs, ",") + `]}`)) }
	key := func(slot, name string) string {
		return "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/21/111122223333_CloudTrail_eu-west-1_20261121T" + slot + "Z_" + name + ".json.gz"
	}
	a, b, c := key("1005", "a"), key("1010", "b"), key("1105", "c")
	files := map[string][]byte{
		// id 1 twice in one file; the first copy (203.0.113.1) must win
		a: file(ev(1, "203.0.113.1"), ev(2, "203.0.113.1"), ev(1, "203.0.113.99"), ev(3, "203.0.113.1")),
		// ids 2 and 3 again in another file of the same delivery hour, plus a new id 4
		b: file(ev(2, "203.0.113.2"), ev(4, "203.0.113.2"), ev(3, "203.0.113.2")),
		// id 4 in the next delivery hour: another scope, kept (see dedupe.go)
		c: file(ev(4, "203.0.113.3")),
	}
	rawDir := writeRaw(t, files)
	for _, workers := range []int{1, 3} {
		lakeDir := t.TempDir()
		m := run(t, Config{Raw: localStore(t, rawDir), Lake: localStore(t, lakeDir), Workers: workers,
			Writer: lake.WriterOptions{MaxPartRows: 2, MaxBufferedRows: 2}}) // duplicates straddle part boundaries
		cn := m.Counts
		if cn.RecordsRead != 8 || cn.RecordsWritten != 5 || cn.RecordsDuplicate != 3 || cn.RecordsQuarantined != 0 {
			t.Fatalf("workers=%d: counts %+v, want read 8 = written 5 + duplicate 3", workers, cn)
		}
		if err := cn.Check(); err != nil {
			t.Fatal(err)
		}
		perInput := map[string][2]int64{}
		for _, in := range m.Inputs {
			perInput[in.Key] = [2]int64{in.Written, in.Duplicates}
			if in.Records != in.Written+in.Quarantined+in.Duplicates {
				t.Errorf("%s: %+v does not add up", in.Key, in)
			}
		}
		if perInput[a] != [2]int64{3, 1} || perInput[b] != [2]int64{1, 2} || perInput[c] != [2]int64{1, 0} {
			t.Errorf("per-input written/duplicates %v", perInput)
		}
		rows := readParts[schemas.CloudTrail](t, lakeDir, "events/cloudtrail")
		got := map[string][]string{}
		for _, r := range rows {
			got[r.EventID] = append(got[r.EventID], r.SourceIPAddress+"@"+filepath.Base(r.SourceObject))
		}
		want := map[string][]string{
			"id-000001": {"203.0.113.1@" + filepath.Base(a)},
			"id-000002": {"203.0.113.1@" + filepath.Base(a)},
			"id-000003": {"203.0.113.1@" + filepath.Base(a)},
			"id-000004": {"203.0.113.2@" + filepath.Base(b), "203.0.113.3@" + filepath.Base(c)},
		}
		for id, w := range want {
			g := got[id]
			if strings.Join(sortedCopy(g), ",") != strings.Join(sortedCopy(w), ",") {
				t.Errorf("workers=%d: %s rows %v, want %v", workers, id, g, w)
			}
		}
		if len(rows) != 5 {
			t.Errorf("%d rows, want 5", len(rows))
		}
	}
}

// TestDuplicatesRerunByteIdentical: dropping repeats does not make output
// depend on parallelism.
func TestDuplicatesRerunByteIdentical(t *testing.T) {
	files := map[string][]byte{}
	// ctFile reuses ids id-000000… in every file: three files of one hour
	// repeat each other's events.
	for i, slot := range []string{"1005", "1020", "1035"} {
		files["AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/21/111122223333_CloudTrail_eu-west-1_20261121T"+slot+"Z_x.json.gz"] = gz(ctFile(40 + 10*i))
	}
	rawDir := writeRaw(t, files)
	opts := lake.WriterOptions{MaxPartRows: 7, MaxBufferedRows: 10}
	d1, d2 := t.TempDir(), t.TempDir()
	m := run(t, Config{Raw: localStore(t, rawDir), Lake: localStore(t, d1), Workers: 1, Writer: opts})
	run(t, Config{Raw: localStore(t, rawDir), Lake: localStore(t, d2), Workers: 4, Writer: opts})
	if m.Counts.RecordsWritten != 60 || m.Counts.RecordsDuplicate != 90 {
		t.Fatalf("counts %+v, want 60 written, 90 duplicate", m.Counts)
	}
	s1, s2 := snapshot(t, d1), snapshot(t, d2)
	if len(s1) != len(s2) {
		t.Fatalf("%d vs %d objects", len(s1), len(s2))
	}
	for k, v := range s1 {
		if s2[k] != v {
			t.Errorf("%s differs between 1 and 4 workers", k)
		}
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
