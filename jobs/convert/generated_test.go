package convert

import (
	"context"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/generate"
)

// TestGeneratedLogsConvertCleanly: everything the generator writes, attacks
// included, converts with zero quarantined records and every event accounted for.
func TestGeneratedLogsConvertCleanly(t *testing.T) {
	rawDir := t.TempDir()
	raw := localStore(t, rawDir)
	cfg := generate.DefaultConfig()
	cfg.Start = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	cfg.Days, cfg.Rate, cfg.Accounts, cfg.Principals = 1, 1500, 2, 16
	sum, err := generate.Run(context.Background(), cfg, raw)
	if err != nil {
		t.Fatal(err)
	}
	m := run(t, Config{Raw: raw, Lake: localStore(t, t.TempDir()), Prefixes: []string{"AWSLogs/", "s3-access-logs/"}, Workers: 2})
	want := sum.Events["cloudtrail"] + sum.Events["vpcflow"] + sum.Events["s3access"]
	if m.Counts.RecordsQuarantined != 0 || m.Counts.RecordsWritten != want {
		t.Fatalf("generated %d events (%v); converted %+v", want, sum.Events, m.Counts)
	}
	if int(m.Counts.FilesRead) != sum.Files-2 { // accounts.json and labels.json are outside the prefixes
		t.Errorf("read %d files, generator wrote %d log files", m.Counts.FilesRead, sum.Files-2)
	}
}
