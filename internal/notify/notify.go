// Package notify delivers findings: to SNS topics, to HTTPS webhooks (JSON
// signed with HMAC-SHA256, retried with backoff) and to AWS Security Hub
// (ASFF BatchImportFindings). A Router picks the targets of each finding
// from its severity and account type. Secrets (webhook keys) come from the
// environment or Secrets Manager, live in Secret values that never print,
// and are never logged.
package notify

import (
	"context"
	"log/slog"
	"sort"

	"github.com/seclake/seclake/schemas"
)

// Notifier delivers a batch of findings to one destination.
type Notifier interface {
	// Name is the target's configured name.
	Name() string
	// Notify delivers findings; on error none or some may have been
	// delivered (delivery is at least once: receivers dedupe by finding_id).
	Notify(ctx context.Context, findings []schemas.Finding) error
}

// Secret holds key material. It formats as "[redacted]" everywhere (fmt,
// slog, JSON), so it cannot leak through logs by accident.
type Secret struct{ b []byte }

// NewSecret wraps key material.
func NewSecret(b []byte) Secret { return Secret{b: append([]byte(nil), b...)} }

// Bytes returns the key material.
func (s Secret) Bytes() []byte { return s.b }

// Empty reports whether there is no key material.
func (s Secret) Empty() bool { return len(s.b) == 0 }

func (Secret) String() string               { return "[redacted]" }
func (Secret) GoString() string             { return "[redacted]" }
func (Secret) LogValue() slog.Value         { return slog.StringValue("[redacted]") }
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"[redacted]"`), nil }

// Route sends findings of an account type ("*" for any) at or above a
// severity to targets.
type Route struct {
	AccountType string
	MinSeverity int
	Targets     []string
}

// Router maps findings to target names.
type Router struct {
	// MinSeverity applies when no route is configured: every finding at or
	// above it goes to every target.
	MinSeverity int
	Routes      []Route
	All         []string // every target name
}

// Targets returns the target names a finding goes to, sorted.
func (r Router) Targets(f *schemas.Finding) []string {
	set := map[string]bool{}
	if len(r.Routes) == 0 {
		if int(f.Severity) >= r.MinSeverity {
			for _, t := range r.All {
				set[t] = true
			}
		}
	}
	for _, rt := range r.Routes {
		if rt.AccountType != "*" && rt.AccountType != f.AccountType {
			continue
		}
		if int(f.Severity) < rt.MinSeverity {
			continue
		}
		for _, t := range rt.Targets {
			set[t] = true
		}
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Split groups findings by target.
func (r Router) Split(findings []schemas.Finding) map[string][]schemas.Finding {
	out := map[string][]schemas.Finding{}
	for i := range findings {
		for _, t := range r.Targets(&findings[i]) {
			out[t] = append(out[t], findings[i])
		}
	}
	return out
}
