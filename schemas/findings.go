package schemas

import "time"

// Severity labels, after OCSF severity_id names.
const (
	SeverityInformational = "informational" // 0–19
	SeverityLow           = "low"           // 20–39
	SeverityMedium        = "medium"        // 40–59
	SeverityHigh          = "high"          // 60–79
	SeverityCritical      = "critical"      // 80–100
)

// SeverityLabel maps a 0–100 severity to its label.
func SeverityLabel(sev int) string {
	switch {
	case sev >= 80:
		return SeverityCritical
	case sev >= 60:
		return SeverityHigh
	case sev >= 40:
		return SeverityMedium
	case sev >= 20:
		return SeverityLow
	}
	return SeverityInformational
}

// Finding statuses, after OCSF Detection Finding status names.
const (
	StatusNew        = "new"
	StatusSuppressed = "suppressed" // matched an analyst's false-positive verdict
	StatusResolved   = "resolved"   // an analyst confirmed and closed it
)

// FindingEntity is one entity named by a finding.
type FindingEntity struct {
	Kind  string `parquet:"kind,dict"`
	Value string `parquet:"value"`
}

// Finding is one detection, shaped after OCSF Detection Finding (class 2004),
// stored in findings/eventDay=YYYYMMDD/ (the day of the window end) and as
// JSONL beside the Parquet. FindingID is stable: it is derived from the
// detector and the subject (principal, key, account, …), not from run time,
// so a rerun or a continuing anomaly updates LastSeen and Count instead of
// adding a new finding.
type Finding struct {
	FindingID       string          `parquet:"finding_id" json:"finding_id"`
	Detector        string          `parquet:"detector,dict" json:"detector"`
	Title           string          `parquet:"title" json:"title"`
	AttackTactic    string          `parquet:"attack_tactic,optional,dict" json:"attack_tactic,omitempty"`
	AttackTechnique string          `parquet:"attack_technique,optional,dict" json:"attack_technique,omitempty"` // e.g. T1562.008
	Severity        int32           `parquet:"severity" json:"severity"`                                       // 0–100
	SeverityLabel   string          `parquet:"severity_label,dict" json:"severity_label"`
	Score           float64         `parquet:"score" json:"score"` // detector-specific strength (z, modified z, rarity…)
	Metric          string          `parquet:"metric,optional,dict" json:"metric,omitempty"`
	Observed        *float64        `parquet:"observed,optional" json:"observed,omitempty"`
	Expected        *float64        `parquet:"expected,optional" json:"expected,omitempty"`
	BaselineMean    *float64        `parquet:"baseline_mean,optional" json:"baseline_mean,omitempty"`
	BaselineStddev  *float64        `parquet:"baseline_stddev,optional" json:"baseline_stddev,omitempty"`
	BaselineMedian  *float64        `parquet:"baseline_median,optional" json:"baseline_median,omitempty"`
	BaselineMAD     *float64        `parquet:"baseline_mad,optional" json:"baseline_mad,omitempty"`
	BaselineSamples *int64          `parquet:"baseline_samples,optional" json:"baseline_samples,omitempty"`
	AccountID       string          `parquet:"account_id,optional,dict" json:"account_id,omitempty"`
	AccountType     string          `parquet:"account_type,optional,dict" json:"account_type,omitempty"` // prod, staging, dev
	Region          string          `parquet:"region,optional,dict" json:"region,omitempty"`
	PrincipalARN    string          `parquet:"principal_arn,optional,dict" json:"principal_arn,omitempty"`
	PrincipalType   string          `parquet:"principal_type,optional,dict" json:"principal_type,omitempty"`
	AccessKeyID     string          `parquet:"access_key_id,optional,dict" json:"access_key_id,omitempty"`
	SourceIPs       []string        `parquet:"source_ips,optional,list" json:"source_ips,omitempty"`
	Entities        []FindingEntity `parquet:"entities,optional,list" json:"entities,omitempty"`
	WindowStart     time.Time       `parquet:"window_start,timestamp(microsecond)" json:"window_start"`
	WindowEnd       time.Time       `parquet:"window_end,timestamp(microsecond)" json:"window_end"`
	FirstSeen       time.Time       `parquet:"first_seen,timestamp(microsecond)" json:"first_seen"` // earliest evidence event
	LastSeen        time.Time       `parquet:"last_seen,timestamp(microsecond)" json:"last_seen"`   // latest evidence event
	Count           int64           `parquet:"count" json:"count"`                                   // evidence events (all windows so far)
	EvidenceIDs     []string        `parquet:"evidence_event_ids,optional,list" json:"evidence_event_ids,omitempty"`
	Explanation     string          `parquet:"explanation" json:"explanation"`
	Recommendation  string          `parquet:"recommendation" json:"recommendation"`
	Status          string          `parquet:"status,dict" json:"status"`
	FeedbackNote    string          `parquet:"feedback_note,optional" json:"feedback_note,omitempty"`
}

// Time is the time used for partitioning: the end of the detection window.
func (r *Finding) Time() time.Time { return r.WindowEnd }
