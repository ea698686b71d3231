package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/seclake/seclake/schemas"
)

// ASFF is an AWS Security Finding Format finding, with the fields seclake
// fills; it marshals to the JSON BatchImportFindings accepts.
type ASFF struct {
	SchemaVersion   string            `json:"SchemaVersion"`
	ID              string            `json:"Id"`
	ProductArn      string            `json:"ProductArn"`
	GeneratorID     string            `json:"GeneratorId"`
	AwsAccountID    string            `json:"AwsAccountId"`
	Types           []string          `json:"Types"`
	FirstObservedAt string            `json:"FirstObservedAt"`
	LastObservedAt  string            `json:"LastObservedAt"`
	CreatedAt       string            `json:"CreatedAt"`
	UpdatedAt       string            `json:"UpdatedAt"`
	Severity        ASFFSeverity      `json:"Severity"`
	Title           string            `json:"Title"`
	Description     string            `json:"Description"`
	Remediation     *ASFFRemediation  `json:"Remediation,omitempty"`
	ProductFields   map[string]string `json:"ProductFields,omitempty"`
	Resources       []ASFFResource    `json:"Resources"`
	Region          string            `json:"Region,omitempty"`
	RecordState     string            `json:"RecordState"`
	Workflow        ASFFWorkflow      `json:"Workflow"`
}

// ASFFSeverity is Severity.
type ASFFSeverity struct {
	Label    string `json:"Label"`
	Original string `json:"Original"`
}

// ASFFRemediation is Remediation.
type ASFFRemediation struct {
	Recommendation struct {
		Text string `json:"Text"`
	} `json:"Recommendation"`
}

// ASFFResource is one Resources element.
type ASFFResource struct {
	Type   string `json:"Type"`
	ID     string `json:"Id"`
	Region string `json:"Region,omitempty"`
}

// ASFFWorkflow is Workflow.
type ASFFWorkflow struct {
	Status string `json:"Status"`
}

// ASFFOptions fill the deployment-specific fields.
type ASFFOptions struct {
	ProductARN string // default arn:aws:securityhub:<region>:<account>:product/<account>/default
	AccountID  string // used when a finding names no account
	Region     string
}

