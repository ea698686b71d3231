package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Report settings (seclake report).
type Report struct {
	Frameworks []string `yaml:"frameworks"` // default: all in the mapping
	// ExpectedShare: a log stream delivering in at least this share of a
	// period's hours is expected every hour; its missing hours are gaps.
	ExpectedShare float64 `yaml:"expected_share"`
	// RetentionDays puts report objects under S3 Object Lock (compliance
	// mode) for this many days when the bucket has Object Lock; 0 leaves the
	// bucket's default retention.
	RetentionDays int `yaml:"retention_days"`
	// PublicKeys is a PEM file of CloudTrail public keys for digest
	// signature checks (aws cloudtrail list-public-keys); "" checks hashes only.
	PublicKeys string `yaml:"public_keys"`
	// MemoryLimit bounds DuckDB while reporting ("1GB"); the period's rows
	// spill to a temporary directory beyond it.
	MemoryLimit string `yaml:"memory_limit"`
}

// Notify settings (seclake notify): where findings go.
type Notify struct {
	// MinSeverity is the lowest severity (0–100) delivered by default.
	MinSeverity int `yaml:"min_severity"`
	// Routes send findings of an account type (prod, staging, dev, "*" for
	// any) at or above a severity to named targets.
	Routes  []Route  `yaml:"routes"`
	Targets []Target `yaml:"targets"`
}

// Route maps findings to targets.
type Route struct {
	AccountType string   `yaml:"account_type"`
	MinSeverity int      `yaml:"min_severity"`
	Targets     []string `yaml:"targets"`
}

// Target is one destination. Secrets never appear here: a webhook's HMAC
// key comes from the environment variable SecretEnv or the Secrets Manager
// secret SecretARN.
type Target struct {
	Name       string `yaml:"name"`
	Type       string `yaml:"type"`       // sns | webhook | securityhub
	TopicARN   string `yaml:"topic_arn"`  // sns
	URL        string `yaml:"url"`        // webhook (https)
	SecretEnv  string `yaml:"secret_env"` // webhook: env var holding the HMAC key
	SecretARN  string `yaml:"secret_arn"` // webhook: Secrets Manager secret holding the HMAC key
	Endpoint   string `yaml:"endpoint"`   // custom AWS endpoint (tests, VPC endpoints)
	Region     string `yaml:"region"`
	ProductARN string `yaml:"product_arn"` // securityhub: default arn:aws:securityhub:<region>:<account>:product/<account>/default
	AccountID  string `yaml:"account_id"`  // securityhub: AwsAccountId of imported findings when the finding has none
}

func validSize(s string) bool {
	s = strings.ToUpper(strings.TrimSpace(s))
	for _, unit := range []string{"KIB", "MIB", "GIB", "TIB", "KB", "MB", "GB", "TB"} {
		if n, ok := strings.CutSuffix(s, unit); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
			return err == nil && v > 0
		}
	}
	return false
}

func (r Report) validate() []error {
	var errs []error
	bad := func(key, format string, a ...any) { errs = append(errs, fmt.Errorf(key+": "+format, a...)) }
	if r.ExpectedShare <= 0 || r.ExpectedShare > 1 {
		bad("report.expected_share", "%g must be in (0, 1]", r.ExpectedShare)
	}
	if m := r.MemoryLimit; m != "" && !validSize(m) {
		bad("report.memory_limit", "%q: want a size such as 512MB or 2GB", m)
	}
	if r.RetentionDays < 0 || r.RetentionDays > 36500 {
		bad("report.retention_days", "%d must be between 0 and 36500", r.RetentionDays)
	}
	return errs
}

func (n Notify) validate() []error {
	var errs []error
	bad := func(key, format string, a ...any) { errs = append(errs, fmt.Errorf(key+": "+format, a...)) }
	if n.MinSeverity < 0 || n.MinSeverity > 100 {
		bad("notify.min_severity", "%d must be between 0 and 100", n.MinSeverity)
	}
	names := map[string]bool{}
	for i, t := range n.Targets {
		key := fmt.Sprintf("notify.targets[%d]", i)
		if t.Name == "" || names[t.Name] {
			bad(key+".name", "%q: empty or duplicate", t.Name)
		}
		names[t.Name] = true
		switch t.Type {
		case "sns":
			if !strings.HasPrefix(t.TopicARN, "arn:") {
				bad(key+".topic_arn", "%q: want an SNS topic ARN", t.TopicARN)
			}
		case "webhook":
			if !strings.HasPrefix(t.URL, "https://") {
				bad(key+".url", "%q: webhooks must use https://", t.URL)
			}
			if t.SecretEnv == "" && t.SecretARN == "" {
				bad(key+".secret_env", "a webhook needs its HMAC key from secret_env or secret_arn (never in this file)")
			}
		case "securityhub":
		default:
			bad(key+".type", "%q: want sns, webhook or securityhub", t.Type)
		}
	}
	for i, r := range n.Routes {
		key := fmt.Sprintf("notify.routes[%d]", i)
		if r.MinSeverity < 0 || r.MinSeverity > 100 {
			bad(key+".min_severity", "%d must be between 0 and 100", r.MinSeverity)
		}
		for _, t := range r.Targets {
			if !names[t] {
				bad(key+".targets", "%q names no target", t)
			}
		}
	}
	return errs
}
