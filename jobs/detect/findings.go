package detect

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/schemas"
	sqlfiles "github.com/seclake/seclake/sql/duckdb"
)

// FindingID is the stable id of a finding: a hash of the detector and its
// subject (principal, key, account, …), never of run time.
func FindingID(detector, subject string) string {
	return "f-" + hashHex("finding", detector, subject)[:24]
}

// window runs the detectors over one window and writes its findings.
func (r *runner) window(ctx context.Context, w lake.Window) error {
	start := time.Now()
	base := w.From.Truncate(24*time.Hour).AddDate(0, 0, -r.o.BaselineDays)
	if err := r.ensureProfiles(ctx, daysBetween(base, w.From)); err != nil {
		return err
	}
	t0 := time.Now()
	if err := r.dayViews(ctx, "w_", daysBetween(w.From, w.To), w.From, w.To); err != nil {
		return err
	}
	if err := r.baselineViews(ctx, w, base); err != nil {
		return err
	}
	r.o.Logger.Debug("baseline views", "seconds", time.Since(t0).Seconds())
	t0 = time.Now()
	ev, err := sqlfiles.FS.ReadFile("window_events.sql")
	if err != nil {
		return err
	}
	if err := r.eng.Exec(ctx, `CREATE OR REPLACE TEMP TABLE known_accounts AS
		SELECT account_id FROM account_types UNION SELECT account_id FROM b_accounts
		UNION SELECT DISTINCT account_id FROM w_ct WHERE account_id IS NOT NULL`); err != nil {
		return fmt.Errorf("detect: known accounts: %w", err)
	}
	ds, err := Detectors()
	if err != nil {
		return err
	}
	payload, err := payloadCondition(ds)
	if err != nil {
		return err
	}
	evSQL := strings.ReplaceAll(string(ev), "{{PAYLOAD_EVENTS}}", payload)
	for _, stmt := range strings.Split(evSQL, ";\n\n") { // one statement at a time, for the error
		if err := r.eng.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("detect: window events: %w", err)
		}
	}
	r.o.Logger.Debug("window events", "seconds", time.Since(t0).Seconds())
	cands, err := r.candidates(ctx, ds)
	if err != nil {
		return err
	}
	byID := map[string]*Detector{}
	for i := range ds {
		byID[ds[i].ID] = &ds[i]
	}
	prev, err := r.previousFindings(ctx, w)
	if err != nil {
		return err
	}
	var out []schemas.Finding
	for _, c := range cands {
		d := byID[c.Detector]
		if d == nil {
			return fmt.Errorf("detect: SQL returned unknown detector %q", c.Detector)
		}
		f := r.finding(d, c, w)
		keep, reason := r.fb.apply(&f)
		switch reason {
		case "ignored":
			r.sum.Ignored++
		case "suppressed":
			r.sum.Suppressed++
		}
		if !keep {
			continue
		}
		if p, ok := prev[f.FindingID]; ok {
			f.FirstSeen = p.FirstSeen
			f.Count += p.Count
			r.sum.Continued++
		} else {
			r.sum.New++
		}
		out = append(out, f)
		r.sum.ByDetector[f.Detector]++
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Severity != out[j].Severity {
			return out[i].Severity > out[j].Severity
		}
		return out[i].FindingID < out[j].FindingID
	})
	outs, err := r.writeFindings(ctx, w, out)
	if err != nil {
		return err
	}
	// The window's manifest is written last: the commit point that the
	// compliance reports read as evidence that monitoring ran (runs/detect/).
	m := &lake.Manifest{Job: "detect", Window: w, Inputs: []lake.Input{}, Outputs: outs,
		Counts: lake.Counts{RecordsRead: int64(len(out)), RecordsWritten: int64(len(out))}} // rows = findings written
	if err := lake.WriteManifest(ctx, r.o.Lake, lake.ManifestKey("detect", w), m); err != nil {
		return fmt.Errorf("detect: commit window %s: %w", w.ID(), err)
	}
	r.sum.Findings += len(out)
	r.o.Logger.Info("detect window", "window", w.ID(), "findings", len(out), "seconds", time.Since(start).Seconds())
	return nil
}

