package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/schedule"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/testutil/minio"
)

// syncBuffer is a bytes.Buffer safe for the daemon's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The daemon through the CLI on a fake clock, against an S3 lake (MinIO):
// lake init, one hourly activation (its convert step writes the hour's
// manifests), state and lock objects in the lake, clean stop.
func TestScheduleOnS3Lake(t *testing.T) {
	srv := minio.Start(t)
	env := map[string]string{
		"AWS_ACCESS_KEY_ID": srv.AccessKey, "AWS_SECRET_ACCESS_KEY": srv.SecretKey,
		"SECLAKE_S3_ENDPOINT": srv.Endpoint, "SECLAKE_S3_PATH_STYLE": "true", "SECLAKE_KMS_KEY": srv.KMSKeyID,
	}
	for k, v := range env {
		if strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, v)
		}
	}
	lakeURI := "s3://" + srv.Bucket + "/lake"
	raw := filepath.Join(repoRoot(t), "testdata", "raw")
	if code, out, errOut := run(t, env, "lake", "init", "--lake", lakeURI); code != 0 || !strings.Contains(out, "lifecycle rules") {
		t.Fatalf("lake init: exit %d %s %s", code, out, errOut)
	}
	// MinIO has no storage classes, so the daily check reports the missing transitions.
	if code, _, errOut := run(t, env, "lake", "retention", "--lake", lakeURI); code != 1 || !strings.Contains(errOut, "STANDARD_IA") {
		t.Fatalf("lake retention on MinIO: exit %d %s", code, errOut)
	}
	cfg := writeConfig(t, "lake: "+lakeURI+"\nraw: "+raw+"\nschedule:\n  jobs: [hourly]\n  trailing_hours: 2\n")

	clock := schedule.NewFakeClock(time.Date(2026, 11, 21, 10, 50, 0, 0, time.UTC))
	var errb syncBuffer
	a := &App{Stdout: io.Discard, Stderr: &errb, Getenv: func(k string) string { return env[k] }, Clock: clock}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- a.Run(ctx, []string{"schedule", "--config", cfg, "--log-format", "json"}) }()
	if !clock.WaitFor(1, 10*time.Second) {
		t.Fatalf("daemon never waited: %s", errb.String())
	}
	clock.Set(time.Date(2026, 11, 21, 11, 20, 0, 0, time.UTC))
	st, err := storage.NewS3(context.Background(), func() storage.S3Options { o := srv.Options(); o.Prefix = "lake"; return o }())
	if err != nil {
		t.Fatal(err)
	}
	var state schedule.State
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		rc, _, err := st.Get(context.Background(), schedule.StatePrefix+"hourly.json")
		if err == nil {
			_ = json.NewDecoder(rc).Decode(&state)
			rc.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !state.Last.Equal(time.Date(2026, 11, 21, 11, 20, 0, 0, time.UTC)) {
		t.Fatalf("state %+v; log:\n%s", state, errb.String())
	}
	for _, k := range []string{
		"runs/convert/20261121T090000Z-20261121T100000Z/manifest.json",
		"runs/convert/20261121T100000Z-20261121T110000Z/manifest.json",
		schedule.LockPrefix + "hourly.json",
	} {
		if _, err := st.Stat(context.Background(), k); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("schedule exit %d: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("schedule did not stop")
	}
	for _, want := range []string{`"msg":"run started"`, `"msg":"scheduler stopped"`} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, errb.String())
		}
	}
}
