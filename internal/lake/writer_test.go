package lake

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/schemas"
)

func newLocal(t *testing.T) (*storage.Local, string) {
	dir := t.TempDir()
	s, err := storage.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func rowsAt(base time.Time, n int) []schemas.CloudTrail {
	out := make([]schemas.CloudTrail, n)
	for i := range out {
		// deliberately out of order, with ties
		out[i] = schemas.CloudTrail{EventTime: base.Add(time.Duration((n-i)/2) * time.Second), EventName: "E", EventID: string(rune('a' + i%26)), SourceOffset: int64(i)}
	}
	return out
}

func TestWriterSortsBoundsAndIsDeterministic(t *testing.T) {
	ctx := context.Background()
	base := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	write := func() ([]Output, string) {
		s, dir := newLocal(t)
		w := NewWriter[schemas.CloudTrail](s, WriterOptions{MaxPartRows: 7, MaxBufferedRows: 12})
		for i, r := range rowsAt(base, 30) {
			g := Group{Dir: "events/cloudtrail/" + PartitionOf(r.EventTime, "us-east-1", "111122223333").Path(), Tag: []string{"a", "b"}[i%2]}
			if err := w.Add(ctx, g, &r); err != nil {
				t.Fatal(err)
			}
			if w.Buffered() > 12 {
				t.Fatalf("buffered %d rows, bound is 12", w.Buffered())
			}
		}
		outs, err := w.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return outs, dir
	}
	o1, dir := write()
	o2, _ := write()
	var total int64
	for i, o := range o1 {
		if o.Rows > 7 {
			t.Errorf("%s has %d rows, part bound is 7", o.Key, o.Rows)
		}
		total += o.Rows
		if o.SHA256 != o2[i].SHA256 || o.Key != o2[i].Key {
			t.Errorf("not deterministic: %v vs %v", o, o2[i])
		}
		rows, err := parquet.ReadFile[schemas.CloudTrail](filepath.Join(dir, filepath.FromSlash(o.Key)))
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(rows)) != o.Rows {
			t.Fatalf("%s: %d rows read, %d recorded", o.Key, len(rows), o.Rows)
		}
		for j := 1; j < len(rows); j++ {
			a, b := rows[j-1], rows[j]
			if b.EventTime.Before(a.EventTime) || b.EventTime.Equal(a.EventTime) && b.SourceOffset < a.SourceOffset {
				t.Fatalf("%s: rows out of order at %d", o.Key, j)
			}
		}
		if !o.MinTime.Equal(rows[0].EventTime) || !o.MaxTime.Equal(rows[len(rows)-1].EventTime) {
			t.Errorf("min/max times wrong")
		}
	}
	if total != 30 {
		t.Fatalf("wrote %d rows, want 30", total)
	}
}

func TestEncodeParquetIsZstdWithFooter(t *testing.T) {
	rows := rowsAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 100)
	data, err := EncodeParquet(rows, parquet.SchemaOf(schemas.CloudTrail{}), 1000)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "x.parquet")
	os.WriteFile(p, data, 0o644)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	for _, rg := range pf.Metadata().RowGroups {
		for _, c := range rg.Columns {
			if c.MetaData.Codec.String() != "ZSTD" {
				t.Fatalf("column %v codec %v", c.MetaData.PathInSchema, c.MetaData.Codec)
			}
		}
	}
}

func TestPartitionValuesCannotEscape(t *testing.T) {
	tm := time.Date(2026, 11, 21, 23, 59, 59, 0, time.FixedZone("x", 3600))
	p := PartitionOf(tm, "../../etc", "1111/2222")
	if p.Path() != "region=unknown/accountId=unknown/eventDay=20261121/eventHour=22" {
		t.Fatalf("got %s", p.Path())
	}
	if PartitionOf(tm, "", "").Region != Unknown {
		t.Fatal("empty region not unknown")
	}
}

func TestManifestRoundTripAndAccounting(t *testing.T) {
	ctx := context.Background()
	s, _ := newLocal(t)
	w := Window{From: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	key := ManifestKey("convert", w)
	if key != "runs/convert/20261121T090000Z-20261121T100000Z/manifest.json" {
		t.Fatalf("key %s", key)
	}
	bad := &Manifest{Job: "convert", Window: w, Counts: Counts{RecordsRead: 3, RecordsWritten: 1, RecordsQuarantined: 1}}
	if err := WriteManifest(ctx, s, key, bad); err == nil {
		t.Fatal("manifest with broken accounting was written")
	}
	good := &Manifest{Job: "convert", Window: w, Counts: Counts{RecordsRead: 3, RecordsWritten: 2, RecordsQuarantined: 1}}
	if err := WriteManifest(ctx, s, key, good); err != nil {
		t.Fatal(err)
	}
	got, err := ReadManifest(ctx, s, key)
	if err != nil || got.Counts != good.Counts || !got.Window.From.Equal(w.From) {
		t.Fatalf("%v %+v", err, got)
	}
	if !w.Contains(w.From) || w.Contains(w.To) {
		t.Fatal("window must be half-open")
	}
}

// TestIdleGroupsFlushAsWholeParts: with many groups arriving one after the
// other (as a key-ordered input does), a full buffer flushes the idle
// groups whole rather than one tiny part per Add.
func TestIdleGroupsFlushAsWholeParts(t *testing.T) {
	ctx := context.Background()
	s, _ := newLocal(t)
	w := NewWriter[schemas.CloudTrail](s, WriterOptions{MaxPartRows: 1000, MaxBufferedRows: 100})
	base := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	for g := 0; g < 50; g++ { // 50 groups of 20 rows, one group at a time
		for i := 0; i < 20; i++ {
			r := schemas.CloudTrail{EventTime: base.Add(time.Duration(g) * time.Hour)}
			if err := w.Add(ctx, Group{Dir: "events/x/" + PartitionOf(r.EventTime, "r", "a").Path()}, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	outs, err := w.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 50 {
		t.Fatalf("%d parts for 50 groups", len(outs))
	}
}
