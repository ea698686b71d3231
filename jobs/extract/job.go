// Package extract is the extract job: it (re)fills the entity columns of
// event parts already in the lake — partitions converted without extraction,
// or after analysts' feedback changed what to ignore. Each part is read,
// extracted with the same code convert uses, and rewritten in place under the
// same key, so the lake never holds two versions of an event. A run manifest
// (runs/extract/<window>/manifest.json) lists the parts rewritten.
package extract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	ext "github.com/seclake/seclake/internal/extract"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/schemas"
)

// JobName names this job in run manifests.
const JobName = "extract"

// Config is one extract run.
type Config struct {
	Lake       storage.Store
	Window     lake.Window // event-time window, by eventDay/eventHour partition
	Tables     []string    // default: every event table
	Extraction *ext.Extraction
	Logger     *slog.Logger
}

// Run rewrites the event parts of the window with fresh entity columns.
func Run(ctx context.Context, cfg Config) (*lake.Manifest, error) {
	if cfg.Lake == nil {
		return nil, errors.New("extract: --lake is required")
	}
	if cfg.Extraction == nil || cfg.Extraction.Extractor == nil {
		return nil, errors.New("extract: entity extraction is disabled (entities.extract: false)")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tables := cfg.Tables
	if len(tables) == 0 {
		tables = []string{"cloudtrail", "vpcflow", "s3access"}
	}
	m := &lake.Manifest{Job: JobName, Window: cfg.Window, Inputs: []lake.Input{}, Outputs: []lake.Output{}}
	for _, name := range tables {
		t, ok := schemas.Lookup(name)
		if !ok || !t.HasEntities() {
			return nil, fmt.Errorf("extract: %q is not an event table", name)
		}
		var keys []storage.ObjectInfo
		err := cfg.Lake.List(ctx, t.Prefix, func(o storage.ObjectInfo) error {
			if strings.HasSuffix(o.Key, ".parquet") && inWindow(o.Key, cfg.Window) {
				keys = append(keys, o)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, o := range keys {
			out, n, err := rewrite(ctx, cfg, name, o)
			if err != nil {
				return nil, err
			}
			m.Inputs = append(m.Inputs, lake.Input{Key: o.Key, ETag: o.ETag, Size: o.Size, Source: name, Records: n, Written: n})
			m.Outputs = append(m.Outputs, out)
			m.Counts.RecordsRead += n
			m.Counts.RecordsWritten += n
			m.Counts.FilesRead++
			m.Counts.BytesRead += o.Size
		}
	}
	if err := lake.WriteManifest(ctx, cfg.Lake, lake.ManifestKey(JobName, cfg.Window), m); err != nil {
		return nil, err
	}
	log.Info("extract committed", "parts", len(m.Outputs), "records", m.Counts.RecordsWritten)
	return m, nil
}

// inWindow reads eventDay/eventHour from a part's key.
func inWindow(key string, w lake.Window) bool {
	if w.From.IsZero() && w.To.IsZero() {
		return true
	}
	var day, hour string
	for _, seg := range strings.Split(key, "/") {
		if v, ok := strings.CutPrefix(seg, "eventDay="); ok {
			day = v
		}
		if v, ok := strings.CutPrefix(seg, "eventHour="); ok {
			hour = v
		}
	}
	t, err := time.Parse("2006010215", day+hour)
	if err != nil {
		return false
	}
	// the partition [t, t+1h) overlaps the window
	return (w.To.IsZero() || t.Before(w.To)) && (w.From.IsZero() || t.Add(time.Hour).After(w.From))
}

func rewrite(ctx context.Context, cfg Config, table string, o storage.ObjectInfo) (lake.Output, int64, error) {
	rc, _, err := cfg.Lake.Get(ctx, o.Key)
	if err != nil {
		return lake.Output{}, 0, err
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return lake.Output{}, 0, fmt.Errorf("extract: read %s: %w", o.Key, err)
	}
	var out []byte
	var n int64
	var minT, maxT time.Time
	switch table {
	case "cloudtrail":
		out, n, minT, maxT, err = redo(data, cfg.Extraction.CloudTrail)
	case "vpcflow":
		out, n, minT, maxT, err = redo(data, cfg.Extraction.VPCFlow)
	case "s3access":
		out, n, minT, maxT, err = redo(data, cfg.Extraction.S3Access)
	}
	if err != nil {
		return lake.Output{}, 0, fmt.Errorf("extract: %s: %w", o.Key, err)
	}
	if err := cfg.Lake.Put(ctx, o.Key, bytes.NewReader(out), storage.PutOptions{ContentType: "application/vnd.apache.parquet", Deferred: true}); err != nil {
		return lake.Output{}, 0, err
	}
	sum := sha256.Sum256(out)
	return lake.Output{Key: o.Key, Rows: n, Bytes: int64(len(out)), SHA256: hex.EncodeToString(sum[:]), MinTime: minT, MaxTime: maxT}, n, nil
}

type timedExtracted[T any] interface {
	*T
	Time() time.Time
	Extraction() *schemas.Extracted
}

// redo decodes a part, clears and refills its entity columns, and encodes it
// again with the lake's fixed writer settings (rows keep their order).
func redo[T any, P timedExtracted[T]](data []byte, fill func([]T)) ([]byte, int64, time.Time, time.Time, error) {
	rows, err := parquet.Read[T](bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, 0, time.Time{}, time.Time{}, err
	}
	if len(rows) == 0 {
		return data, 0, time.Time{}, time.Time{}, nil
	}
	for i := range rows {
		*P(&rows[i]).Extraction() = schemas.Extracted{}
	}
	for start := 0; start < len(rows); start += ext.ChunkRows {
		fill(rows[start:min(start+ext.ChunkRows, len(rows))])
	}
	var zero T
	out, err := lake.EncodeParquet(rows, parquet.SchemaOf(zero), 100_000)
	if err != nil {
		return nil, 0, time.Time{}, time.Time{}, err
	}
	return out, int64(len(rows)), P(&rows[0]).Time().UTC(), P(&rows[len(rows)-1]).Time().UTC(), nil
}
