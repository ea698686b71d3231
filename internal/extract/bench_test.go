package extract

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/seclake/seclake/internal/entity"
	"github.com/seclake/seclake/internal/generate"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/internal/rawlog/cloudtrail"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/schemas"
)

// memWriter keeps what generate writes.
type memWriter struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (w *memWriter) Put(_ context.Context, key string, r io.Reader, _ storage.PutOptions) error {
	b, err := io.ReadAll(r)
	w.mu.Lock()
	w.files[key] = b
	w.mu.Unlock()
	return err
}

var (
	benchRowsOnce sync.Once
	benchRows     []schemas.CloudTrail
)

// denseCloudTrail parses one generated hour of the dense organisation make
// bench converts (36,000 events an hour, all attack scenarios).
func denseCloudTrail(b testing.TB) []schemas.CloudTrail {
	benchRowsOnce.Do(func() {
		cfg := generate.DefaultConfig()
		cfg.Days, cfg.Rate, cfg.Seed, cfg.Sources = 1, 36000, 11, []string{"cloudtrail"}
		w := &memWriter{files: map[string][]byte{}}
		if _, err := generate.Run(context.Background(), cfg, w); err != nil {
			b.Fatal(err)
		}
		p := &cloudtrail.Parser{}
		for key, data := range w.files {
			if !strings.HasSuffix(key, ".json.gz") || !strings.Contains(key, "T00") {
				continue
			}
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			_, err = p.Parse(context.Background(), zr, rawlog.Object{Key: key, Time: time.Now()}, rawlog.Sink[schemas.CloudTrail]{
				Row: func(r schemas.CloudTrail) error { benchRows = append(benchRows, r); return nil },
				Bad: func(rawlog.Bad) error { return nil },
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	if len(benchRows) == 0 {
		b.Fatal("no generated events")
	}
	return benchRows
}

// BenchmarkCloudTrail: extraction over one hour of dense generated
// CloudTrail in ChunkRows batches, as convert calls it; the copy of the
// rows it starts from each time is BenchmarkCloudTrailCopyOnly.
func BenchmarkCloudTrail(b *testing.B)         { benchCloudTrail(b, true) }
func BenchmarkCloudTrailCopyOnly(b *testing.B) { benchCloudTrail(b, false) }

func benchCloudTrail(b *testing.B, run bool) {
	src := denseCloudTrail(b)
	rows := make([]schemas.CloudTrail, len(src))
	x := &Extraction{Extractor: entity.New(entity.Options{})}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		copy(rows, src)
		if !run {
			continue
		}
		for i := 0; i < len(rows); i += ChunkRows {
			x.CloudTrail(rows[i:min(i+ChunkRows, len(rows))])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(rows)), "ns/event")
}

// BenchmarkCloudTrailEncode is convert's work after parsing, on the same
// hour: Parquet encoding alone (extract=false) and extraction plus encoding
// of the columns it fills (extract=true). Their ratio is what extraction
// adds to that part of convert.
func BenchmarkCloudTrailEncode(b *testing.B) {
	src := denseCloudTrail(b)
	schema := parquet.SchemaOf(schemas.CloudTrail{})
	x := &Extraction{Extractor: entity.New(entity.Options{})}
	extracted := make([]schemas.CloudTrail, len(src))
	copy(extracted, src)
	for i := 0; i < len(extracted); i += ChunkRows {
		x.CloudTrail(extracted[i:min(i+ChunkRows, len(extracted))])
	}
	// encode-only: the rows extracted beforehand, only encoded
	for _, ex := range []string{"false", "true", "encode-only"} {
		b.Run("extract="+ex, func(b *testing.B) {
			rows := make([]schemas.CloudTrail, len(src))
			var size int
			b.ReportAllocs()
			for b.Loop() {
				if ex == "encode-only" {
					copy(rows, extracted)
				} else {
					copy(rows, src)
				}
				if ex == "true" {
					for i := 0; i < len(rows); i += ChunkRows {
						x.CloudTrail(rows[i:min(i+ChunkRows, len(rows))])
					}
				}
				data, err := lake.EncodeParquet(rows, schema, 100_000)
				if err != nil {
					b.Fatal(err)
				}
				size = len(data)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(rows)), "ns/event")
			b.ReportMetric(float64(size), "parquet-bytes")
		})
	}
}
