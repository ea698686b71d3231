package infra_test

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// ---------------------------------------------------------------- IaC policy checks
//
// infra/seclake.yaml read as data (short-form intrinsics kept as one-key
// maps by cfn): least-privilege IAM, locked-down buckets, a scoped KMS key.

// statement is one policy statement with the place it came from.
type statement struct {
	where string
	m     map[string]any
}

// branches expands a !If into both of its branches and drops AWS::NoValue,
// so conditional statements are checked whichever way the condition goes.
func branches(v any) []any {
	if m, ok := v.(map[string]any); ok {
		if f, ok := m["!If"].([]any); ok && len(f) == 3 {
			return append(branches(f[1]), branches(f[2])...)
		}
		if ref(m) == "AWS::NoValue" {
			return nil
		}
	}
	return []any{v}
}

func statements(where string, doc any) []statement {
	var out []statement
	st := get(doc, "Statement")
	list, ok := st.([]any)
	if !ok {
		list = []any{st}
	}
	for i, s := range list {
		for j, b := range branches(s) {
			m, ok := b.(map[string]any)
			if !ok {
				continue
			}
			name := fmt.Sprintf("%s[%d]", where, i)
			if sid, ok := m["Sid"].(string); ok {
				name = where + "/" + sid
			}
			if j > 0 {
				name += fmt.Sprintf("(branch %d)", j)
			}
			out = append(out, statement{name, m})
		}
	}
	return out
}

// strs flattens a string-or-list field (Action, Resource), keeping
// intrinsic values (maps) as their printed form.
func strs(v any) []string {
	var out []string
	for _, b := range branches(v) {
		switch x := b.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, e := range x {
				out = append(out, strs(e)...)
			}
		default:
			out = append(out, fmt.Sprint(x))
		}
	}
	return out
}

// iamStatements: every statement of every inline policy of every role.
func iamStatements(tpl map[string]any) []statement {
	var out []statement
	for name, r := range resources(tpl, "AWS::IAM::Role") {
		for _, p := range asList(get(r, "Properties", "Policies")) {
			out = append(out, statements(name+"/"+fmt.Sprint(get(p, "PolicyName")), get(p, "PolicyDocument"))...)
		}
	}
	for _, typ := range []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"} {
		for name, r := range resources(tpl, typ) {
			out = append(out, statements(name, get(r, "Properties", "PolicyDocument"))...)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].where < out[j].where })
	return out
}

// Actions that have no resource-level permissions, so Resource "*" is the
// only possible scope for them.
var noResourceLevel = map[string]bool{
	"ecr:GetAuthorizationToken": true,
	"logs:CreateLogDelivery":    true, "logs:GetLogDelivery": true, "logs:UpdateLogDelivery": true,
	"logs:DeleteLogDelivery": true, "logs:ListLogDeliveries": true, "logs:PutResourcePolicy": true,
	"logs:DescribeResourcePolicies": true, "logs:DescribeLogGroups": true,
}

// The only KMS actions a role or service may use: the data-key calls of
// SSE-KMS and DescribeKey. Everything else (key policy, grants, deletion)
// belongs to the account's administrators.
var cryptoActions = map[string]bool{"kms:Decrypt": true, "kms:Encrypt": true, "kms:GenerateDataKey": true, "kms:DescribeKey": true}

// No IAM Allow statement uses a wildcard action ("*", "s3:*", "kms:*",
// "s3:Get*"), or Resource "*" except for the actions that have no
// resource-level permissions; S3 and KMS actions name the template's
// buckets and key (or a parameter), and KMS actions are data-key calls only.
func TestSecurityAuditIAMLeastPrivilege(t *testing.T) {
	tpl := cfn(t, "seclake.yaml")
	sts := iamStatements(tpl)
	if len(sts) < 20 {
		t.Fatalf("only %d IAM statements found: the parser missed some", len(sts))
	}
	for _, s := range sts {
		if s.m["Effect"] != "Allow" {
			continue
		}
		if _, ok := s.m["NotAction"]; ok {
			t.Errorf("%s: Allow with NotAction", s.where)
		}
		if _, ok := s.m["NotResource"]; ok {
			t.Errorf("%s: Allow with NotResource", s.where)
		}
		actions, res := strs(s.m["Action"]), strs(s.m["Resource"])
		starRes := slices.Contains(res, "*")
		for _, a := range actions {
			if strings.Contains(a, "*") {
				t.Errorf("%s: wildcard action %q", s.where, a)
			}
			if starRes && !noResourceLevel[a] {
				t.Errorf("%s: %s on Resource \"*\" (it has resource-level permissions: scope it)", s.where, a)
			}
			if strings.HasPrefix(a, "kms:") && !cryptoActions[a] {
				t.Errorf("%s: %s is not a data-key action", s.where, a)
			}
			if strings.HasPrefix(a, "s3:") || strings.HasPrefix(a, "kms:") {
				for _, r := range res {
					if !strings.Contains(r, "Bucket") && !strings.Contains(r, "Key") {
						t.Errorf("%s: %s on %s, not on a seclake bucket or key", s.where, a, r)
					}
				}
			}
		}
	}
}

