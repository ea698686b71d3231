package entity

import (
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// extract runs Extract over one row given as column name → value.
func extract(t *testing.T, x *Extractor, row map[string]string) []Entity {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	var cols []Column
	for name, v := range row {
		cols = append(cols, StringColumn(mem, name, []string{v}))
	}
	defer func() {
		for _, c := range cols {
			c.Values.Release()
		}
	}()
	return x.Extract(cols, 1)
}

func kv(ents []Entity) []string {
	var out []string
	for _, e := range ents {
		out = append(out, string(e.Kind)+"="+e.Value)
	}
	return out
}

// TestNoClassicFalsePositives feeds the classic bait through every free-text
// column and expects nothing (or only the listed entities).
func TestNoClassicFalsePositives(t *testing.T) {
	x := New(Options{})
	for _, c := range []struct {
		name string
		text string
		want []string
	}{
		{"version strings", `{"version":"1.2.3","v":"2026.11.21","x":"1.08","eventVersion":"1.09","build":"10.0.19045"}`, nil},
		{"timestamps", `{"eventTime":"2026-11-21T10:20:30Z","t":"2026-11-21 10:20:30.123","d":"21.11.2026","epoch":1763720430}`, nil},
		{"event names", `{"eventName":"RunInstances","action":"ec2:DescribeInstances","api":"AssumeRole20110615"}`, nil},
		{"dotted version with 4 parts in a word", `{"os":"Windows 10.0.19045.4170","kernel":"v1.2.3.4","pkg":"lib-1.2.3.4-beta","ip":"1.2.3.4.5"}`, nil},
		{"12-digit numbers out of account context", `{"orderId":"123456789012","serial":123456789012,"phone":"+1 234567890123","requesterId":"123456789012","note":"ticket 123456789012"}`, nil},
		{"12-digit numbers in account context", `{"accountId":"123456789012","ownerId":210987654321,"launchPermission":{"add":{"items":[{"userId":"111122223333"}]}},"valuesToAdd":["444455556666"]}`,
			[]string{"aws_account_id=111122223333", "aws_account_id=123456789012", "aws_account_id=210987654321", "aws_account_id=444455556666"}},
		{"hex that is not an id or key", `{"requestId":"9f86d081-884c-7d65-9a2f-eaa0c55ad015","sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","md5":"d41d8cd98f00b204e9800998ecf8427e","x-amz-id-2":"a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0"}`, nil},
		{"AKIA inside longer words", `{"a":"NOTAKIAIOSFODNN7EXAMPLE","b":"AKIAIOSFODNN7EXAMPLEEXTRA","c":"xASIAJEXAMPLEXEG2JICE","d":"AKIA-IOSFODNN7EXAMPLE","e":"AKIAIOSFODNN7EXAMPLE_1"}`, nil},
		{"principal ids are not keys", `{"principalId":"AIDAJQABLZS4A3QDU576","assumedRoleId":"AROAJQABLZS4A3QDU576:session"}`, nil},
		{"id-like words", `{"d":"my-sg-0123456789abcdef0","e":"i-nothexatall0000","f":"sg-12","g":"vpc-0123456789abcdef0x","h":"xi-0123456789abcdef0"}`, nil},
		{"not domains", `{"host":"localhost","hostname":"10.0.0.1","domainName":"file.123","dnsName":"-bad-.example.com"}`,
			[]string{"ip_address=10.0.0.1"}},
		{"not emails", `{"a":"user@localhost","b":"@example.com","c":"foo@bar","d":"a@b.c1"}`, nil},
		{"CIDR and embedded IPs are bare", `{"cidrIp":"0.0.0.0/0","c":"203.0.113.7/32","msg":"connect to 10.1.2.3 failed"}`, nil},
		{"ARN cut at quote and escapes", `{"policy":"{\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:role/Admin\"},\"Resource\":\"arn:aws:s3:::bkt-1/*\"}"}`,
			[]string{"aws_account_id=123456789012", "iam_role_arn=arn:aws:iam::123456789012:role/Admin", "s3_bucket=bkt-1"}},
		{"malformed ARNs", `{"a":"arn:aws:iam::12345:user/x","b":"arn:aws","c":"arn:AWS:iam::123456789012:user/x","d":"arn:aws:iam::123456789012:","e":"barn:aws:iam::123456789012:user/x"}`, nil},
		{"wildcard ARN keeps account only", `{"Resource":"arn:aws:ec2:us-east-1:123456789012:instance/*"}`, []string{"aws_account_id=123456789012"}},
		{"managed policy ARN has no account", `{"policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}`, []string{"arn=arn:aws:iam::aws:policy/AdministratorAccess"}},
	} {
		for _, col := range []string{"request_parameters", "response_elements", "additional_event_data", "resources", "service_event_details"} {
			got := kv(extract(t, x, map[string]string{col: c.text}))
			if !slices.Equal(got, c.want) {
				t.Errorf("%s in %s: got %v, want %v", c.name, col, got, c.want)
			}
		}
	}
}

func TestErrorMessageProse(t *testing.T) {
	msg := "User: arn:aws:sts::123456789012:assumed-role/Dev/alice@Example.com is not authorized to perform: " +
		"s3:GetObject on resource: arn:aws:s3:::my-bucket/reports/q3.csv. Build 2026.11.21 v1.2.3 took 1.08s from 10.1.2.3"
	got := kv(extract(t, New(Options{}), map[string]string{"error_message": msg}))
	want := []string{
		"arn=arn:aws:s3:::my-bucket/reports/q3.csv",
		"assumed_role_arn=arn:aws:sts::123456789012:assumed-role/Dev/alice@Example.com",
		"aws_account_id=123456789012",
		"email_address=alice@example.com",
		"s3_bucket=my-bucket",
		"s3_object_key=reports/q3.csv",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	// With the threshold lowered, the bare IP in prose appears at 0.6.
	low := extract(t, New(Options{Threshold: 0.5}), map[string]string{"error_message": msg})
	found := false
	for _, e := range low {
		if e.Kind == IPAddress && e.Value == "10.1.2.3" && e.Confidence == ConfBare && e.Attr == IPPrivate {
			found = true
		}
	}
	if !found {
		t.Errorf("bare IP not found at threshold 0.5: %v", kv(low))
	}
}

func TestTypedColumns(t *testing.T) {
	got := extract(t, New(Options{}), map[string]string{
		"source_ip_address":           "10.0.3.4",
		"vpc_endpoint_id":             "vpce-0123456789abcdef0",
		"user_agent":                  "aws-cli/2.15.30 Python/3.11.8",
		"recipient_account_id":        "123456789012",
		"user_identity_arn":           "arn:aws:sts::123456789012:assumed-role/Ops/i-0123456789abcdef0",
		"user_identity_access_key_id": "ASIAJEXAMPLEXEG2JICE",
		"session_issuer_arn":          "arn:aws:iam::123456789012:role/Ops",
		"event_name":                  "GetObject",
		"event_version":               "1.09",
		"request_id":                  "123456789012",
	})
	want := []Entity{
		{Kind: AccessKeyID, Value: "ASIAJEXAMPLEXEG2JICE", Role: RoleActor, Field: "user_identity_access_key_id", Confidence: 1, Attr: "temporary"},
		{Kind: AssumedRoleARN, Value: "arn:aws:sts::123456789012:assumed-role/Ops/i-0123456789abcdef0", Role: RoleActor, Field: "user_identity_arn", Confidence: 1},
		{Kind: AccountID, Value: "123456789012", Role: RoleActor, Field: "user_identity_arn", Confidence: 1},
		{Kind: AccountID, Value: "123456789012", Role: RoleIssuer, Field: "session_issuer_arn", Confidence: 1},
		{Kind: AccountID, Value: "123456789012", Role: RoleRecipient, Field: "recipient_account_id", Confidence: 1},
		{Kind: IAMRoleARN, Value: "arn:aws:iam::123456789012:role/Ops", Role: RoleIssuer, Field: "session_issuer_arn", Confidence: 1},
		// The instance whose role credentials made the call (session name).
		{Kind: InstanceID, Value: "i-0123456789abcdef0", Role: RoleActor, Field: "user_identity_arn", Confidence: 0.9},
		{Kind: IPAddress, Value: "10.0.3.4", Role: RoleSourceIP, Field: "source_ip_address", Confidence: 1, Attr: IPVPCEndpoint},
		{Kind: UserAgent, Value: "aws-cli/2.15.30 Python/3.11.8", Role: RoleClient, Field: "user_agent", Confidence: 1, Attr: UAAWSCLI},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	// Non-address sourceIPAddress values give no IP; IPv6 is canonical.
	for in, want := range map[string][]string{
		"AWS Internal":         nil,
		"ec2.amazonaws.com":    nil,
		"2001:DB8:0:0:0:0:0:1": {"ip_address=2001:db8::1"},
		"fe80::1%eth0":         {"ip_address=fe80::1"},
		"::ffff:52.1.2.3":      {"ip_address=52.1.2.3"},
		"075.050.255.067":      {"ip_address=75.50.255.67"},
		"2026.11.21":           nil,
		"1.2.3":                nil,
	} {
		if got := kv(extract(t, New(Options{}), map[string]string{"source_ip_address": in})); !slices.Equal(got, want) {
			t.Errorf("source_ip_address %q: got %v, want %v", in, got, want)
		}
	}
}

func TestSortDedupIgnore(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	cols := []Column{
		StringColumn(mem, "request_parameters", []string{
			`{"instanceId":"i-0123456789abcdef0","again":"i-0123456789abcdef0","accountId":"123456789012"}`,
			"",
			`{"groupId":"sg-0123456789abcdef0","vpcId":"vpc-01234567"}`,
		}),
		StringColumn(mem, "recipient_account_id", []string{"123456789012", "", "210987654321"}),
		StringColumn(mem, "response_elements", []string{`{"instanceId":"i-0123456789abcdef0"}`}), // shorter column
	}
	defer func() {
		for _, c := range cols {
			c.Values.Release()
		}
	}()
	x := New(Options{Ignore: func(k Kind, v string) bool { return k == VPCID && v == "vpc-01234567" }})
	got := x.Extract(cols, 3)
	var s []string
	for _, e := range got {
		s = append(s, string(rune('0'+e.Row))+" "+string(e.Kind)+" "+e.Value+" "+e.Role)
	}
	want := []string{
		"0 aws_account_id 123456789012 recipient",
		"0 aws_account_id 123456789012 target",
		"0 instance_id i-0123456789abcdef0 response",
		"0 instance_id i-0123456789abcdef0 target",
		"2 aws_account_id 210987654321 recipient",
		"2 security_group_id sg-0123456789abcdef0 target",
	}
	if !slices.Equal(s, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(s, "\n"), strings.Join(want, "\n"))
	}
	if got[3].Field != "request_parameters.again" { // ties: smallest field wins
		t.Errorf("field = %q", got[3].Field)
	}
}

func TestListColumns(t *testing.T) {
	ents := []Entity{
		{Row: 0, Kind: IPAddress, Value: "10.0.0.1"},
		{Row: 0, Kind: IPAddress, Value: "10.0.0.1", Role: RoleTarget},
		{Row: 0, Kind: IAMRoleARN, Value: "arn:aws:iam::123456789012:role/R"},
		{Row: 0, Kind: KMSKey, Value: "arn:aws:kms:us-east-1:123456789012:key/k"},
		{Row: 0, Kind: KMSKey, Value: "alias/k"},
		{Row: 1, Kind: InstanceID, Value: "i-0123456789abcdef0"},
		{Row: 1, Kind: VolumeID, Value: "vol-01234567"},
		{Row: 1, Kind: AccountID, Value: "123456789012"},
		{Row: 1, Kind: EmailAddress, Value: "a@example.com"},
		{Row: 1, Kind: UserAgent, Value: "curl/8"},
		{Row: 7, Kind: IPAddress, Value: "out of range"},
	}
	l := ListColumns(ents, 2)
	check := func(name string, got []string, want ...string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("ips[0]", l.IPAddresses[0], "10.0.0.1")
	check("arns[0]", l.ARNs[0], "arn:aws:iam::123456789012:role/R", "arn:aws:kms:us-east-1:123456789012:key/k")
	check("principals[0]", l.Principals[0], "arn:aws:iam::123456789012:role/R")
	check("kms[0]", l.KMSKeys[0], "alias/k", "arn:aws:kms:us-east-1:123456789012:key/k")
	check("resources[1]", l.ResourceIDs[1], "i-0123456789abcdef0", "vol-01234567")
	check("accounts[1]", l.AccountIDs[1], "123456789012")
	check("emails[1]", l.Emails[1], "a@example.com")
	check("ips[1]", l.IPAddresses[1])
	if len(ListColumnNames) != 10 {
		t.Errorf("ListColumnNames has %d names", len(ListColumnNames))
	}
}

func TestStringColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	c := StringColumn(mem, "x", []string{"a", "", "c"})
	defer c.Values.Release()
	if c.Name != "x" || c.Values.Len() != 3 || !c.Values.IsNull(1) || c.Values.Value(2) != "c" {
		t.Errorf("bad column: %v", c.Values)
	}
}

func TestRedactor(t *testing.T) {
	h := Redactor{Key: []byte("k1"), Mode: "hmac"}
	a, b := h.Apply(EmailAddress, "Alice@Example.com"), h.Apply(EmailAddress, "alice@example.com")
	if a != b || !strings.HasPrefix(a, "h:") || len(a) != 18 {
		t.Errorf("hmac not stable/normalised: %q %q", a, b)
	}
	if other := (Redactor{Key: []byte("k2"), Mode: "hmac"}).Apply(EmailAddress, "alice@example.com"); other == a {
		t.Error("hmac ignores the key")
	}
	if got := h.Apply(IAMUserARN, "arn:aws:iam::123456789012:user/ops/bob"); !strings.HasPrefix(got, "arn:aws:iam::123456789012:user/ops/h:") {
		t.Errorf("user ARN: %q", got)
	}
	if first, again := h.Apply(IAMUserName, "bob"), h.Apply(IAMUserName, "bob"); first != again || first == "bob" {
		t.Error("user name not hashed stably")
	}
	if got := h.Apply(IPAddress, "10.0.0.1"); got != "10.0.0.1" {
		t.Errorf("non-PII changed: %q", got)
	}
	r := Redactor{Mode: "redact"}
	if got := r.RedactText(`{"to":["bob@example.com"],"msg":"ping Alice@Example.org now"}`); got != `{"to":["[redacted-email]"],"msg":"ping [redacted-email] now"}` {
		t.Errorf("RedactText = %s", got)
	}
	if got := r.RedactText("no mail here @ all"); got != "no mail here @ all" {
		t.Errorf("RedactText changed %q", got)
	}
}

// TestConcurrentExtract shares one Extractor between goroutines (scratch
// free list, sizing hints) and expects identical results.
func TestConcurrentExtract(t *testing.T) {
	rows, _ := synthCloudTrail(7, 300)
	cols := rowsToColumns(t, memory.DefaultAllocator, rows)
	x := New(Options{})
	want := x.Extract(cols, len(rows))
	done := make(chan []Entity)
	for g := 0; g < 4; g++ {
		go func() {
			var got []Entity
			for range 5 {
				got = x.Extract(cols, len(rows))
			}
			done <- got
		}()
	}
	for g := 0; g < 4; g++ {
		if got := <-done; !slices.Equal(got, want) {
			t.Fatal("concurrent Extract differs")
		}
	}
}

// TestTypedTupleSurvivesOwnTuple: when a row's free-text entity beats one
// of its tuple's, the row gets a tuple of its own, and TypedTuple still
// returns the shared tuple of its typed values (the one callers may reuse
// for other rows), for that row and the others.
func TestTypedTupleSurvivesOwnTuple(t *testing.T) {
	shared := &Tuple{Entities: []Entity{{Kind: IPAddress, Value: "10.0.0.1", Role: RoleSourceIP, Field: "source_ip_address", Confidence: ConfTyped}}}
	bt := &Batch{rows: 2, tuples: []*Tuple{shared, shared}}
	// Equal confidence and a smaller field name: the text entity wins.
	bt.setText([]Entity{{Row: 0, Kind: IPAddress, Value: "10.0.0.1", Role: RoleSourceIP, Field: "a", Confidence: ConfTyped}})
	if bt.Tuple(0) == shared || len(bt.Tuple(0).Entities) != 1 || bt.Tuple(0).Entities[0].Field != "a" {
		t.Fatalf("row 0 tuple %+v, want an own tuple with the text entity", bt.Tuple(0))
	}
	if bt.TypedTuple(0) != shared || bt.TypedTuple(1) != shared || bt.Tuple(1) != shared {
		t.Fatalf("typed tuples %p %p, row 1 %p, want %p", bt.TypedTuple(0), bt.TypedTuple(1), bt.Tuple(1), shared)
	}
	if len(bt.Text(0)) != 0 {
		t.Fatalf("row 0 keeps text %+v merged into its tuple", bt.Text(0))
	}
}

// TestKnownTuples: ExtractBatch gives rows the tuples the caller knows,
// without reading their typed values, and computes the others.
func TestKnownTuples(t *testing.T) {
	x := New(Options{})
	col := StringColumn(memory.DefaultAllocator, "source_ip_address", []string{"10.0.0.1", "10.0.0.2"})
	defer col.Values.Release()
	cols := []Column{col}
	first := x.ExtractBatch(cols, 2, nil)
	known := &Tuple{Entities: []Entity{{Kind: IPAddress, Value: "192.0.2.9", Role: RoleSourceIP, Field: "source_ip_address", Confidence: ConfTyped}}}
	bt := x.ExtractBatch(cols, 2, []*Tuple{known, nil})
	if bt.Tuple(0) != known {
		t.Fatalf("row 0: %+v, want the known tuple", bt.Tuple(0))
	}
	if got := bt.Tuple(1); got == nil || !slices.Equal(got.Entities, first.Tuple(1).Entities) || len(got.Entities) != 1 {
		t.Fatalf("row 1: %+v, want %+v", got, first.Tuple(1))
	}
}

// TestRowListsEqualsListColumns: the one-row lists equal ListColumns' row,
// mixed lists (ARNs of several kinds, principals) included.
func TestRowListsEqualsListColumns(t *testing.T) {
	x := New(Options{})
	rows := []map[string]string{
		{"source_ip_address": "10.0.0.1", "user_identity_arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com", "user_identity_account_id": "111122223333",
			"request_parameters": `{"roleArn":"arn:aws:iam::444455556666:role/x","bucketName":"b-1","instanceId":"i-0123456789abcdef0","keyId":"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}`},
		{"user_agent": "aws-cli/2.15.0"},
		{},
	}
	for i, r := range rows {
		ents := extract(t, x, r)
		l := ListColumns(ents, 1)
		want, got := l.Array(0), RowLists(ents)
		for c := range got {
			if !slices.Equal(got[c], want[c]) {
				t.Errorf("row %d, %s: RowLists %q, ListColumns %q", i, ListColumnNames[c], got[c], want[c])
			}
		}
	}
}
