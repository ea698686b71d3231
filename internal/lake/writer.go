package lake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/seclake/seclake/internal/storage"
)

// Timed is a row pointer that knows its event time.
type Timed[T any] interface {
	*T
	Time() time.Time
}

// Group is where buffered rows go: the directory (a partition path under a
// table prefix) and the tag naming the unit of idempotence (for convert, the
// source and the delivery hour of the input objects). Parts are named from
// (Dir, Tag, sequence number), never from wall-clock time or randomness, so a
// rerun over the same inputs writes the same keys with the same bytes.
type Group struct {
	Dir string
	Tag string
}

// Output describes one committed Parquet part.
type Output struct {
	Key     string    `json:"key"`
	Rows    int64     `json:"rows"`
	Bytes   int64     `json:"bytes"`
	SHA256  string    `json:"sha256"`
	MinTime time.Time `json:"min_time"`
	MaxTime time.Time `json:"max_time"`
}

// WriterOptions bound a Writer's memory and size its files.
type WriterOptions struct {
	// MaxPartRows closes a part once a group buffers this many rows.
	MaxPartRows int
	// MaxBufferedRows bounds the rows buffered across all groups; past it the
	// largest group is flushed. Memory is proportional to this, not to input size.
	MaxBufferedRows int
	// RowGroupRows is the Parquet row group size (Athena wants ≤128 MB groups).
	RowGroupRows int64
	// FlushConcurrency is how many parts are encoded and uploaded at once;
	// Add blocks while that many are in flight.
	FlushConcurrency int
}

func (o WriterOptions) withDefaults() WriterOptions {
	if o.MaxPartRows <= 0 {
		o.MaxPartRows = 200_000
	}
	if o.MaxBufferedRows <= 0 {
		o.MaxBufferedRows = 200_000
	}
	if o.MaxBufferedRows < o.MaxPartRows {
		o.MaxPartRows = o.MaxBufferedRows
	}
	if o.RowGroupRows <= 0 {
		o.RowGroupRows = 100_000
	}
	if o.FlushConcurrency <= 0 {
		o.FlushConcurrency = 2
	}
	return o
}

type groupBuf[T any] struct {
	rows    []T
	seq     int
	touched int64 // the writer's Add count when this group last grew
}

// Writer buffers rows per group and writes each group as zstd Parquet parts,
// rows sorted by time (stable, so equal times keep arrival order). A part's
// rows are fixed when it is handed to a flush goroutine, so the bytes written
// do not depend on scheduling.
type Writer[T any, P Timed[T]] struct {
	store  storage.Store
	opts   WriterOptions
	groups map[Group]*groupBuf[T]
	total  int
	adds   int64
	schema *parquet.Schema
	sem    chan struct{}
	wg     sync.WaitGroup
	codec  *zstd.Codec // shared: its encoder pool is what makes parts cheap
	free   chan []T    // recycled row buffers

	mu      sync.Mutex // guards outputs and err
	outputs []Output
	err     error
}

// NewWriter returns a Writer putting parts into store.
func NewWriter[T any, P Timed[T]](store storage.Store, opts WriterOptions) *Writer[T, P] {
	var zero T
	return &Writer[T, P]{
		store:  store,
		opts:   opts.withDefaults(),
		groups: make(map[Group]*groupBuf[T]),
		schema: parquet.SchemaOf(zero),
		sem:    make(chan struct{}, max(opts.withDefaults().FlushConcurrency, 1)),
		codec:  &zstd.Codec{Level: zstd.SpeedFastest},
		free:   make(chan []T, max(opts.withDefaults().FlushConcurrency, 1)+1),
	}
}

func (w *Writer[T, P]) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Add buffers a copy of *row, flushing when a bound is reached.
func (w *Writer[T, P]) Add(ctx context.Context, g Group, row *T) error {
	if err := w.failed(); err != nil {
		return err
	}
	b := w.groups[g]
	if b == nil {
		b = &groupBuf[T]{}
		w.groups[g] = b
	}
	if b.rows == nil {
		select {
		case b.rows = <-w.free:
		default:
		}
	}
	b.rows = append(b.rows, *row)
	w.total++
	w.adds++
	b.touched = w.adds
	if len(b.rows) >= w.opts.MaxPartRows {
		return w.flush(ctx, g, b)
	}
	if w.total >= w.opts.MaxBufferedRows {
		return w.flushIdle(ctx)
	}
	return nil
}