// granted reports whether role has an Allow statement with action on a
// resource whose printed form contains resSub.
func granted(sts []statement, role, action, resSub string) bool {
	for _, s := range sts {
		if !strings.HasPrefix(s.where, role+"/") || s.m["Effect"] != "Allow" || !slices.Contains(strs(s.m["Action"]), action) {
			continue
		}
		for _, r := range strs(s.m["Resource"]) {
			if strings.Contains(r, resSub) {
				return true
			}
		}
	}
	return false
}

// The job role can do what `seclake report` does to the reports bucket
// (SECLAKE_REPORTS): read its Object Lock configuration and put objects
// with a retention date, which S3 authorizes as s3:PutObjectRetention.
func TestSecurityAuditTaskRoleCanLockReports(t *testing.T) {
	tpl := cfn(t, "seclake.yaml")
	sts := iamStatements(tpl)
	for _, c := range []struct{ action, res string }{
		{"s3:PutObject", "ReportsBucket.Arn}/*"},
		{"s3:PutObjectRetention", "ReportsBucket.Arn}/*"},
		{"s3:GetBucketObjectLockConfiguration", "ReportsBucket.Arn"},
		{"kms:GenerateDataKey", "Key.Arn"},
		{"kms:Decrypt", "Key.Arn"},
	} {
		if !granted(sts, "TaskRole", c.action, c.res) {
			t.Errorf("TaskRole lacks %s on %s", c.action, c.res)
		}
	}
}

// Every bucket blocks public access, encrypts by default with the stack's
// key, and has a policy that denies non-TLS access, puts without SSE-KMS,
// and puts naming another key (or naming none, which S3 would encrypt with
// the AWS-managed aws/s3 key).
func TestSecurityAuditBucketsLockedDown(t *testing.T) {
	tpl := cfn(t, "seclake.yaml")
	policies := map[string][]statement{}
	for name, p := range resources(tpl, "AWS::S3::BucketPolicy") {
		b := ref(get(p, "Properties", "Bucket"))
		policies[b] = append(policies[b], statements(name, get(p, "Properties", "PolicyDocument"))...)
	}
	keyArn := map[string]any{"!GetAtt": "Key.Arn"}
	buckets := resources(tpl, "AWS::S3::Bucket")
	if len(buckets) < 3 {
		t.Fatalf("%d buckets", len(buckets))
	}
	for name, b := range buckets {
		pab := get(b, "Properties", "PublicAccessBlockConfiguration")
		for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
			if get(pab, k) != true {
				t.Errorf("%s: PublicAccessBlockConfiguration.%s = %v, want true", name, k, get(pab, k))
			}
		}
		enc := asList(get(b, "Properties", "BucketEncryption", "ServerSideEncryptionConfiguration"))
		if len(enc) != 1 || get(enc[0], "ServerSideEncryptionByDefault", "SSEAlgorithm") != "aws:kms" ||
			!reflect.DeepEqual(get(enc[0], "ServerSideEncryptionByDefault", "KMSMasterKeyID"), keyArn) {
			t.Errorf("%s: default encryption %v, want aws:kms with Key.Arn", name, enc)
		}
		if acl := get(b, "Properties", "AccessControl"); acl != nil {
			t.Errorf("%s: canned ACL %v", name, acl)
		}
		var tls, otherKey, noSSE, noKeyID bool
		for _, s := range policies[name] {
			if s.m["Effect"] == "Allow" {
				if p := s.m["Principal"]; p == "*" || get(p, "AWS") == "*" {
					t.Errorf("%s: Allow to Principal \"*\"", s.where)
				}
				for _, a := range strs(s.m["Action"]) {
					if strings.Contains(a, "*") {
						t.Errorf("%s: Allow with wildcard action %q", s.where, a)
					}
				}
				continue
			}
			if s.m["Effect"] != "Deny" || s.m["Principal"] != "*" {
				continue
			}
			actions := strs(s.m["Action"])
			cond, _ := s.m["Condition"].(map[string]any)
			if slices.Contains(actions, "s3:*") && get(cond, "Bool", "aws:SecureTransport") == "false" {
				res := strs(s.m["Resource"])
				tls = len(res) == 2 // the bucket and its objects
			}
			if !slices.Contains(actions, "s3:PutObject") && !slices.Contains(actions, "s3:*") {
				continue
			}
			for op, kv := range cond {
				switch {
				case strings.HasPrefix(op, "StringNotEquals") && reflect.DeepEqual(get(kv, "s3:x-amz-server-side-encryption-aws-kms-key-id"), keyArn):
					otherKey = true
					if op == "StringNotEquals" { // a missing key id is "not equal": denied too
						noKeyID, noSSE = true, true
					}
				case strings.HasPrefix(op, "StringNotEquals") && get(kv, "s3:x-amz-server-side-encryption") == "aws:kms":
					noSSE = noSSE || op == "StringNotEquals"
				case op == "Null" && get(kv, "s3:x-amz-server-side-encryption-aws-kms-key-id") == "true":
					// Null with only the key id: no key id → denied. With the
					// SSE header also "false": aws:kms without a key id → denied.
					noKeyID = true
					if get(kv, "s3:x-amz-server-side-encryption") == nil {
						noSSE = true
					}
				}
			}
		}
		if !tls {
			t.Errorf("%s: no Deny of s3:* on the bucket and its objects when aws:SecureTransport is false", name)
		}
		if !otherKey {
			t.Errorf("%s: no Deny of PutObject naming another KMS key", name)
		}
		if !noKeyID {
			t.Errorf("%s: no Deny of PutObject with aws:kms and no key id (S3 would use aws/s3)", name)
		}
		if !noSSE {
			// Buckets AWS services deliver to without SSE headers rely on
			// the default encryption checked above.
			t.Logf("%s: puts without SSE headers are allowed and get the default encryption (Key.Arn)", name)
		}
	}
}

