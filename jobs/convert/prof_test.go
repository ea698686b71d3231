package convert

import (
	"context"
	"os"
	"testing"

	"github.com/seclake/seclake/internal/entity"
	"github.com/seclake/seclake/internal/extract"
	"github.com/seclake/seclake/internal/lake"
)

// TestProfileConvert converts PROFILE_RAW (with entity extraction) so that
// `go test -cpuprofile` can show where a real run spends its time. It does
// nothing unless PROFILE_RAW is set.
func TestProfileConvert(t *testing.T) {
	dir := os.Getenv("PROFILE_RAW")
	if dir == "" {
		t.Skip("set PROFILE_RAW to a raw log directory to profile a convert")
	}
	cfg := Config{Raw: localStore(t, dir), Lake: localStore(t, t.TempDir()), Workers: 2,
		Prefixes: []string{"AWSLogs/", "s3-access-logs/"},
		Writer:   lake.WriterOptions{MaxBufferedRows: 15000, MaxPartRows: 15000}}
	if os.Getenv("PROFILE_NOEXTRACT") == "" { // set it for the baseline profile (pprof -diff_base)
		cfg.Extraction = &extract.Extraction{Extractor: entity.New(entity.Options{})}
	}
	m, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(m.Counts)
}