// flushIdle writes the least recently grown groups until half the buffer is
// free. Inputs arrive in key order (account, region, time), so a group that
// stopped growing is almost always complete: it becomes one part instead of
// many small ones. The choice depends only on arrival order: deterministic.
func (w *Writer[T, P]) flushIdle(ctx context.Context) error {
	type cand struct {
		g Group
		b *groupBuf[T]
	}
	var cands []cand
	for g, b := range w.groups {
		if len(b.rows) > 0 {
			cands = append(cands, cand{g, b})
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].b.touched != cands[j].b.touched {
			return cands[i].b.touched < cands[j].b.touched
		}
		return groupLess(cands[i].g, cands[j].g)
	})
	for _, c := range cands {
		if w.total <= w.opts.MaxBufferedRows/2 {
			break
		}
		if err := w.flush(ctx, c.g, c.b); err != nil {
			return err
		}
	}
	return nil
}

func groupLess(a, b Group) bool {
	if a.Dir != b.Dir {
		return a.Dir < b.Dir
	}
	return a.Tag < b.Tag
}

// Close flushes every group, in key order, and returns all parts written.
func (w *Writer[T, P]) Close(ctx context.Context) ([]Output, error) {
	keys := make([]Group, 0, len(w.groups))
	for g, b := range w.groups {
		if len(b.rows) > 0 {
			keys = append(keys, g)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return groupLess(keys[i], keys[j]) })
	for _, g := range keys {
		if err := w.flush(ctx, g, w.groups[g]); err != nil {
			w.wg.Wait()
			return nil, err
		}
	}
	w.wg.Wait()
	if err := w.failed(); err != nil {
		return nil, err
	}
	out := w.outputs
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Written waits for the parts being flushed and returns every part put so
// far, including after a failure: what a failed run must clean up.
func (w *Writer[T, P]) Written() []Output {
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.outputs)
}

// Buffered is the number of rows not yet written.
func (w *Writer[T, P]) Buffered() int { return w.total }

// PartName names the seq-th part of a group.
func PartName(g Group, seq int) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%d", g.Dir, g.Tag, seq)))
	return "part-" + hex.EncodeToString(h[:10]) + ".parquet"
}

func (w *Writer[T, P]) flush(ctx context.Context, g Group, b *groupBuf[T]) error {
	rows := b.rows
	if len(rows) == 0 {
		return nil
	}
	seq := b.seq
	b.seq++
	b.rows = nil
	w.total -= len(rows)
	select {
	case w.sem <- struct{}{}:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer func() { <-w.sem }()
		out, err := w.writePart(ctx, g, seq, rows)
		clear(rows) // drop string references before the buffer is reused
		select {
		case w.free <- rows[:0]:
		default:
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		if err != nil {
			if w.err == nil {
				w.err = err
			}
			return
		}
		w.outputs = append(w.outputs, out)
	}()
	return nil
}

func (w *Writer[T, P]) writePart(ctx context.Context, g Group, seq int, rows []T) (Output, error) {
	rows = sortByTime[T, P](rows)
	data, err := encodeParquet(rows, w.schema, w.opts.RowGroupRows, w.codec)
	if err != nil {
		return Output{}, fmt.Errorf("lake: encode %s: %w", g.Dir, err)
	}
	key := joinKey(g.Dir, PartName(g, seq))
	if err := w.store.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{ContentType: "application/vnd.apache.parquet", Deferred: true}); err != nil {
		return Output{}, fmt.Errorf("lake: put %s: %w", key, err)
	}
	sum := sha256.Sum256(data)
	return Output{
		Key:     key,
		Rows:    int64(len(rows)),
		Bytes:   int64(len(data)),
		SHA256:  hex.EncodeToString(sum[:]),
		MinTime: P(&rows[0]).Time().UTC(),
		MaxTime: P(&rows[len(rows)-1]).Time().UTC(),
	}, nil
}

