package lake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/seclake/seclake/internal/storage"
)

// ManifestName is the file name of a run manifest inside its run folder.
const ManifestName = "manifest.json"

// Manifest records one job run over one window. It is written last, after
// every data object, so its presence is the commit point of the run; it holds
// no wall-clock time, so a rerun over the same inputs writes the same bytes.
type Manifest struct {
	Job     string   `json:"job"`
	Window  Window   `json:"window"`
	Sources []string `json:"sources,omitempty"`
	Inputs  []Input  `json:"inputs"`
	Outputs []Output `json:"outputs"`
	Counts  Counts   `json:"counts"`
}

// Window is the half-open time range [From, To) of a run; zero values mean
// unbounded.
type Window struct {
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

// ID names the window in object keys: "20261121T09-20261121T10", or "all".
func (w Window) ID() string {
	f, t := "start", "end"
	if w.From.IsZero() && w.To.IsZero() {
		return "all"
	}
	if !w.From.IsZero() {
		f = w.From.UTC().Format("20060102T150405Z")
	}
	if !w.To.IsZero() {
		t = w.To.UTC().Format("20060102T150405Z")
	}
	return f + "-" + t
}

// Contains reports whether t falls in the window.
func (w Window) Contains(t time.Time) bool {
	if !w.From.IsZero() && t.Before(w.From) {
		return false
	}
	if !w.To.IsZero() && !t.Before(w.To) {
		return false
	}
	return true
}

// Input is one raw object a run read.
type Input struct {
	Key         string `json:"key"`
	ETag        string `json:"etag"`
	Size        int64  `json:"size"`
	Source      string `json:"source"`
	Records     int64  `json:"records"`
	Written     int64  `json:"written"`
	Quarantined int64  `json:"quarantined"`
	// Duplicates are records dropped because an earlier record of the run
	// (same scope, same event id) was already written; Records = Written +
	// Quarantined + Duplicates.
	Duplicates int64  `json:"duplicates,omitempty"`
	Skipped    bool   `json:"skipped,omitempty"`
	SkipReason string `json:"skip_reason,omitempty"`
	Error      string `json:"error,omitempty"`
}

// Counts are a run's totals. The invariant RecordsRead = RecordsWritten +
// RecordsQuarantined + RecordsDuplicate holds for every committed manifest.
type Counts struct {
	RecordsRead        int64 `json:"records_read"`
	RecordsWritten     int64 `json:"records_written"`
	RecordsQuarantined int64 `json:"records_quarantined"`
	// RecordsDuplicate counts records not written because they repeat one
	// already written (CloudTrail: the same eventID delivered twice).
	RecordsDuplicate  int64 `json:"records_duplicate"`
	FilesRead         int64 `json:"files_read"`
	FilesSkipped      int64 `json:"files_skipped"`
	BytesRead         int64 `json:"bytes_read"`
	BytesDecompressed int64 `json:"bytes_decompressed"`
}

// Check verifies the accounting invariant.
func (c Counts) Check() error {
	if c.RecordsRead != c.RecordsWritten+c.RecordsQuarantined+c.RecordsDuplicate {
		return fmt.Errorf("lake: accounting broken: read %d != written %d + quarantined %d + duplicate %d",
			c.RecordsRead, c.RecordsWritten, c.RecordsQuarantined, c.RecordsDuplicate)
	}
	return nil
}

// ManifestKey is where the manifest of a job's window lives.
func ManifestKey(job string, w Window) string {
	return RunPrefix(job) + w.ID() + "/" + ManifestName
}

// WriteManifest checks the accounting, makes every data object put before it
// durable, and stores m at key: the commit point of the run.
func WriteManifest(ctx context.Context, store storage.Store, key string, m *Manifest) error {
	if err := m.Counts.Check(); err != nil {
		return err
	}
	if err := storage.Flush(ctx, store); err != nil {
		return fmt.Errorf("lake: make data durable before the manifest: %w", err)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	return store.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{ContentType: "application/json"})
}

// ReadManifest loads the manifest at key; a missing one gives storage.ErrNotFound.
func ReadManifest(ctx context.Context, store storage.Store, key string) (*Manifest, error) {
	rc, _, err := store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("lake: read manifest %s: %w", key, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("lake: decode manifest %s: %w", key, err)
	}
	return &m, nil
}
