package config

import (
	"errors"
	"fmt"
)

// DetectThresholds are the score limits of one account type.
type DetectThresholds struct {
	// ModifiedZ is the minimum modified z-score 0.6745·(x−median)/MAD of an
	// hourly metric against the entity's own baseline (or its peers').
	ModifiedZ float64 `yaml:"modified_z" json:"modified_z"`
	// Z is the minimum classic z-score (x−mean)/stddev; both must hold.
	Z float64 `yaml:"z" json:"z"`
	// MinObserved is the smallest hourly count worth a volume finding.
	MinObserved float64 `yaml:"min_observed" json:"min_observed"`
	// SessionScore is the minimum first-seen session score (0–100).
	SessionScore float64 `yaml:"session_score" json:"session_score"`
}

// Detect configures the detect job (detect: in the config file).
type Detect struct {
	// MinHistoryHours: an entity with fewer active baseline hours is judged
	// against its peers (same entity kind, principal type and account type).
	MinHistoryHours int `yaml:"min_history_hours" json:"min_history_hours"`
	// Accounts maps account id → account type (prod, staging, dev).
	Accounts map[string]string `yaml:"accounts" json:"accounts,omitempty"`
	// DefaultAccountType applies to accounts not in Accounts.
	DefaultAccountType string `yaml:"default_account_type" json:"default_account_type"`
	// Thresholds per account type (prod, staging, dev).
	Thresholds map[string]DetectThresholds `yaml:"thresholds" json:"thresholds"`
	// MaxEvidence caps evidence_event_ids per finding (≤ 20).
	MaxEvidence int `yaml:"max_evidence" json:"max_evidence"`
}

// DefaultDetect returns the defaults: prod is the most sensitive, dev the least.
func DefaultDetect() Detect {
	return Detect{
		MinHistoryHours:    24,
		DefaultAccountType: "prod",
		MaxEvidence:        20,
		Thresholds: map[string]DetectThresholds{
			"prod":    {ModifiedZ: 12, Z: 6, MinObserved: 15, SessionScore: 60},
			"staging": {ModifiedZ: 15, Z: 8, MinObserved: 20, SessionScore: 60},
			"dev":     {ModifiedZ: 20, Z: 10, MinObserved: 30, SessionScore: 70},
		},
	}
}

// WithDefaults fills unset fields from DefaultDetect.
func (c Detect) WithDefaults() Detect {
	d := DefaultDetect()
	if c.MinHistoryHours == 0 {
		c.MinHistoryHours = d.MinHistoryHours
	}
	if c.DefaultAccountType == "" {
		c.DefaultAccountType = d.DefaultAccountType
	}
	if c.MaxEvidence == 0 {
		c.MaxEvidence = d.MaxEvidence
	}
	if c.Thresholds == nil {
		c.Thresholds = map[string]DetectThresholds{}
	}
	for k, v := range d.Thresholds {
		if _, ok := c.Thresholds[k]; !ok {
			c.Thresholds[k] = v
		}
	}
	return c
}

// Validate names bad settings as written in the config file.
func (c Detect) Validate() error {
	var errs []error
	if c.MinHistoryHours < 1 {
		errs = append(errs, fmt.Errorf("detect.min_history_hours: %d must be at least 1", c.MinHistoryHours))
	}
	if c.MaxEvidence < 1 || c.MaxEvidence > 20 {
		errs = append(errs, fmt.Errorf("detect.max_evidence: %d must be between 1 and 20", c.MaxEvidence))
	}
	if _, ok := c.Thresholds[c.DefaultAccountType]; !ok {
		errs = append(errs, fmt.Errorf("detect.default_account_type: %q has no thresholds", c.DefaultAccountType))
	}
	for k, t := range c.Thresholds {
		if t.ModifiedZ <= 0 || t.Z <= 0 || t.MinObserved < 0 || t.SessionScore <= 0 || t.SessionScore > 100 {
			errs = append(errs, fmt.Errorf("detect.thresholds.%s: modified_z and z must be > 0, min_observed ≥ 0, session_score in (0, 100]", k))
		}
	}
	return errors.Join(errs...)
}
