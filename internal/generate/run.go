package generate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/seclake/seclake/internal/storage"
)

// Writer receives generated objects; storage.Store satisfies it.
type Writer interface {
	Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) error
}

var _ Writer = storage.Store(nil)

// Summary counts what Run wrote.
type Summary struct {
	Files     int
	Events    map[string]int64 // per source
	Bytes     int64            // stored bytes, all objects
	Scenarios int              // attack scenarios injected
}

// Label describes one injected scenario (attack or legitimate rare event).
type Label struct {
	ID           string   `json:"id"`
	Technique    string   `json:"technique"`
	AccountIDs   []string `json:"account_ids"`
	Principals   []string `json:"principals"`
	AccessKeyIDs []string `json:"access_key_ids"`
	SourceIPs    []string `json:"source_ips"`
	Start        string   `json:"start"`
	End          string   `json:"end"`
	EventIDs     []string `json:"event_ids"`
	SlowAndLow   bool     `json:"slow_and_low,omitempty"`
	Description  string   `json:"description"`

	startMs, endMs int64
}

// Labels is the content of labels.json.
type Labels struct {
	Scenarios  []*Label `json:"scenarios"`
	BenignRare []*Label `json:"benign_rare"`
}

type unitKey struct {
	acct int
	hour int64 // unix hour
}

type runner struct {
	cfg     Config
	org     *org
	out     Writer
	startMs int64
	endMs   int64

	ct     map[unitKey][]*plannedEvent
	flows  map[unitKey][]*plannedFlow
	s3     map[unitKey][]*plannedS3
	labels []*Label // attacks first, then benign rare (see nAttacks)
	nAtt   int

	vpcPerAR float64 // flow lines per account-region-hour at diurnal mean
	s3PerB   float64 // access-log lines per bucket-hour at diurnal mean

	mu      sync.Mutex
	sum     Summary
	lineIDs map[int][]string
}

// Run generates cfg's organisation and writes every object to out.
func Run(ctx context.Context, cfg Config, out Writer) (Summary, error) {
	if err := cfg.Validate(); err != nil {
		return Summary{}, err
	}
	g := newRunner(cfg, out)
	if err := g.putJSON(ctx, "accounts.json", map[string]any{"accounts": g.org.accounts}); err != nil {
		return g.sum, err
	}
	hours := int64(cfg.Days) * 24
	nUnits := hours * int64(len(g.org.accounts))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int64)
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for w := 0; w < max(cfg.Workers, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := newWorker(g)
			for u := range jobs {
				acct := int(u % int64(len(g.org.accounts)))
				hourMs := g.startMs + (u/int64(len(g.org.accounts)))*3_600_000
				if err := wk.unit(ctx, g.org.accounts[acct], hourMs); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
				}
			}
		}()
	}
feed:
	for u := int64(0); u < nUnits; u++ {
		select {
		case jobs <- u:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return g.sum, firstErr
	}
	if err := ctx.Err(); err != nil {
		return g.sum, err
	}
	if err := g.putJSON(ctx, "labels.json", g.finalLabels()); err != nil {
		return g.sum, err
	}
	return g.sum, nil
}

func newRunner(cfg Config, out Writer) *runner {
	start := cfg.Start.UTC().Truncate(time.Hour)
	g := &runner{
		cfg: cfg, out: out, org: buildOrg(cfg),
		startMs: start.UnixMilli(), endMs: start.Add(time.Duration(cfg.Days) * 24 * time.Hour).UnixMilli(),
		ct: map[unitKey][]*plannedEvent{}, flows: map[unitKey][]*plannedFlow{}, s3: map[unitKey][]*plannedS3{},
		lineIDs: map[int][]string{},
		sum:     Summary{Events: map[string]int64{}},
	}
	nAR := 0
	for _, a := range g.org.accounts {
		nAR += len(a.Regions)
	}
	g.vpcPerAR = float64(cfg.Rate) * 0.6 / float64(nAR)
	g.s3PerB = float64(cfg.Rate) * 0.3 / float64(3*len(g.org.accounts))
	g.plan()
	for _, l := range g.labels[:g.nAtt] {
		if len(l.EventIDs) > 0 || l.startMs > 0 {
			g.sum.Scenarios++
		}
	}
	return g
}

func (g *runner) finalLabels() Labels {
	var out Labels
	for i, l := range g.labels {
		c := *l
		if !g.cfg.wants(SourceCloudTrail) {
			c.EventIDs = nil
		}
		ids := append(slices.Clone(c.EventIDs), g.lineIDs[i]...)
		sort.Strings(ids)
		c.EventIDs = ids
		if c.EventIDs == nil {
			c.EventIDs = []string{}
		}
		if i < g.nAtt {
			out.Scenarios = append(out.Scenarios, &c)
		} else {
			out.BenignRare = append(out.BenignRare, &c)
		}
	}
	if out.Scenarios == nil {
		out.Scenarios = []*Label{}
	}
	return out
}

