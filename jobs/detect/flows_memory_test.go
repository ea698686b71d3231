package detect

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/generate"
)

// TestFlowHeavyDayInSmallMemory: a day of about 100k VPC flow records is
// scored under a 40 MB DuckDB limit and the exfiltration is found. The day
// profiles used to materialise the flows record by record and the exfil
// detector built destination lists and evidence for every (interface, /24):
// both ran out of memory here (and at 60 MB), as they did at the default
// 300 MB on a day of 1.7M flows.
func TestFlowHeavyDayInSmallMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and converts three days of flow logs")
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "lake")
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	cfg := generate.DefaultConfig()
	cfg.Start, cfg.Days, cfg.Rate, cfg.Accounts, cfg.Principals, cfg.Seed = start, 3, 6000, 2, 10, 5
	cfg.Sources = []string{"vpcflow"}
	lk, m, err := generateLake(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m.Counts.RecordsWritten < 250_000 {
		t.Fatalf("only %d flow records: the test needs a flow-heavy day", m.Counts.RecordsWritten)
	}
	sum, err := Run(context.Background(), Options{Lake: lk, Root: root, From: start.AddDate(0, 0, 2), To: start.AddDate(0, 0, 3),
		BaselineDays: 2, MemoryLimit: "40MB", Threads: 2})
	if err != nil {
		t.Fatalf("detect under 40 MB: %v", err)
	}
	if sum.ByDetector["exfil_vpc_bytes_out"] == 0 {
		t.Fatalf("the exfiltration over flow logs was not found: %+v", sum.ByDetector)
	}
}
