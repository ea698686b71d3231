package convert

import (
	"context"
	"github.com/seclake/seclake/internal/lake"
	"os"
	"testing"
)

func TestProfileConvert(t *testing.T) {
	dir := os.Getenv("PROFILE_RAW")
	if dir == "" {
		t.Skip()
	}
	m, err := Run(context.Background(), Config{Raw: localStore(t, dir), Lake: localStore(t, t.TempDir()), Workers: 2, Prefixes: []string{"AWSLogs/", "s3-access-logs/"}, Writer: lake.WriterOptions{MaxBufferedRows: 30000, MaxPartRows: 30000}})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(m.Counts)
}