func (g *runner) putJSON(ctx context.Context, key string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("generate: encode %s: %w", key, err)
	}
	b = append(b, '\n')
	if err := g.out.Put(ctx, key, bytes.NewReader(b), storage.PutOptions{ContentType: "application/json"}); err != nil {
		return fmt.Errorf("generate: put %s: %w", key, err)
	}
	g.mu.Lock()
	g.sum.Files++
	g.sum.Bytes += int64(len(b))
	g.mu.Unlock()
	return nil
}

// worker owns the reusable buffers of one goroutine.
type worker struct {
	g    *runner
	buf  bytes.Buffer
	zw   *gzip.Writer
	line []byte
	evs  []ev
	fl   []flow
	s3   []s3line
	lam  []float64
}

func newWorker(g *runner) *worker {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return &worker{g: g, zw: zw, line: make([]byte, 0, 1<<17)}
}

func (w *worker) unit(ctx context.Context, a *Account, hourMs int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if w.g.cfg.wants(SourceCloudTrail) {
		if err := w.cloudTrail(ctx, a, hourMs); err != nil {
			return err
		}
	}
	if w.g.cfg.wants(SourceVPCFlow) {
		if err := w.vpcFlow(ctx, a, hourMs); err != nil {
			return err
		}
	}
	if w.g.cfg.wants(SourceS3Access) {
		if err := w.s3Access(ctx, a, hourMs); err != nil {
			return err
		}
	}
	return nil
}

// begin starts a gzip member in w.buf; flush moves w.line into it.
func (w *worker) begin() {
	w.buf.Reset()
	w.zw.Reset(&w.buf)
	w.line = w.line[:0]
}

func (w *worker) flush(force bool) error {
	if len(w.line) >= 1<<16 || (force && len(w.line) > 0) {
		if _, err := w.zw.Write(w.line); err != nil {
			return err
		}
		w.line = w.line[:0]
	}
	return nil
}

func (w *worker) put(ctx context.Context, key, source string, n int64, gz bool, scenLines map[int][]string) error {
	if gz {
		if err := w.flush(true); err != nil {
			return err
		}
		if err := w.zw.Close(); err != nil {
			return fmt.Errorf("generate: gzip %s: %w", key, err)
		}
	}
	ct := "application/x-gzip"
	if !gz {
		ct = "text/plain"
	}
	if err := w.g.out.Put(ctx, key, bytes.NewReader(w.buf.Bytes()), storage.PutOptions{ContentType: ct}); err != nil {
		return fmt.Errorf("generate: put %s: %w", key, err)
	}
	w.g.mu.Lock()
	w.g.sum.Files++
	w.g.sum.Bytes += int64(w.buf.Len())
	w.g.sum.Events[source] += n
	for s, ids := range scenLines {
		w.g.lineIDs[s] = append(w.g.lineIDs[s], ids...)
	}
	w.g.mu.Unlock()
	return nil
}

func (w *worker) cloudTrail(ctx context.Context, a *Account, hourMs int64) error {
	g := w.g
	hour := hourMs / 3_600_000
	r := newRand(g.cfg.Seed, streamCloudTrail, uint64(a.idx), uint64(hour))
	t := time.UnixMilli(hourMs).UTC()
	w.lam = w.lam[:0]
	for _, p := range g.org.byAcct[a.idx] {
		w.lam = append(w.lam, g.org.scale*p.weight*activity(p, t)/12)
	}
	prefix := t.Format("2006-01-02T15:")
	planned := g.ct[unitKey{a.idx, hour}]
	for s := int64(0); s < 12; s++ {
		slotMs := hourMs + s*300_000
		w.evs = g.benignSlot(w.evs[:0], r, a, w.lam, slotMs)
		for _, pe := range planned {
			if pe.ms >= slotMs && pe.ms < slotMs+300_000 {
				w.evs = append(w.evs, ev{ms: pe.ms, region: pe.region, pe: pe, r: hs(pe.eventID)})
			}
		}
		sortEvents(w.evs)
		for i := 0; i < len(w.evs); {
			j := i
			for j < len(w.evs) && w.evs[j].region == w.evs[i].region {
				j++
			}
			if err := w.ctFile(ctx, a, w.evs[i:j], slotMs, hourMs, prefix); err != nil {
				return err
			}
			i = j
		}
	}
	return nil
}

func (w *worker) ctFile(ctx context.Context, a *Account, evs []ev, slotMs, hourMs int64, prefix string) error {
	region := evs[0].region
	key := cloudTrailKey(a.ID, region, slotMs, fileID(h(uint64(w.g.cfg.Seed), uint64(a.idx), hs(region), uint64(slotMs)), 16))
	w.begin()
	w.line = append(w.line, `{"Records":[`...)
	for i := range evs {
		if i > 0 {
			w.line = append(w.line, ',')
		}
		w.line = w.g.appendEvent(w.line, &evs[i], prefix, hourMs)
		if err := w.flush(false); err != nil {
			return err
		}
	}
	w.line = append(w.line, "]}"...)
	return w.put(ctx, key, SourceCloudTrail, int64(len(evs)), true, nil)
}
