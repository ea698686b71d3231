package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/schemas"
)

// FindingFeedbackPrefix holds analysts' verdicts on findings, one JSON object
// per finding id (a newer verdict replaces the older one).
const FindingFeedbackPrefix = "feedback/finding/"

// Finding verdicts.
const (
	VerdictFalsePositive = "false-positive" // suppress the pattern: the same detector and subject stop firing
	VerdictTruePositive  = "true-positive"  // confirmed; kept for the detector's false-positive rate
)

// FindingFeedback is one analyst verdict on a finding. The suppressed pattern
// is (Detector, Subject), which is what the finding id hashes: the same
// detector firing on the same principal/key/session again is suppressed.
type FindingFeedback struct {
	FindingID string    `json:"finding_id"`
	Detector  string    `json:"detector"`
	Principal string    `json:"principal,omitempty"`
	Verdict   string    `json:"verdict"`
	Note      string    `json:"note,omitempty"`
	By        string    `json:"by,omitempty"`
	At        time.Time `json:"at"`
}

// FindingFeedbackKey is where the verdict on a finding is stored.
func FindingFeedbackKey(id string) string { return FindingFeedbackPrefix + id + ".json" }

// PutFindingFeedback stores a verdict.
func PutFindingFeedback(ctx context.Context, store storage.Store, fb FindingFeedback) error {
	switch fb.Verdict {
	case VerdictFalsePositive, VerdictTruePositive:
	default:
		return fmt.Errorf("detect: verdict %q: want false-positive or true-positive", fb.Verdict)
	}
	if fb.FindingID == "" {
		return fmt.Errorf("detect: feedback needs a finding id")
	}
	data, err := json.Marshal(fb)
	if err != nil {
		return err
	}
	return store.Put(ctx, FindingFeedbackKey(fb.FindingID), bytes.NewReader(append(data, '\n')), storage.PutOptions{ContentType: "application/json"})
}

// LoadFindingFeedback reads every finding verdict, by finding id.
func LoadFindingFeedback(ctx context.Context, store storage.Store) (map[string]FindingFeedback, error) {
	out := map[string]FindingFeedback{}
	err := lake.ReadJSONObjects(ctx, store, FindingFeedbackPrefix, func(fb FindingFeedback) { out[fb.FindingID] = fb })
	return out, err
}

// DetectorStat is the analyst verdict tally of one detector.
type DetectorStat struct {
	Detector          string  `json:"detector"`
	TruePositives     int     `json:"true_positives"`
	FalsePositives    int     `json:"false_positives"`
	FalsePositiveRate float64 `json:"false_positive_rate"`
}

// FeedbackStats computes the per-detector false-positive rate from the verdicts.
func FeedbackStats(fb map[string]FindingFeedback) []DetectorStat {
	by := map[string]*DetectorStat{}
	for _, f := range fb {
		s := by[f.Detector]
		if s == nil {
			s = &DetectorStat{Detector: f.Detector}
			by[f.Detector] = s
		}
		if f.Verdict == VerdictFalsePositive {
			s.FalsePositives++
		} else {
			s.TruePositives++
		}
	}
	var out []DetectorStat
	for _, s := range by {
		s.FalsePositiveRate = float64(s.FalsePositives) / float64(s.FalsePositives+s.TruePositives)
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Detector < out[j].Detector })
	return out
}

type feedbackState struct {
	findings map[string]FindingFeedback
	ignore   map[string]bool // entity values marked ignore
	raise    map[string]bool // entity values marked sensitive
}

func loadFeedback(ctx context.Context, store storage.Store) (feedbackState, error) {
	st := feedbackState{ignore: map[string]bool{}, raise: map[string]bool{}}
	var err error
	if st.findings, err = LoadFindingFeedback(ctx, store); err != nil {
		return st, err
	}
	ents, err := lake.LoadEntityFeedback(ctx, store)
	if err != nil {
		return st, err
	}
	for _, e := range ents {
		switch e.Verdict {
		case lake.VerdictIgnore:
			st.ignore[e.Value] = true
		case lake.VerdictSensitive:
			st.raise[e.Value] = true
		}
	}
	return st, nil
}

// apply applies analyst feedback to a finding: entity "ignore" drops it,
// entity "sensitive" raises its severity by 20, a false-positive verdict on
// its id suppresses it. It reports whether to keep it and why not.
func (s feedbackState) apply(f *schemas.Finding) (bool, string) {
	vals := []string{f.AccountID, f.PrincipalARN, f.AccessKeyID}
	vals = append(vals, f.SourceIPs...)
	for _, v := range vals {
		if v != "" && s.ignore[v] {
			return false, "ignored"
		}
	}
	if fb, ok := s.findings[f.FindingID]; ok {
		if fb.Verdict == VerdictFalsePositive {
			return false, "suppressed"
		}
		f.FeedbackNote = fb.Verdict + ": " + fb.Note
	}
	for _, v := range vals {
		if v != "" && s.raise[v] {
			f.Severity = min(f.Severity+20, 100)
			f.SeverityLabel = schemas.SeverityLabel(int(f.Severity))
			if f.FeedbackNote == "" {
				f.FeedbackNote = "severity raised: " + v + " is marked sensitive"
			}
			break
		}
	}
	return true, ""
}
