package convert

import (
	"context"
	"os"
	"testing"
)

func TestProfileConvert(t *testing.T) {
	dir := os.Getenv("PROFILE_RAW")
	if dir == "" {
		t.Skip()
	}
	m, err := Run(context.Background(), Config{Raw: localStore(t, dir), Lake: localStore(t, t.TempDir()), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(m.Counts)
}
