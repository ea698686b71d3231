package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/seclake/seclake/internal/analytics"
	sqlfiles "github.com/seclake/seclake/sql/duckdb"
)

// Detector describes one detector: its SQL (a file of sql/duckdb, or a
// sensitive-action rule), its ATT&CK mapping, base severity and the templates
// of its explanation and recommendation (text/template over Candidate).
type Detector struct {
	ID        string
	Title     string
	Tactic    string
	Technique string
	Severity  int
	File      string // sql/duckdb file; "" for rules
	// PayloadEvents are the event names whose payload columns (JSON text,
	// raw user agent) an SQL detector reads; w_ev keeps them only for the
	// events some detector or rule names (see payloadCondition).
	PayloadEvents  []string
	Explanation    string
	Recommendation string

	rule *Rule
	exp  *template.Template
	rec  *template.Template
}

// Rule is one sensitive-action rule of sql/duckdb/sensitive_rules.json.
type Rule struct {
	ID             string   `json:"id"`
	Title          string   `json:"title"`
	Tactic         string   `json:"tactic"`
	Technique      string   `json:"technique"`
	Severity       int      `json:"severity"`
	Context        string   `json:"context"` // always | anomalous
	Events         []string `json:"events"`
	Where          string   `json:"where"`
	Explanation    string   `json:"explanation"`
	Recommendation string   `json:"recommendation"`
}

// sqlDetectors are the statistical and first-seen detectors.
func sqlDetectors() []Detector {
	return []Detector{
		{ID: "first_seen_session", Title: "Activity from a network new to the organisation", Tactic: "Initial Access", Technique: "T1078.004", Severity: 60,
			File:           "detect_first_seen_session.sql",
			Explanation:    "{{.Principal}} made {{.Count}} calls from {{.SourceIPs}} in account {{.AccountID}}: {{.Detail}} (first-seen score {{printf \"%.0f\" .Score}}, threshold {{fmtp .Expected}}).",
			Recommendation: "Confirm with the owner of {{.Principal}} whether this was them; if not, {{if .AccessKey}}disable access key {{.AccessKey}}, {{end}}revoke active sessions, rotate credentials and review CloudTrail for everything done from {{.SourceIPs}} since {{.FirstSeen}}."},
		{ID: "access_key_first_use", Title: "Long-term access key used for the first time from a new network", Tactic: "Initial Access", Technique: "T1078.004", Severity: 65,
			File:           "detect_access_key_first_use.sql",
			Explanation:    "{{.Detail}} ({{.Count}} calls as {{.Principal}}).",
			Recommendation: "Disable access key {{.AccessKey}}, rotate it, and review CloudTrail for every call signed with it; find where the key leaked (repositories, CI logs)."},
		{ID: "volume_anomaly", Title: "Hourly API behaviour far outside the baseline", Tactic: "Discovery", Technique: "T1087.004", Severity: 50,
			File:           "detect_volume.sql",
			Explanation:    "{{.Principal}} had {{fmtp .Observed}} {{.Metric}} in one hour ({{.Detail}}); baseline median {{fmtp .BaselineMedian}}, MAD {{fmtp .BaselineMAD}}, mean {{fmtp .BaselineMean}} ± {{fmtp .BaselineStddev}} over {{fmti .BaselineSamples}} active hours — modified z {{printf \"%.1f\" .Score}}.",
			Recommendation: "Check what {{.Principal}} was doing in that hour (the evidence events); if it is not a known job or change, revoke its sessions and rotate its credentials."},
		{ID: "discovery_many_regions", Title: "Calls across many regions within an hour", Tactic: "Discovery", Technique: "T1580", Severity: 55,
			File:           "detect_regions.sql",
			Explanation:    "{{.Principal}} called APIs in {{fmtp .Observed}} regions within an hour, {{.Detail}}.",
			Recommendation: "Regions the organisation does not use should be disabled by SCP; verify the activity with the owner of {{.Principal}} and revoke its credentials if unexpected."},
		{ID: "usage_anomaly", Title: "Compute usage in a new region or far above baseline", Tactic: "Impact", Technique: "T1496", Severity: 70,
			File:           "detect_usage.sql",
			Explanation:    "{{.Detail}} in {{.AccountID}}/{{.Region}} by {{.Principal}} ({{fmtp .Observed}} calls, baseline median {{fmtp .BaselineMedian}}).",
			Recommendation: "Terminate instances you do not recognise (check all regions), lower service quotas / deny unused regions by SCP, and revoke the credentials of {{.Principal}}."},
		{ID: "lateral_cross_account_assume_role", Title: "Cross-account AssumeRole from an anomalous session", Tactic: "Lateral Movement", Technique: "T1078.004", Severity: 75,
			File: "detect_lateral.sql", PayloadEvents: []string{"AssumeRole", "AssumeRoleWithWebIdentity"},
			Explanation:    "{{.Principal}} assumed roles in other accounts from a network new to the organisation: {{.Detail}}.",
			Recommendation: "Revoke the sessions of the assumed roles (revoke older sessions in IAM), restrict the roles' trust policies, and review what the chained sessions did in each account."},
		{ID: "exfil_s3_new_source", Title: "S3 objects read in volume from a new source", Tactic: "Exfiltration", Technique: "T1530", Severity: 70,
			File:           "detect_s3_exfil.sql",
			Explanation:    "{{.Principal}} read {{.Detail}} from {{.SourceIPs}}, a source it never used before.",
			Recommendation: "Block the source (bucket policy aws:SourceIp / VPC endpoint condition), revoke the requester's credentials and list the objects read for a data-exposure assessment."},
		{ID: "exfil_vpc_bytes_out", Title: "Large outbound transfer to a new destination", Tactic: "Exfiltration", Technique: "T1048", Severity: 70,
			File:           "detect_vpc_exfil.sql",
			Explanation:    "{{.Principal}} sent {{.Detail}}; baseline median per active hour {{fmtp .BaselineMedian}} bytes.",
			Recommendation: "Isolate the instance behind the interface (quarantine security group), capture its disk for forensics and block the destination in the network firewall."},
	}
}

