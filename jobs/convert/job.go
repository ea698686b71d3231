// Package convert is the convert job: raw AWS logs in their delivery layout →
// partitioned zstd Parquet in the lake, bad records → quarantine, and a run
// manifest written last as the commit point.
//
// Objects are parsed in parallel by workers but consumed in key order by one
// sequencer, so the rows reaching each Parquet part arrive in the same order on
// every run and reruns are byte-identical. Parts are named from (table,
// partition, source, delivery hour of the inputs, sequence): a rerun of a window
// overwrites exactly its own files; parts a previous run of the same window
// wrote and this one did not are deleted after the new manifest is committed.
package convert

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/seclake/seclake/internal/extract"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/internal/rawlog/cloudtrail"
	"github.com/seclake/seclake/internal/rawlog/s3access"
	"github.com/seclake/seclake/internal/rawlog/vpcflow"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/schemas"
)

// JobName names this job in run manifests.
const JobName = "convert"

// ErrWrongSource is returned when --source names a source that none of the
// objects with content look like.
var ErrWrongSource = errors.New("convert: no input object matches the requested --source")

// Config is one convert run.
type Config struct {
	Raw  storage.Store // where raw logs are read
	Lake storage.Store // where Parquet, quarantine and manifests go
	// Prefixes limits the run to raw keys under these prefixes (all when empty).
	// Objects are read in key order across all of them.
	Prefixes []string
	Source   string      // "auto" (or "") or one of rawlog.Sources
	Window   lake.Window // delivery-time window of the inputs
	// Shard names one slice of the raw logs converted on its own (a
	// (source, account, region) item of the AWS hourly fan-out, with
	// Prefixes selecting it). It is part of the manifest key and of every
	// part's name, so shards of one window never replace each other's parts;
	// "" is the whole raw store. Use one sharding consistently per lake.
	Shard string
	// IfChanged skips the run when the window already has a manifest whose
	// inputs (keys and ETags) are exactly the objects listed now: the
	// hourly job's trailing re-runs cost one listing when nothing arrived late.
	IfChanged bool
	Workers   int // parallel parsers; default NumCPU
	// VPCFlowFormat is the field list for header-less flow logs in a custom format.
	VPCFlowFormat []string
	Writer        lake.WriterOptions
	// Extraction fills the entity columns of every row; nil converts without.
	Extraction *extract.Extraction
	Logger     *slog.Logger
	// Progress, when set, is called after each input object.
	Progress func(Progress)
}

// Progress is reported after every input object.
type Progress struct {
	FilesDone  int64
	BytesRead  int64
	RecordsIn  int64
	CurrentKey string
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.Raw == nil {
		return errors.New("convert: --raw is required")
	}
	if c.Lake == nil {
		return errors.New("convert: --lake is required")
	}
	switch c.Source {
	case "", "auto", string(rawlog.CloudTrail), string(rawlog.VPCFlow), string(rawlog.S3Access):
	default:
		return fmt.Errorf("convert: --source %q: want auto, cloudtrail, vpcflow or s3access", c.Source)
	}
	if !c.Window.From.IsZero() && !c.Window.To.IsZero() && !c.Window.From.Before(c.Window.To) {
		return fmt.Errorf("convert: --from %s must be before --to %s", c.Window.From.Format(time.RFC3339), c.Window.To.Format(time.RFC3339))
	}
	if c.Shard != "" && (strings.ContainsAny(c.Shard, "/\\=@") || storage.ValidateKey(c.Shard) != nil) {
		return fmt.Errorf("convert: --shard %q: use letters, digits, '-', '_' and '.'", c.Shard)
	}
	if c.Workers < 0 {
		return fmt.Errorf("convert: --workers %d must be ≥ 0", c.Workers)
	}
	return nil
}

// batch carries one object's output to the sequencer, in order.
type batch struct {
	ct   []schemas.CloudTrail
	vf   []schemas.VPCFlow
	s3   []schemas.S3Access
	bad  []schemas.Quarantine
	done *objResult
}

type objResult struct {
	input    lake.Input
	bytes    int64  // decompressed bytes
	mismatch bool   // explicit --source disagreed with the content
	looks    string // what the content looked like on a mismatch
	hasData  bool
	err      error // fatal for the run (context, storage)
}

type task struct {
	info storage.ObjectInfo
	lay  rawlog.Layout
	out  chan batch
}

const batchRows = 512 // ≤ extract.ChunkRows: one extraction call per batch

