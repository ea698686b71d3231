package detect

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"time"

	"github.com/seclake/seclake/internal/analytics"
	"github.com/seclake/seclake/schemas"
)

// Label is one labelled scenario of a labels.json written by seclake generate.
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
}

// Labels is labels.json.
type Labels struct {
	Scenarios  []Label `json:"scenarios"`
	BenignRare []Label `json:"benign_rare"`
}

// ReadLabels reads a labels.json file.
func ReadLabels(path string) (Labels, error) {
	var l Labels
	data, err := os.ReadFile(path)
	if err != nil {
		return l, err
	}
	if err := json.Unmarshal(data, &l); err != nil {
		return l, fmt.Errorf("detect: %s: %w", path, err)
	}
	return l, nil
}

// Within keeps the labels whose [start, end] overlaps [from, to); a zero
// bound is open.
func (l Labels) Within(from, to time.Time) Labels {
	keep := func(ls []Label) []Label {
		var out []Label
		for _, x := range ls {
			s, err1 := time.Parse(time.RFC3339, x.Start)
			e, err2 := time.Parse(time.RFC3339, x.End)
			if err1 != nil || err2 != nil {
				continue
			}
			if (!to.IsZero() && !s.Before(to)) || (!from.IsZero() && e.Before(from)) {
				continue
			}
			out = append(out, x)
		}
		return out
	}
	return Labels{Scenarios: keep(l.Scenarios), BenignRare: keep(l.BenignRare)}
}

// ScenarioResult is the evaluation of one labelled scenario.
type ScenarioResult struct {
	ID        string   `json:"id"`
	Technique string   `json:"technique"`
	Detected  bool     `json:"detected"`
	Findings  int      `json:"findings"`
	Detectors []string `json:"detectors"`
}

// EvalResult is what seclake eval prints.
type EvalResult struct {
	Recall             float64          `json:"recall"`    // scenarios with a matching finding / scenarios
	Precision          float64          `json:"precision"` // findings matching a scenario / findings
	Scenarios          []ScenarioResult `json:"scenarios"`
	Findings           int              `json:"findings"`
	MatchedFindings    int              `json:"matched_findings"`
	BenignRareFindings int              `json:"benign_rare_findings"`
	BenignRare         []ScenarioResult `json:"benign_rare"`
	Unmatched          []string         `json:"unmatched,omitempty"` // finding id: detector: title of findings matching nothing
}

// EvalSlack widens a label's [start, end] when matching finding times.
const EvalSlack = time.Hour

// matches reports whether finding f names one of the label's principals,
// keys, IPs or evidence events, with its evidence inside the label's window.
func matches(f schemas.Finding, l Label) bool {
	start, err1 := time.Parse(time.RFC3339, l.Start)
	end, err2 := time.Parse(time.RFC3339, l.End)
	if err1 != nil || err2 != nil {
		return false
	}
	if f.LastSeen.Before(start.Add(-EvalSlack)) || f.FirstSeen.After(end.Add(EvalSlack)) {
		return false
	}
	names := []string{f.PrincipalARN, f.AccessKeyID}
	names = append(names, f.SourceIPs...)
	for _, e := range f.Entities {
		names = append(names, e.Value)
	}
	for _, n := range names {
		if n != "" && (slices.Contains(l.Principals, n) || slices.Contains(l.AccessKeyIDs, n) || slices.Contains(l.SourceIPs, n)) {
			return true
		}
	}
	for _, id := range f.EvidenceIDs {
		if slices.Contains(l.EventIDs, id) {
			return true
		}
	}
	return false
}

// LatestFindings reads the current state of every finding in the lake at
// root: the latest row per finding id, suppressed ones left out.
func LatestFindings(ctx context.Context, root string) ([]schemas.Finding, error) {
	eng, err := analytics.Open(ctx, root, analytics.Options{Tables: []string{"findings"}})
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	rows, err := eng.Query(ctx, `SELECT finding_id, detector, title, severity, principal_arn, access_key_id, source_ips,
		[e.value FOR e IN coalesce(entities, [])] AS entity_values, evidence_event_ids, first_seen, last_seen
		FROM findings WHERE status <> 'suppressed'
		QUALIFY row_number() OVER (PARTITION BY finding_id ORDER BY window_end DESC) = 1 ORDER BY finding_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []schemas.Finding
	for rows.Next() {
		var f schemas.Finding
		var principal, key any
		var ips, ents, ev any
		if err := rows.Scan(&f.FindingID, &f.Detector, &f.Title, &f.Severity, &principal, &key, &ips, &ents, &ev, &f.FirstSeen, &f.LastSeen); err != nil {
			return nil, err
		}
		f.PrincipalARN, f.AccessKeyID, f.SourceIPs, f.EvidenceIDs = str(principal), str(key), strs(ips), strs(ev)
		for _, v := range strs(ents) {
			f.Entities = append(f.Entities, schemas.FindingEntity{Value: v})
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Evaluate scores findings against labels.
func Evaluate(findings []schemas.Finding, labels Labels) EvalResult {
	res := EvalResult{Findings: len(findings)}
	score := func(ls []Label) ([]ScenarioResult, map[int]bool) {
		var out []ScenarioResult
		hit := map[int]bool{}
		for _, l := range ls {
			sr := ScenarioResult{ID: l.ID, Technique: l.Technique, Detectors: []string{}}
			for i, f := range findings {
				if matches(f, l) {
					sr.Findings++
					hit[i] = true
					if !slices.Contains(sr.Detectors, f.Detector) {
						sr.Detectors = append(sr.Detectors, f.Detector)
					}
				}
			}
			sort.Strings(sr.Detectors)
			sr.Detected = sr.Findings > 0
			out = append(out, sr)
		}
		return out, hit
	}
	var attackHit, benignHit map[int]bool
	res.Scenarios, attackHit = score(labels.Scenarios)
	res.BenignRare, benignHit = score(labels.BenignRare)
	detected := 0
	for _, s := range res.Scenarios {
		if s.Detected {
			detected++
		}
	}
	if len(res.Scenarios) > 0 {
		res.Recall = float64(detected) / float64(len(res.Scenarios))
	}
	res.MatchedFindings = len(attackHit)
	res.BenignRareFindings = len(benignHit)
	if len(findings) > 0 {
		res.Precision = float64(len(attackHit)) / float64(len(findings))
	} else {
		res.Precision = 1
	}
	for i, f := range findings {
		if !attackHit[i] {
			res.Unmatched = append(res.Unmatched, f.FindingID+": "+f.Detector+": "+f.PrincipalARN)
		}
	}
	return res
}