func loadRules() ([]Rule, error) {
	data, err := sqlfiles.FS.ReadFile("sensitive_rules.json")
	if err != nil {
		return nil, err
	}
	var f struct {
		Rules []Rule `json:"rules"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("detect: sensitive_rules.json: %w", err)
	}
	for _, r := range f.Rules {
		if r.Context != "always" && r.Context != "anomalous" {
			return nil, fmt.Errorf("detect: rule %s: context %q: want always or anomalous", r.ID, r.Context)
		}
	}
	return f.Rules, nil
}

// Detectors returns every detector: the SQL ones, then one per sensitive-action rule.
func Detectors() ([]Detector, error) {
	ds := sqlDetectors()
	rules, err := loadRules()
	if err != nil {
		return nil, err
	}
	for i := range rules {
		r := rules[i]
		ds = append(ds, Detector{ID: r.ID, Title: r.Title, Tactic: r.Tactic, Technique: r.Technique, Severity: r.Severity,
			Explanation: r.Explanation, Recommendation: r.Recommendation, rule: &r})
	}
	funcs := template.FuncMap{
		"fmtp": func(p *float64) string {
			if p == nil {
				return "n/a"
			}
			return fmt.Sprintf("%.4g", *p)
		},
		"fmti": func(p *int64) string {
			if p == nil {
				return "0"
			}
			return fmt.Sprint(*p)
		},
	}
	for i := range ds {
		var err error
		if ds[i].exp, err = template.New(ds[i].ID).Funcs(funcs).Parse(ds[i].Explanation); err != nil {
			return nil, fmt.Errorf("detect: %s explanation: %w", ds[i].ID, err)
		}
		if ds[i].rec, err = template.New(ds[i].ID).Funcs(funcs).Parse(ds[i].Recommendation); err != nil {
			return nil, fmt.Errorf("detect: %s recommendation: %w", ds[i].ID, err)
		}
	}
	return ds, nil
}

// rulesSQL builds the query of all sensitive-action rules: matching events,
// grouped per rule, account and principal, gated by the session context.
func rulesSQL(rules []Rule) string {
	var parts []string
	for _, r := range rules {
		cond := []string{"true"}
		if len(r.Events) > 0 {
			lits := make([]string, len(r.Events))
			for i, e := range r.Events {
				lits[i] = analytics.QuoteLiteral(e)
			}
			cond = append(cond, "event_name IN ("+strings.Join(lits, ", ")+")")
		}
		if r.Where != "" {
			cond = append(cond, "("+r.Where+")")
		}
		parts = append(parts, fmt.Sprintf("SELECT %s AS rule, %t AS needs_context, * FROM w_ev WHERE %s",
			analytics.QuoteLiteral(r.ID), r.Context == "anomalous", strings.Join(cond, " AND ")))
	}
	return `WITH hits AS (` + strings.Join(parts, "\nUNION ALL ") + `),
ctx AS (SELECT h.*, coalesce(s.score, 0) AS session_score,
          coalesce(s.new_org_ip OR s.offensive OR len(coalesce(s.new_keys, [])) > 0, false) AND coalesce(s.score, 0) >= th.session_score AS anomalous
        FROM hits h JOIN thresholds th ON th.account_type = acct_type(h.account_id)
        LEFT JOIN sess s ON s.account_id = h.account_id AND s.principal = h.principal AND s.ip24 = coalesce(h.ip24, '-')),
per_api AS (SELECT rule, account_id, principal, event_name, count(*) AS n FROM ctx WHERE NOT needs_context OR anomalous GROUP BY ALL)
SELECT c.rule AS detector, c.rule || '|' || c.account_id || '|' || c.principal AS subject,
  c.account_id, min(c.aws_region) AS region, c.principal, min(c.principal_type) AS principal_type,
  min(c.access_key) FILTER (c.access_key IS NOT NULL) AS access_key,
  list(DISTINCT c.ip ORDER BY c.ip) FILTER (c.ip IS NOT NULL) AS source_ips,
  min(c.event_time) AS first_seen, max(c.event_time) AS last_seen, count(*)::BIGINT AS cnt,
  list(c.event_id ORDER BY c.event_time, c.event_id)[1:20] AS evidence,
  max(c.session_score)::DOUBLE AS score, 'events' AS metric, count(*)::DOUBLE AS observed, 0::DOUBLE AS expected,
  (SELECT string_agg(event_name || CASE WHEN n > 1 THEN ' ×' || n ELSE '' END, ', ' ORDER BY event_name) FROM per_api p
     WHERE p.rule = c.rule AND p.account_id = c.account_id AND p.principal = c.principal) AS detail
FROM ctx c
WHERE NOT c.needs_context OR c.anomalous
GROUP BY c.rule, c.account_id, c.principal`
}

// candidates runs every detector over the current window views.
func (r *runner) candidates(ctx context.Context, ds []Detector) ([]Candidate, error) {
	var out []Candidate
	var rules []Rule
	for _, d := range ds {
		if d.rule != nil {
			rules = append(rules, *d.rule)
			continue
		}
		q, err := sqlfiles.FS.ReadFile(d.File)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		cs, err := r.query(ctx, string(q))
		if err != nil {
			return nil, fmt.Errorf("detect: %s: %w", d.ID, err)
		}
		r.sum.DetectorDuration[d.ID] += time.Since(start).Seconds()
		out = append(out, cs...)
	}
	if len(rules) > 0 {
		start := time.Now()
		cs, err := r.query(ctx, rulesSQL(rules))
		if err != nil {
			return nil, fmt.Errorf("detect: sensitive rules: %w", err)
		}
		r.sum.DetectorDuration["sensitive_rules"] += time.Since(start).Seconds()
		out = append(out, cs...)
	}
	return out, nil
}

// Candidate is one detector output row before it becomes a finding.
type Candidate struct {
	Detector        string
	Subject         string
	AccountID       string
	Region          string
	Principal       string
	PrincipalType   string
	AccessKey       string
	SourceIPs       []string
	FirstSeen       time.Time
	LastSeen        time.Time
	Count           int64
	Evidence        []string
	Score           float64
	Metric          string
	Observed        *float64
	Expected        *float64
	BaselineMean    *float64
	BaselineStddev  *float64
	BaselineMedian  *float64
	BaselineMAD     *float64
	BaselineSamples *int64
	Detail          string
	Severity        *int64
}

func (r *runner) query(ctx context.Context, q string) ([]Candidate, error) {
	rows, err := r.eng.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []Candidate
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		var c Candidate
		for i, name := range cols {
			v := vals[i]
			switch name {
			case "detector":
				c.Detector = str(v)
			case "subject":
				c.Subject = str(v)
			case "account_id":
				c.AccountID = str(v)
			case "region":
				c.Region = str(v)
			case "principal":
				c.Principal = str(v)
			case "principal_type":
				c.PrincipalType = str(v)
			case "access_key":
				c.AccessKey = str(v)
			case "source_ips":
				c.SourceIPs = strs(v)
			case "first_seen":
				c.FirstSeen, _ = v.(time.Time)
			case "last_seen":
				c.LastSeen, _ = v.(time.Time)
			case "cnt":
				c.Count = toInt(v)
			case "evidence":
				c.Evidence = strs(v)
			case "score":
				c.Score = toFloat(v)
			case "metric":
				c.Metric = str(v)
			case "observed":
				c.Observed = fptr(v)
			case "expected":
				c.Expected = fptr(v)
			case "b_mean":
				c.BaselineMean = fptr(v)
			case "b_std":
				c.BaselineStddev = fptr(v)
			case "b_median":
				c.BaselineMedian = fptr(v)
			case "b_mad":
				c.BaselineMAD = fptr(v)
			case "b_samples":
				if v != nil {
					n := toInt(v)
					c.BaselineSamples = &n
				}
			case "detail":
				c.Detail = str(v)
			case "severity":
				if v != nil {
					n := toInt(v)
					c.Severity = &n
				}
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func strs(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, e := range l {
		if s := str(e); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case float64:
		return int64(x)
	}
	return 0
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	}
	return 0
}

func fptr(v any) *float64 {
	if v == nil {
		return nil
	}
	f := toFloat(v)
	return &f
}

func render(t *template.Template, c Candidate) string {
	var b bytes.Buffer
	if err := t.Execute(&b, c); err != nil {
		return c.Detail
	}
	return b.String()
}

// payloadColumns are the w_ct columns that w_ev keeps only where needed.
var payloadColumns = []string{"request_parameters", "response_elements", "additional_event_data", "user_agent"}

// payloadCondition is the SQL condition on w_ev rows whose payload columns
// are kept: the event names of the rules and of the detectors that read
// them. A rule without event names that reads a payload column, or a
// detector that reads one without declaring its events, keeps them for all.
func payloadCondition(ds []Detector) (string, error) {
	names := map[string]bool{}
	reads := func(sql string) bool {
		low := strings.ToLower(sql)
		for _, c := range payloadColumns {
			if strings.Contains(low, c) {
				return true
			}
		}
		return false
	}
	for _, d := range ds {
		switch {
		case d.rule != nil:
			if len(d.rule.Events) == 0 {
				if reads(d.rule.Where) {
					return "true", nil
				}
				continue
			}
			for _, e := range d.rule.Events {
				names[e] = true
			}
		default:
			q, err := sqlfiles.FS.ReadFile(d.File)
			if err != nil {
				return "", err
			}
			if !reads(string(q)) {
				continue
			}
			if len(d.PayloadEvents) == 0 {
				return "true", nil
			}
			for _, e := range d.PayloadEvents {
				names[e] = true
			}
		}
	}
	if len(names) == 0 {
		return "false", nil
	}
	lits := make([]string, 0, len(names))
	for _, n := range slices.Sorted(maps.Keys(names)) {
		lits = append(lits, analytics.QuoteLiteral(n))
	}
	return "w.event_name IN (" + strings.Join(lits, ", ") + ")", nil
}