// ToASFF converts a finding. Times are the finding's own (no wall clock),
// so the same finding converts to the same bytes.
func ToASFF(f *schemas.Finding, o ASFFOptions) ASFF {
	acct := f.AccountID
	if acct == "" {
		acct = o.AccountID
	}
	region := f.Region
	if region == "" {
		region = o.Region
	}
	product := o.ProductARN
	if product == "" {
		product = fmt.Sprintf("arn:aws:securityhub:%s:%s:product/%s/default", o.Region, o.AccountID, o.AccountID)
	}
	label := strings.ToUpper(f.SeverityLabel)
	if label == "" {
		label = strings.ToUpper(schemas.SeverityLabel(int(f.Severity)))
	}
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	typ := "TTPs"
	if f.AttackTactic != "" {
		typ += "/" + f.AttackTactic
	}
	if f.Detector == "log_gap" {
		typ = "Software and Configuration Checks/Industry and Regulatory Standards"
	}
	res := []ASFFResource{{Type: "AwsAccount", ID: "AWS::::Account:" + acct, Region: region}}
	if f.PrincipalARN != "" {
		t := "AwsIamUser"
		if strings.Contains(f.PrincipalARN, ":role/") || strings.Contains(f.PrincipalARN, ":assumed-role/") {
			t = "AwsIamRole"
		}
		res = append(res, ASFFResource{Type: t, ID: f.PrincipalARN, Region: region})
	}
	if f.AccessKeyID != "" {
		res = append(res, ASFFResource{Type: "AwsIamAccessKey", ID: f.AccessKeyID, Region: region})
	}
	a := ASFF{
		SchemaVersion: "2018-10-08", ID: f.FindingID, ProductArn: product, GeneratorID: "seclake/" + f.Detector,
		AwsAccountID: acct, Types: []string{typ},
		FirstObservedAt: ts(f.FirstSeen), LastObservedAt: ts(f.LastSeen), CreatedAt: ts(f.WindowEnd), UpdatedAt: ts(f.WindowEnd),
		Severity: ASFFSeverity{Label: label, Original: fmt.Sprint(f.Severity)},
		Title:    truncate(f.Title, 256), Description: truncate(f.Explanation, 1024),
		ProductFields: map[string]string{"seclake/detector": f.Detector, "seclake/score": fmt.Sprintf("%.3f", f.Score)},
		Resources:     res, Region: region, RecordState: "ACTIVE", Workflow: ASFFWorkflow{Status: "NEW"},
	}
	if a.Description == "" {
		a.Description = a.Title
	}
	if f.AttackTechnique != "" {
		a.ProductFields["seclake/attack_technique"] = f.AttackTechnique
	}
	switch f.Status {
	case schemas.StatusSuppressed:
		a.Workflow.Status = "SUPPRESSED"
	case schemas.StatusResolved:
		a.Workflow.Status = "RESOLVED"
	}
	if f.Recommendation != "" {
		a.Remediation = &ASFFRemediation{}
		a.Remediation.Recommendation.Text = truncate(f.Recommendation, 512)
	}
	return a
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func (a ASFF) sdk() types.AwsSecurityFinding {
	out := types.AwsSecurityFinding{
		SchemaVersion: aws.String(a.SchemaVersion), Id: aws.String(a.ID), ProductArn: aws.String(a.ProductArn),
		GeneratorId: aws.String(a.GeneratorID), AwsAccountId: aws.String(a.AwsAccountID), Types: a.Types,
		FirstObservedAt: aws.String(a.FirstObservedAt), LastObservedAt: aws.String(a.LastObservedAt),
		CreatedAt: aws.String(a.CreatedAt), UpdatedAt: aws.String(a.UpdatedAt),
		Severity: &types.Severity{Label: types.SeverityLabel(a.Severity.Label), Original: aws.String(a.Severity.Original)},
		Title:    aws.String(a.Title), Description: aws.String(a.Description), ProductFields: a.ProductFields,
		RecordState: types.RecordState(a.RecordState), Workflow: &types.Workflow{Status: types.WorkflowStatus(a.Workflow.Status)},
	}
	if a.Region != "" {
		out.Region = aws.String(a.Region)
	}
	if a.Remediation != nil {
		out.Remediation = &types.Remediation{Recommendation: &types.Recommendation{Text: aws.String(a.Remediation.Recommendation.Text)}}
	}
	for _, r := range a.Resources {
		rr := types.Resource{Type: aws.String(r.Type), Id: aws.String(r.ID)}
		if r.Region != "" {
			rr.Region = aws.String(r.Region)
		}
		out.Resources = append(out.Resources, rr)
	}
	return out
}

// SecurityHub imports findings with BatchImportFindings, 100 per call.
type SecurityHub struct {
	TargetName string
	Client     *securityhub.Client
	Options    ASFFOptions
}

var _ Notifier = (*SecurityHub)(nil)

// Name is the target's name.
func (s *SecurityHub) Name() string { return s.TargetName }

// Notify imports the findings.
func (s *SecurityHub) Notify(ctx context.Context, findings []schemas.Finding) error {
	for start := 0; start < len(findings); start += 100 {
		var batch []types.AwsSecurityFinding
		for i := start; i < min(start+100, len(findings)); i++ {
			batch = append(batch, ToASFF(&findings[i], s.Options).sdk())
		}
		out, err := s.Client.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: batch})
		if err != nil {
			return fmt.Errorf("notify: securityhub %s: %w", s.TargetName, err)
		}
		if n := aws.ToInt32(out.FailedCount); n > 0 {
			first := out.FailedFindings[0]
			return fmt.Errorf("notify: securityhub %s: %d of %d findings failed (first: %s %s %s)", s.TargetName, n, len(batch),
				aws.ToString(first.Id), aws.ToString(first.ErrorCode), aws.ToString(first.ErrorMessage))
		}
	}
	return nil
}

// ASFFBatch is the document written to the lake for offline import
// (aws securityhub batch-import-findings --cli-input-json file://…).
type ASFFBatch struct {
	Findings []ASFF `json:"Findings"`
}