func (r *runner) finding(d *Detector, c Candidate, w lake.Window) schemas.Finding {
	sev := d.Severity
	if c.Severity != nil {
		sev = int(*c.Severity)
	}
	// Stronger evidence raises severity a little: a high session score, many events.
	if c.Score >= 80 && sev < 95 {
		sev += 5
	}
	sev = min(max(sev, 0), 100)
	ev := c.Evidence
	if len(ev) > r.o.Config.MaxEvidence {
		ev = ev[:r.o.Config.MaxEvidence]
	}
	f := schemas.Finding{
		FindingID:       FindingID(d.ID, c.Subject),
		Detector:        d.ID,
		Title:           d.Title,
		AttackTactic:    d.Tactic,
		AttackTechnique: d.Technique,
		Severity:        int32(sev),
		SeverityLabel:   schemas.SeverityLabel(sev),
		Score:           c.Score,
		Metric:          c.Metric,
		Observed:        c.Observed,
		Expected:        c.Expected,
		BaselineMean:    c.BaselineMean,
		BaselineStddev:  c.BaselineStddev,
		BaselineMedian:  c.BaselineMedian,
		BaselineMAD:     c.BaselineMAD,
		BaselineSamples: c.BaselineSamples,
		AccountID:       c.AccountID,
		AccountType:     r.accountType(c.AccountID),
		Region:          c.Region,
		PrincipalARN:    c.Principal,
		PrincipalType:   c.PrincipalType,
		AccessKeyID:     c.AccessKey,
		SourceIPs:       c.SourceIPs,
		WindowStart:     w.From,
		WindowEnd:       w.To,
		FirstSeen:       c.FirstSeen.UTC(),
		LastSeen:        c.LastSeen.UTC(),
		Count:           c.Count,
		EvidenceIDs:     ev,
		Status:          schemas.StatusNew,
	}
	for _, e := range []struct{ kind, v string }{{"account", c.AccountID}, {"principal", c.Principal}, {"access_key_id", c.AccessKey}} {
		if e.v != "" {
			f.Entities = append(f.Entities, schemas.FindingEntity{Kind: e.kind, Value: e.v})
		}
	}
	for _, ip := range c.SourceIPs {
		f.Entities = append(f.Entities, schemas.FindingEntity{Kind: "ip_address", Value: ip})
	}
	c.SourceIPs = c.SourceIPs[:min(len(c.SourceIPs), 3)]
	f.Explanation = render(d.exp, c)
	f.Recommendation = render(d.rec, c)
	return f
}

func (r *runner) accountType(id string) string {
	if t, ok := r.o.AccountTypes[id]; ok {
		return t
	}
	return r.o.Config.DefaultAccountType
}

// previousFindings returns, per finding id, the latest row written by an
// earlier window (window_end ≤ this window's start): a finding that
// continues keeps its first_seen and accumulates count.
func (r *runner) previousFindings(ctx context.Context, w lake.Window) (map[string]schemas.Finding, error) {
	var days []string
	for d := w.From.AddDate(0, 0, -r.o.BaselineDays).Truncate(24 * time.Hour); !d.After(w.From); d = d.Add(24 * time.Hour) {
		days = append(days, day(d))
	}
	parts, err := r.tableParts("findings", days)
	if err != nil {
		return nil, err
	}
	out := map[string]schemas.Finding{}
	if len(parts) == 0 {
		return out, nil
	}
	if err := r.eng.CreatePartitionView(ctx, "prev_findings", "findings", parts); err != nil {
		return nil, err
	}
	rows, err := r.eng.Query(ctx, fmt.Sprintf(`SELECT finding_id, arg_max(first_seen, window_end), arg_max(count, window_end)
		FROM prev_findings WHERE window_end <= %s GROUP BY finding_id`, tsLit(w.From)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f schemas.Finding
		if err := rows.Scan(&f.FindingID, &f.FirstSeen, &f.Count); err != nil {
			return nil, err
		}
		out[f.FindingID] = f
	}
	return out, rows.Err()
}

// writeFindings writes the window's findings as Parquet and JSONL under
// findings/eventDay=<day of the window end>/, named from the window (a rerun
// replaces them).
// writeFindings writes the window's findings as one Parquet part and its JSONL
// twin, and returns what it wrote for the run manifest.
func (r *runner) writeFindings(ctx context.Context, w lake.Window, fs []schemas.Finding) ([]lake.Output, error) {
	d := day(w.To.Add(-time.Microsecond))
	name := "part-" + hashHex("findings", w.ID())[:20]
	dir := "findings/eventDay=" + d + "/"
	if len(fs) == 0 {
		// Remove what an earlier run of this window wrote.
		for _, ext := range []string{".parquet", ".jsonl"} {
			_ = r.o.Lake.Delete(ctx, dir+name+ext)
		}
		return []lake.Output{}, nil
	}
	data, err := lake.EncodeParquet(fs, parquet.SchemaOf(schemas.Finding{}), 10_000)
	if err != nil {
		return nil, err
	}
	var jl bytes.Buffer
	enc := json.NewEncoder(&jl)
	for i := range fs {
		if err := enc.Encode(&fs[i]); err != nil {
			return nil, err
		}
	}
	minT, maxT := fs[0].FirstSeen, fs[0].LastSeen
	for i := range fs {
		minT, maxT = minTime(minT, fs[i].FirstSeen), maxTime(maxT, fs[i].LastSeen)
	}
	var outs []lake.Output
	for _, o := range []struct {
		ext, ctype string
		data       []byte
	}{{".parquet", "application/vnd.apache.parquet", data}, {".jsonl", "application/x-ndjson", jl.Bytes()}} {
		if err := r.put(ctx, dir+name+o.ext, o.data, o.ctype); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(o.data)
		outs = append(outs, lake.Output{Key: dir + name + o.ext, Rows: int64(len(fs)), Bytes: int64(len(o.data)),
			SHA256: hex.EncodeToString(sum[:]), MinTime: minT, MaxTime: maxT})
		r.sum.Outputs = append(r.sum.Outputs, dir+name+o.ext)
	}
	return outs, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// FindingsSummaryLine renders a one-line description of a finding.
func FindingsSummaryLine(f schemas.Finding) string {
	return fmt.Sprintf("[%s %d] %s — %s", strings.ToUpper(f.SeverityLabel), f.Severity, f.Title, f.Explanation)
}
