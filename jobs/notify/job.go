// Package notify is the notify job: it selects the findings that first
// appeared in a window with status new, writes them as an ASFF batch to the
// lake (exports/asff/<window>/findings.json, for offline Security Hub
// import) and delivers them to the targets their router picks. A ledger
// (runs/notify/<window>/ledger.json) records what each target accepted, so a
// rerun after a partial failure sends only what is missing.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/notify"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/schemas"
)

// JobName names this job under runs/.
const JobName = "notify"

// Config is one notify run.
type Config struct {
	Lake    storage.Store
	Window  lake.Window // findings whose first appearance (window_end) is in it
	Targets []notify.Notifier
	Router  notify.Router
	ASFF    notify.ASFFOptions
	Logger  *slog.Logger
}

// Result summarises a run.
type Result struct {
	Selected  int            `json:"selected"`
	Delivered map[string]int `json:"delivered"` // per target, this run
	Skipped   map[string]int `json:"skipped"`   // per target, already delivered earlier
	ASFFKey   string         `json:"asff_key"`
}

// Ledger is what each target accepted in a window.
type Ledger struct {
	Window    lake.Window         `json:"window"`
	Delivered map[string][]string `json:"delivered"` // target → finding ids
}

// LedgerKey is where a window's ledger lives.
func LedgerKey(w lake.Window) string { return lake.RunPrefix(JobName) + w.ID() + "/ledger.json" }

// ASFFKey is where a window's ASFF batch lives.
func ASFFKey(w lake.Window) string { return "exports/asff/" + w.ID() + "/findings.json" }

// Run selects and delivers.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	fresh, err := NewFindings(ctx, cfg.Lake, cfg.Window)
	if err != nil {
		return nil, err
	}
	res := &Result{Selected: len(fresh), Delivered: map[string]int{}, Skipped: map[string]int{}, ASFFKey: ASFFKey(cfg.Window)}

	batch := notify.ASFFBatch{Findings: []notify.ASFF{}}
	for i := range fresh {
		batch.Findings = append(batch.Findings, notify.ToASFF(&fresh[i], cfg.ASFF))
	}
	data, err := json.MarshalIndent(batch, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := cfg.Lake.Put(ctx, res.ASFFKey, bytes.NewReader(append(data, '\n')), storage.PutOptions{ContentType: "application/json"}); err != nil {
		return nil, err
	}

	ledger := &Ledger{Window: cfg.Window, Delivered: map[string][]string{}}
	if rc, _, err := cfg.Lake.Get(ctx, LedgerKey(cfg.Window)); err == nil {
		b, _ := io.ReadAll(rc)
		rc.Close()
		if err := json.Unmarshal(b, ledger); err != nil {
			return nil, fmt.Errorf("notify: ledger: %w", err)
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	byTarget := cfg.Router.Split(fresh)
	var errs []error
	written := false
	for _, t := range cfg.Targets {
		done := map[string]bool{}
		for _, id := range ledger.Delivered[t.Name()] {
			done[id] = true
		}
		var todo []schemas.Finding
		for _, f := range byTarget[t.Name()] {
			if done[f.FindingID] {
				res.Skipped[t.Name()]++
				continue
			}
			todo = append(todo, f)
		}
		if len(todo) == 0 {
			continue
		}
		if err := t.Notify(ctx, todo); err != nil {
			cfg.Logger.Error("delivery failed", "target", t.Name(), "findings", len(todo), "error", err)
			errs = append(errs, err)
			continue
		}
		for _, f := range todo {
			ledger.Delivered[t.Name()] = append(ledger.Delivered[t.Name()], f.FindingID)
		}
		sort.Strings(ledger.Delivered[t.Name()])
		res.Delivered[t.Name()] = len(todo)
		// Record each target's delivery before the next target is tried:
		// a process that dies (or a target that hangs until it is killed)
		// later in the run does not make a rerun resend to this one.
		if err := putLedger(ctx, cfg.Lake, ledger); err != nil {
			return res, errors.Join(append(errs, err)...)
		}
		written = true
	}
	if !written { // nothing delivered this run: the ledger still records the window
		if err := putLedger(ctx, cfg.Lake, ledger); err != nil {
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

func putLedger(ctx context.Context, store storage.Store, l *Ledger) error {
	lb, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	if err := store.Put(ctx, LedgerKey(l.Window), bytes.NewReader(append(lb, '\n')), storage.PutOptions{ContentType: "application/json"}); err != nil {
		return fmt.Errorf("notify: ledger: %w", err)
	}
	return nil
}

// NewFindings returns the findings whose first row (earliest window_end of
// their finding_id) lies in w and whose latest row in w has status new,
// ordered by severity (highest first), then time and id. It reads the
// findings Parquet parts directly (findings are small), up to w's last day.
func NewFindings(ctx context.Context, store storage.Store, w lake.Window) ([]schemas.Finding, error) {
	lastDay := "99999999"
	if !w.To.IsZero() {
		lastDay = w.To.Add(-time.Nanosecond).UTC().Format("20060102")
	}
	first := map[string]time.Time{}
	latest := map[string]schemas.Finding{}
	err := store.List(ctx, "findings/", func(o storage.ObjectInfo) error {
		if !strings.HasSuffix(o.Key, ".parquet") {
			return nil
		}
		_, rest, _ := strings.Cut(o.Key, "eventDay=")
		if len(rest) >= 8 && rest[:8] > lastDay {
			return nil
		}
		rows, err := readFindings(ctx, store, o.Key)
		if err != nil {
			return err
		}
		for _, f := range rows {
			if t, ok := first[f.FindingID]; !ok || f.WindowEnd.Before(t) {
				first[f.FindingID] = f.WindowEnd
			}
			if !w.Contains(f.WindowEnd) {
				continue
			}
			if l, ok := latest[f.FindingID]; !ok || f.WindowEnd.After(l.WindowEnd) || f.WindowEnd.Equal(l.WindowEnd) && f.LastSeen.After(l.LastSeen) {
				latest[f.FindingID] = f
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("notify: read findings: %w", err)
	}
	var out []schemas.Finding
	for id, f := range latest {
		if w.Contains(first[id]) && f.Status == schemas.StatusNew {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if !a.WindowEnd.Equal(b.WindowEnd) {
			return a.WindowEnd.Before(b.WindowEnd)
		}
		return a.FindingID < b.FindingID
	})
	return out, nil
}

func readFindings(ctx context.Context, store storage.Store, key string) ([]schemas.Finding, error) {
	rc, _, err := store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return nil, err
	}
	rows, err := parquet.Read[schemas.Finding](bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return rows, nil
}
