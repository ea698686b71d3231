package detect

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/storage"
)

// BenchmarkDetect scores the last day of the lakes that `make bench-detect`
// builds (bench/lake-1m, bench/lake-10m: 15 days, ~50k principals) against a
// 14-day baseline whose daily profiles already exist (the daily path; the
// first, untimed run computes any that are missing). Reruns rewrite the same
// findings objects. Skips when the lakes are absent.
//
//	go test -tags duckdb_arrow -run '^$' -bench Detect -benchtime 3x ./jobs/detect
func BenchmarkDetect(b *testing.B) {
	for _, name := range []string{"lake-1m", "lake-10m"} {
		root := filepath.Join("..", "..", "bench", name)
		if _, err := os.Stat(filepath.Join(root, ".complete")); err != nil {
			b.Logf("%s absent (make bench-detect builds it)", root)
			continue
		}
		b.Run(name, func(b *testing.B) {
			st, err := storage.NewLocal(root)
			if err != nil {
				b.Fatal(err)
			}
			from := time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)
			opts := Options{Lake: st, Root: root, From: from, To: from.Add(24 * time.Hour), BaselineDays: 14}
			if _, err := Run(context.Background(), opts); err != nil { // warm the daily profiles
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				sum, err := Run(context.Background(), opts)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(sum.Findings), "findings")
			}
		})
	}
}