// Run converts the window and commits it with a manifest.
func Run(ctx context.Context, cfg Config) (*lake.Manifest, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	workers := cfg.Workers
	if workers == 0 {
		workers = runtime.NumCPU()
	}
	manifestKey := ManifestKey(cfg.Window, cfg.Shard)
	prev, err := lake.ReadManifest(ctx, cfg.Lake, manifestKey)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}

	if cfg.IfChanged && prev != nil {
		same, err := sameInputs(ctx, &cfg, prev)
		if err != nil {
			return nil, fmt.Errorf("convert: list raw objects: %w", err)
		}
		if same {
			log.Info("convert skipped: inputs unchanged since the committed run", "manifest", manifestKey, "inputs", len(prev.Inputs))
			return prev, nil
		}
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	tasks := make(chan *task)
	ordered := make(chan *task, workers*2)
	listErr := make(chan error, 1)
	go func() {
		defer close(tasks)
		defer close(ordered)
		listErr <- listPrefixes(ctx, cfg.Raw, cfg.Prefixes, func(info storage.ObjectInfo) error {
			lay := rawlog.ParseKey(info.Key)
			t := lay.Time
			if t.IsZero() {
				t = info.LastModified
			}
			if !cfg.Window.Contains(t) {
				return nil
			}
			lay.Time = t
			tk := &task{info: info, lay: lay, out: make(chan batch, 4)}
			select {
			case ordered <- tk:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			select {
			case tasks <- tk:
			case <-ctx.Done():
				// tk is already in ordered: the consumer drains tk.out,
				// which no worker will ever close now.
				close(tk.out)
				return context.Cause(ctx)
			}
			return nil
		})
	}()
	for range workers {
		go func() {
			res := newResources()
			for tk := range tasks {
				w := &worker{cfg: &cfg, ctx: ctx, tk: tk, res: res}
				w.run()
				close(tk.out)
			}
		}()
	}

	seq := newSequencer(&cfg)
	var runErr error
	for tk := range ordered {
		if runErr != nil {
			for range tk.out { // drain so workers can finish
			}
			continue
		}
		if err := seq.consume(ctx, tk); err != nil {
			runErr = err
			cancel(err)
		}
	}
	if err := <-listErr; err != nil && runErr == nil {
		runErr = fmt.Errorf("convert: list raw objects: %w", err)
	}
	if runErr != nil {
		removeUncommitted(ctx, cfg.Lake, seq, prev, log)
		return nil, runErr
	}
	m, err := seq.finish(ctx)
	if err != nil {
		removeUncommitted(ctx, cfg.Lake, seq, prev, log)
		return nil, err
	}
	m.Window = cfg.Window
	if cfg.Source != "" && cfg.Source != "auto" {
		m.Sources = []string{cfg.Source}
	}
	if err := lake.WriteManifest(ctx, cfg.Lake, manifestKey, m); err != nil {
		return nil, fmt.Errorf("convert: commit manifest: %w", err)
	}
	if prev != nil {
		if err := deleteStale(ctx, cfg.Lake, prev, m); err != nil {
			return nil, err
		}
	}
	log.Info("convert committed", "manifest", manifestKey,
		"records_read", m.Counts.RecordsRead, "records_written", m.Counts.RecordsWritten,
		"records_quarantined", m.Counts.RecordsQuarantined, "files_read", m.Counts.FilesRead,
		"files_skipped", m.Counts.FilesSkipped, "outputs", len(m.Outputs))
	if seq.withData > 0 && seq.mismatched == seq.withData {
		return m, fmt.Errorf("%w: --source %s, but all %d objects with content look like %s (they are quarantined; rerun with --source auto)",
			ErrWrongSource, cfg.Source, seq.withData, strings.Join(slices.Sorted(maps.Keys(seq.looks)), " or "))
	}
	return m, nil
}

// sameInputs reports whether the objects of the window are exactly prev's inputs.
func sameInputs(ctx context.Context, cfg *Config, prev *lake.Manifest) (bool, error) {
	want := make(map[string]string, len(prev.Inputs))
	for _, in := range prev.Inputs {
		want[in.Key] = in.ETag
	}
	n := 0
	errDiffers := errors.New("differs")
	err := listPrefixes(ctx, cfg.Raw, cfg.Prefixes, func(info storage.ObjectInfo) error {
		t := rawlog.ParseKey(info.Key).Time
		if t.IsZero() {
			t = info.LastModified
		}
		if !cfg.Window.Contains(t) {
			return nil
		}
		if etag, ok := want[info.Key]; !ok || etag != info.ETag {
			return errDiffers
		}
		n++
		return nil
	})
	if errors.Is(err, errDiffers) {
		return false, nil
	}
	return err == nil && n == len(want), err
}

// ManifestKey is where a run of window w (and shard, if any) commits.
func ManifestKey(w lake.Window, shard string) string {
	if shard == "" {
		return lake.ManifestKey(JobName, w)
	}
	return lake.RunPrefix(JobName) + w.ID() + "/shard=" + shard + "/" + lake.ManifestName
}

// listPrefixes lists the objects under each prefix, in key order overall:
// prefixes are sorted and ones nested in another are dropped, so no object is
// listed twice.
func listPrefixes(ctx context.Context, store storage.Store, prefixes []string, fn func(storage.ObjectInfo) error) error {
	if len(prefixes) == 0 {
		return store.List(ctx, "", fn)
	}
	ps := slices.Clone(prefixes)
	slices.Sort(ps)
	var kept []string
	for _, p := range ps {
		if len(kept) > 0 && strings.HasPrefix(p, kept[len(kept)-1]) {
			continue
		}
		kept = append(kept, p)
	}
	for _, p := range kept {
		if err := store.List(ctx, p, fn); err != nil {
			return err
		}
	}
	return nil
}

// removeUncommitted deletes, best effort, the parts a failed run put that the
// window's committed manifest (if any) does not list, so a run that fails
// cleanly (disk full, read-only lake, S3 errors, cancellation) leaves no part
// readers could mistake for data. Parts at keys the manifest lists are kept:
// the same inputs give them the same bytes. It runs only before the manifest
// put starts: once that put is tried, its outcome may be unknown, and
// deleting parts a committed manifest lists would lose data. A crash
// (SIGKILL) leaves parts behind; the manifest stays the commit point.
func removeUncommitted(ctx context.Context, store storage.Store, seq *sequencer, prev *lake.Manifest, log *slog.Logger) {
	keep := map[string]bool{}
	if prev != nil {
		for _, o := range prev.Outputs {
			keep[o.Key] = true
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	for _, key := range seq.written() {
		if keep[key] {
			continue
		}
		if err := store.Delete(ctx, key); err != nil {
			log.Warn("convert: could not remove a part of the failed run", "key", key, "error", err)
		}
	}
}

// cleanupTimeout bounds the deletes of a failed run.
const cleanupTimeout = 30 * time.Second

// deleteStale removes parts a previous run of the same window committed and
// this run did not rewrite.
func deleteStale(ctx context.Context, store storage.Store, prev, cur *lake.Manifest) error {
	keep := make(map[string]bool, len(cur.Outputs))
	for _, o := range cur.Outputs {
		keep[o.Key] = true
	}
	for _, o := range prev.Outputs {
		if keep[o.Key] {
			continue
		}
		if err := store.Delete(ctx, o.Key); err != nil {
			return fmt.Errorf("convert: delete stale part %s: %w", o.Key, err)
		}
	}
	return nil
}

// resources are a worker goroutine's reusable buffers and parsers, so an
// object costs no fresh megabyte-sized allocations.
type resources struct {
	raw  *bufio.Reader // over the stored bytes
	body *bufio.Reader // over the decompressed bytes
	gz   *gzip.Reader
	ct   cloudtrail.Parser
	s3   s3access.Parser
}

func newResources() *resources {
	return &resources{raw: bufio.NewReaderSize(nil, 256<<10), body: bufio.NewReaderSize(nil, 1<<20)}
}

// worker parses one object and streams its output.
type worker struct {
	cfg *Config
	ctx context.Context
	tk  *task
	res *resources
	cur batch
	out objResult
}

// extract fills the entity columns of the batch about to be sent. Entities
// are extracted per batch of one object's rows just parsed, while those rows
// are still in the CPU caches: the same call at flush time, on a part's
// 15,000 rows long gone cold, cost about 0.9 CPU seconds more per GB.
// Results are per row, so the batching does not change them (the extract
// job's backfill of a part gives the same rows).
func (w *worker) extract() {
	if x := w.cfg.Extraction; x != nil {
		x.CloudTrail(w.cur.ct)
		x.VPCFlow(w.cur.vf)
		x.S3Access(w.cur.s3)
	}
}

func (w *worker) send() error {
	w.extract()
	select {
	case w.tk.out <- w.cur:
		w.cur = batch{}
		return nil
	case <-w.ctx.Done():
		return context.Cause(w.ctx)
	}
}

func (w *worker) quarantine(source string, stage string, offset, line int64, raw []byte, size int64, err error) {
	q := schemas.Quarantine{
		EventTime:    w.tk.lay.Time,
		Source:       source,
		SourceObject: w.tk.info.Key,
		SourceETag:   w.tk.info.ETag,
		SourceOffset: offset,
		SourceLine:   line,
		Stage:        stage,
		Error:        err.Error(),
		RawSize:      max(int64(len(raw)), size),
	}
	if len(raw) > schemas.RawLimit {
		raw = raw[:schemas.RawLimit]
	}
	// A record cut by the parser (too large) is truncated even when the
	// parser could not measure its full size.
	q.RawTruncated = q.RawSize > int64(len(raw)) || errors.Is(err, rawlog.ErrTooLarge)
	if len(raw) > 0 {
		q.Raw = append([]byte(nil), raw...)
	}
	w.cur.bad = append(w.cur.bad, q)
	w.out.input.Quarantined++
	w.out.input.Records++
}

func (w *worker) run() {
	tk := w.tk
	w.out.input = lake.Input{Key: tk.info.Key, ETag: tk.info.ETag, Size: tk.info.Size}
	defer func() {
		w.cur.done = &w.out
		w.extract()
		select {
		case tk.out <- w.cur:
		case <-w.ctx.Done():
		}
	}()
	if tk.lay.NonData != "" {
		w.out.input.Source = string(tk.lay.Source)
		w.out.input.Skipped, w.out.input.SkipReason = true, tk.lay.NonData
		return
	}
	rc, _, err := w.cfg.Raw.Get(w.ctx, tk.info.Key)
	if err != nil {
		w.out.err = fmt.Errorf("convert: open %s: %w", tk.info.Key, err)
		return
	}
	defer rc.Close()
	stored := &countingReader{r: rc}
	br := w.res.raw
	br.Reset(stored)
	defer br.Reset(nil)
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		var err error
		if w.res.gz == nil {
			w.res.gz, err = gzip.NewReader(br)
		} else {
			err = w.res.gz.Reset(br)
		}
		if err != nil {
			w.res.gz = nil
			w.quarantine(w.sourceGuess(), "decompress", 0, 0, nil, 0, fmt.Errorf("gzip header: %w", err))
			w.finishCounts(stored, nil)
			return
		}
		src = w.res.gz
	}
	plain := &countingReader{r: src}
	body := w.res.body
	body.Reset(plain)
	defer body.Reset(nil)
	defer w.finishCounts(stored, plain)

	head, herr := body.Peek(64 << 10)
	if herr != nil && !errors.Is(herr, io.EOF) && !errors.Is(herr, bufio.ErrBufferFull) {
		w.quarantine(w.sourceGuess(), "decompress", 0, 0, head, 0, fmt.Errorf("read: %w", herr))
		return
	}
	if len(head) == 0 {
		return // empty object: no records
	}
	w.out.hasData = true
	source, err := w.decide(head)
	if err != nil {
		raw, _ := io.ReadAll(io.LimitReader(body, schemas.RawLimit+1))
		w.quarantine(source, "detect", 0, 0, raw, 0, err)
		w.drainForSize(body)
		return
	}
	w.out.input.Source = source
	obj := rawlog.Object{
		Key: tk.info.Key, ETag: tk.info.ETag, Size: tk.info.Size, Time: tk.lay.Time,
		Account: tk.lay.Account, Region: tk.lay.Region,
	}
	var st rawlog.Stats
	switch rawlog.Source(source) {
	case rawlog.CloudTrail:
		w.cur.ct = make([]schemas.CloudTrail, 0, batchRows)
		st, err = w.res.ct.Parse(w.ctx, body, obj, rawlog.Sink[schemas.CloudTrail]{
			Row: func(r schemas.CloudTrail) error {
				if w.cur.ct == nil {
					w.cur.ct = make([]schemas.CloudTrail, 0, batchRows)
				}
				w.cur.ct = append(w.cur.ct, r)
				return w.maybeSend(len(w.cur.ct))
			},
			Bad: w.badSink(source),
		})
	case rawlog.VPCFlow:
		st, err = (&vpcflow.Parser{Format: w.cfg.VPCFlowFormat}).Parse(w.ctx, body, obj, rawlog.Sink[schemas.VPCFlow]{
			Row: func(r schemas.VPCFlow) error {
				w.cur.vf = append(w.cur.vf, r)
				return w.maybeSend(len(w.cur.vf))
			},
			Bad: w.badSink(source),
		})
	case rawlog.S3Access:
		st, err = w.res.s3.Parse(w.ctx, body, obj, rawlog.Sink[schemas.S3Access]{
			Row: func(r schemas.S3Access) error {
				w.cur.s3 = append(w.cur.s3, r)
				return w.maybeSend(len(w.cur.s3))
			},
			Bad: w.badSink(source),
		})
	}
	// Records counted by the sinks (rows + bads) must match the parser's own count.
	rows := w.out.input.Written
	bads := w.out.input.Quarantined
	if st.Skipped {
		w.out.input.Skipped, w.out.input.SkipReason = true, st.SkipReason
	}
	if err != nil {
		if w.ctx.Err() != nil {
			w.out.err = context.Cause(w.ctx)
			return
		}
		w.quarantine(source, "parse", plain.n, 0, nil, 0,
			fmt.Errorf("rest of object unreadable after %d decompressed bytes: %w", plain.n, err))
		w.drainForSize(body)
		return
	}
	if st.Records != rows+bads {
		w.out.err = fmt.Errorf("convert: %s: parser counted %d records but emitted %d rows + %d bad", tk.info.Key, st.Records, rows, bads)
	}
}

// maybeSend ships the batch when it is full, counting the row just added.
func (w *worker) maybeSend(n int) error {
	w.out.input.Written++
	w.out.input.Records++
	if n >= batchRows {
		return w.send()
	}
	return nil
}

func (w *worker) badSink(source string) func(rawlog.Bad) error {
	return func(b rawlog.Bad) error {
		w.quarantine(source, "parse", b.Offset, b.Line, b.Raw, b.Size, b.Err)
		if len(w.cur.bad) >= batchRows {
			return w.send()
		}
		return nil
	}
}

// drainForSize reads what is left so bytes counts are complete; errors are
// already accounted for by the caller.
func (w *worker) drainForSize(r io.Reader) { _, _ = io.Copy(io.Discard, r) }

func (w *worker) finishCounts(stored, plain *countingReader) {
	w.out.input.Size = max(w.out.input.Size, stored.n)
	if plain != nil {
		w.out.bytes = plain.n
	}
}

// sourceGuess is the source named by the key layout or --source, for
// quarantine rows of objects that could not even be opened.
func (w *worker) sourceGuess() string {
	if s := w.cfg.Source; s != "" && s != "auto" {
		return s
	}
	if w.tk.lay.Source != "" {
		return string(w.tk.lay.Source)
	}
	return "unknown"
}

// decide picks the parser: --source when given (refusing content that plainly
// belongs to another source), else the key layout, else the content.
func (w *worker) decide(head []byte) (string, error) {
	sniffed := sniff(head)
	if s := w.cfg.Source; s != "" && s != "auto" {
		if sniffed != "" && sniffed != s && !sniffs(rawlog.Source(s), head) {
			w.out.mismatch, w.out.looks = true, sniffed
			return s, fmt.Errorf("--source %s, but the object looks like %s", s, sniffed)
		}
		return s, nil
	}
	if w.tk.lay.Source != "" {
		return string(w.tk.lay.Source), nil
	}
	if sniffed == "" && looksLikeJSON(head) {
		// CloudTrail is the only JSON source: its parser skips notification
		// bodies and quarantines each broken record with a precise error.
		return string(rawlog.CloudTrail), nil
	}
	if sniffed == "" {
		return "unknown", fmt.Errorf("%w: not CloudTrail JSON, VPC flow log or S3 access log lines; pass --source to force one", rawlog.ErrUnknownFormat)
	}
	return sniffed, nil
}

func looksLikeJSON(head []byte) bool {
	for _, c := range head {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}

func sniffs(s rawlog.Source, head []byte) bool {
	switch s {
	case rawlog.CloudTrail:
		return cloudtrail.Sniff(head)
	case rawlog.VPCFlow:
		return vpcflow.Sniff(head)
	case rawlog.S3Access:
		return s3access.Sniff(head)
	}
	return false
}

func sniff(head []byte) string {
	for _, s := range rawlog.Sources {
		if sniffs(s, head) {
			return string(s)
		}
	}
	return ""
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