// The key policy gives no one but the account (which delegates to IAM, where
// TestSecurityAuditIAMLeastPrivilege scopes the roles) more than data-key
// actions; no statement names Principal "*" without a condition.
func TestSecurityAuditKMSKeyPolicyScoped(t *testing.T) {
	tpl := cfn(t, "seclake.yaml")
	keys := resources(tpl, "AWS::KMS::Key")
	if len(keys) == 0 {
		t.Fatal("no KMS key")
	}
	for name, k := range keys {
		if get(k, "Properties", "EnableKeyRotation") != true {
			t.Errorf("%s: key rotation off", name)
		}
		sts := statements(name, get(k, "Properties", "KeyPolicy"))
		if len(sts) < 3 {
			t.Fatalf("%s: %d statements", name, len(sts))
		}
		for _, s := range sts {
			if s.m["Effect"] != "Allow" {
				continue
			}
			p := s.m["Principal"]
			if p == "*" || get(p, "AWS") == "*" || slices.Contains(strs(get(p, "AWS")), "*") {
				if s.m["Condition"] == nil {
					t.Errorf("%s: Principal \"*\" without a condition", s.where)
				}
			}
			root := strings.Contains(fmt.Sprint(get(p, "AWS")), ":root")
			for _, a := range strs(s.m["Action"]) {
				switch {
				case cryptoActions[a]:
				case root && a == "kms:*" && s.m["Condition"] == nil:
					// The account itself administers the key and delegates
					// use to IAM (AWS's default key policy statement).
				default:
					t.Errorf("%s: %s to %v (only the account may do more than data-key calls)", s.where, a, p)
				}
			}
			// A service that can decrypt is confined to this account's
			// resources, except the alarm and event publishers to the
			// encrypted SNS topic (AWS documents no condition for them).
			if svc := strs(get(p, "Service")); len(svc) > 0 && slices.Contains(strs(s.m["Action"]), "kms:Decrypt") && s.m["Condition"] == nil {
				for _, v := range svc {
					if v != "cloudwatch.amazonaws.com" && v != "events.amazonaws.com" {
						t.Errorf("%s: kms:Decrypt for %s without a condition", s.where, v)
					}
				}
			}
		}
	}
	// The job's key id must be the ARN the bucket policies compare with.
	found := false
	for _, td := range resources(tpl, "AWS::ECS::TaskDefinition") {
		for _, c := range asList(get(td, "Properties", "ContainerDefinitions")) {
			for _, e := range asList(get(c, "Environment")) {
				if get(e, "Name") == "SECLAKE_KMS_KEY" {
					found = true
					if !reflect.DeepEqual(get(e, "Value"), map[string]any{"!GetAtt": "Key.Arn"}) {
						t.Errorf("SECLAKE_KMS_KEY = %v, want !GetAtt Key.Arn (the bucket policies deny any other key id)", get(e, "Value"))
					}
				}
			}
		}
	}
	if !found {
		t.Error("the task definition sets no SECLAKE_KMS_KEY")
	}
}