// sortByTime orders rows by time, stably. Rows usually arrive in order
// (CloudTrail and flow log files are written in time order), so it first
// checks; otherwise it sorts an index rather than moving wide structs around.
func sortByTime[T any, P Timed[T]](rows []T) []T {
	sorted := true
	for i := 1; i < len(rows); i++ {
		if P(&rows[i]).Time().Before(P(&rows[i-1]).Time()) {
			sorted = false
			break
		}
	}
	if sorted {
		return rows
	}
	idx := make([]int32, len(rows))
	times := make([]int64, len(rows))
	for i := range rows {
		idx[i] = int32(i)
		times[i] = P(&rows[i]).Time().UnixNano()
	}
	sort.SliceStable(idx, func(a, b int) bool { return times[idx[a]] < times[idx[b]] })
	out := make([]T, len(rows))
	for i, j := range idx {
		out[i] = rows[j]
	}
	copy(rows, out)
	return rows
}

// EncodeParquet writes rows as one zstd-compressed Parquet file with fixed
// writer settings, so equal rows always give equal bytes.
func EncodeParquet[T any](rows []T, schema *parquet.Schema, rowGroupRows int64) ([]byte, error) {
	return encodeParquet(rows, schema, rowGroupRows, &zstd.Codec{Level: zstd.SpeedFastest})
}

func encodeParquet[T any](rows []T, schema *parquet.Schema, rowGroupRows int64, codec *zstd.Codec) (_ []byte, err error) {
	defer func() {
		// parquet-go reports some internal invariant failures by panicking;
		// a bad batch must fail the run with an error, not crash the process.
		if r := recover(); r != nil {
			err = fmt.Errorf("parquet encoder panicked on %d rows of %T: %v", len(rows), rows[:0], r)
		}
	}()
	var buf bytes.Buffer
	opts := append([]parquet.WriterOption{
		parquet.Compression(codec),
		parquet.MaxRowsPerRowGroup(rowGroupRows),
		parquet.CreatedBy("seclake", "1", ""),
		parquet.PageBufferSize(256 << 10),
		// Page min/max stay in the column index (page pruning) and in the
		// column chunk statistics (row-group pruning); repeating them in every
		// data page header only costs a second bounds pass per page.
		parquet.DataPageStatistics(false),
	}, skipBounds(schema)...)
	pw := parquet.NewGenericWriter[T](&buf, append(opts, schema)...)
	for start := 0; start < len(rows); start += 4096 {
		end := min(start+4096, len(rows))
		if _, err := pw.Write(rows[start:end]); err != nil {
			return nil, err
		}
	}
	if err := pw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	if len(data) < 12 || string(data[:4]) != "PAR1" || string(data[len(data)-4:]) != "PAR1" {
		return nil, fmt.Errorf("parquet footer check failed (%d bytes)", len(data))
	}
	return data, nil
}

// blobColumns hold free-form JSON or raw bytes: no reader prunes on their
// min/max, so the writer does not compute them.
var blobColumns = map[string]bool{
	"request_parameters": true, "response_elements": true, "additional_event_data": true,
	"service_event_details": true, "resources": true, "user_identity": true, "unmapped": true,
	"addendum": true, "edge_device_details": true, "error_message": true, "raw": true,
}

var skipBoundsCache sync.Map // *parquet.Schema → []parquet.WriterOption

// skipBounds lists the columns whose page bounds are not worth computing:
// repeated leaves (the p_any_* lists and the nested entities, which readers
// query with list_contains/unnest, never by range) and the blob columns.
// Bounds of these columns cost as much as extracting the entities did.
func skipBounds(schema *parquet.Schema) []parquet.WriterOption {
	if v, ok := skipBoundsCache.Load(schema); ok {
		return v.([]parquet.WriterOption)
	}
	var opts []parquet.WriterOption
	var walk func(path []string, n parquet.Node, repeated bool)
	walk = func(path []string, n parquet.Node, repeated bool) {
		repeated = repeated || n.Repeated()
		if n.Leaf() {
			if repeated || blobColumns[path[0]] {
				opts = append(opts, parquet.SkipPageBounds(slices.Clone(path)...))
			}
			return
		}
		for _, f := range n.Fields() {
			walk(append(path, f.Name()), f, repeated)
		}
	}
	for _, f := range schema.Fields() {
		walk([]string{f.Name()}, f, false)
	}
	skipBoundsCache.Store(schema, opts)
	return opts
}
