package convert

import (
	"reflect"
	"testing"

	"github.com/seclake/seclake/internal/entity"
	"github.com/seclake/seclake/internal/extract"
	"github.com/seclake/seclake/schemas"
)

// TestExtractionFillsEveryBatch: convert extracts entities per worker batch;
// every row, the last partial batch of an object included, carries them,
// and they equal what a backfill of the stored rows computes in one call.
func TestExtractionFillsEveryBatch(t *testing.T) {
	n := 2*batchRows + 77
	raw := map[string][]byte{
		"AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/21/111122223333_CloudTrail_eu-west-1_20261121T1000Z_a.json.gz": gz(ctFile(n)),
	}
	lakeDir := t.TempDir()
	x := &extract.Extraction{Extractor: entity.New(entity.Options{})}
	m := run(t, Config{Raw: localStore(t, writeRaw(t, raw)), Lake: localStore(t, lakeDir), Workers: 2, Extraction: x})
	if m.Counts.RecordsWritten != int64(n) {
		t.Fatalf("wrote %d of %d", m.Counts.RecordsWritten, n)
	}
	got := readParts[schemas.CloudTrail](t, lakeDir, "events/cloudtrail/")
	if len(got) != n {
		t.Fatalf("read %d rows, want %d", len(got), n)
	}
	want := make([]schemas.CloudTrail, len(got))
	for i, r := range got {
		if r.TypedEntities == 0 || r.SourceIPClass == "" || len(r.PAnyIPAddresses) != 1 {
			t.Fatalf("row %d (%s) has no entities: bits %b, class %q, ips %v", i, r.EventID, r.TypedEntities, r.SourceIPClass, r.PAnyIPAddresses)
		}
		r.Extracted, r.SourceIPClass, r.UserAgentClass = schemas.Extracted{}, "", ""
		want[i] = r
	}
	x.CloudTrail(want)
	for i := range got {
		if !reflect.DeepEqual(normalize(got[i].Extracted), normalize(want[i].Extracted)) || got[i].SourceIPClass != want[i].SourceIPClass {
			t.Fatalf("row %d: converted\n%+v\nbackfilled\n%+v", i, got[i].Extracted, want[i].Extracted)
		}
	}
}

// normalize makes nil and empty lists equal (Parquet reads both back the same).
func normalize(e schemas.Extracted) schemas.Extracted {
	v := reflect.ValueOf(&e).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Slice && f.Len() == 0 {
			f.Set(reflect.Zero(f.Type()))
		}
	}
	return e
}
