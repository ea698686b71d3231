package cloudtrail

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/schemas"
)

// synthEvent builds a realistic CloudTrail event (1–3 KB) of one of several
// shapes, deterministically from i.
func synthEvent(i int) []byte {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	acct := fmt.Sprintf("%012d", 100000000000+r.IntN(5))
	t := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 137 * time.Millisecond)
	ev := map[string]any{
		"eventVersion":       []string{"1.08", "1.09", "1.10", "1.11"}[r.IntN(4)],
		"eventTime":          t.Format(time.RFC3339),
		"awsRegion":          []string{"us-east-1", "eu-west-1", "ap-southeast-2"}[r.IntN(3)],
		"sourceIPAddress":    fmt.Sprintf("198.51.%d.%d", r.IntN(255), r.IntN(255)),
		"requestID":          fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.IntN(65536), r.IntN(65536), r.IntN(65536), r.Uint64()&0xffffffffffff),
		"eventID":            fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.IntN(65536), r.IntN(65536), r.IntN(65536), r.Uint64()&0xffffffffffff),
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": acct,
		"eventCategory":      "Management",
		"readOnly":           r.IntN(3) > 0,
	}
	switch r.IntN(4) {
	case 0, 1:
		ev["userIdentity"] = map[string]any{
			"type": "AssumedRole", "principalId": "AROAEXAMPLEID:session-" + fmt.Sprint(r.IntN(50)),
			"arn": "arn:aws:sts::" + acct + ":assumed-role/DeployRole/session", "accountId": acct, "accessKeyId": "ASIAEXAMPLE" + fmt.Sprint(r.IntN(1000)),
			"sessionContext": map[string]any{
				"sessionIssuer":       map[string]any{"type": "Role", "principalId": "AROAEXAMPLEID", "arn": "arn:aws:iam::" + acct + ":role/DeployRole", "accountId": acct, "userName": "DeployRole"},
				"webIdFederationData": map[string]any{},
				"attributes":          map[string]any{"creationDate": t.Add(-time.Hour).Format(time.RFC3339), "mfaAuthenticated": "false"},
			},
		}
	case 2:
		ev["userIdentity"] = map[string]any{"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::" + acct + ":user/alice", "accountId": acct, "accessKeyId": "AKIAEXAMPLE", "userName": "alice"}
		ev["tlsDetails"] = map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "ec2.us-east-1.amazonaws.com"}
		ev["sessionCredentialFromConsole"] = "true"
	default:
		ev["userIdentity"] = map[string]any{"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}
		ev["sharedEventID"] = "b0f5d2c7-9f0e-4f5a-8b0e-1d0c2e3f4a5b"
	}
	switch r.IntN(5) {
	case 0:
		ev["eventSource"], ev["eventName"] = "s3.amazonaws.com", "GetObject"
		ev["requestParameters"] = map[string]any{"bucketName": "data-bucket", "Host": "data-bucket.s3.us-east-1.amazonaws.com", "key": "logs/2024/05/01/part-" + fmt.Sprint(r.IntN(100000)) + ".parquet"}
		ev["responseElements"] = nil
		ev["additionalEventData"] = map[string]any{"SignatureVersion": "SigV4", "CipherSuite": "ECDHE-RSA-AES128-GCM-SHA256", "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader", "x-amz-id-2": strings.Repeat("Zm9vYmFy", 8), "bytesTransferredOut": r.IntN(1 << 20)}
		ev["resources"] = []any{map[string]any{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::data-bucket/logs/x"}, map[string]any{"accountId": acct, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::data-bucket"}}
		ev["eventCategory"], ev["managementEvent"] = "Data", false
	case 1:
		ev["eventSource"], ev["eventName"] = "ec2.amazonaws.com", "DescribeInstances"
		ev["requestParameters"] = map[string]any{"instancesSet": map[string]any{}, "filterSet": map[string]any{"items": []any{map[string]any{"name": "tag:Name", "valueSet": map[string]any{"items": []any{map[string]any{"value": "web-*"}}}}}}}
		ev["responseElements"] = nil
	case 2:
		ev["eventSource"], ev["eventName"] = "sts.amazonaws.com", "AssumeRole"
		ev["requestParameters"] = map[string]any{"roleArn": "arn:aws:iam::" + acct + ":role/DeployRole", "roleSessionName": "session", "durationSeconds": 3600}
		ev["responseElements"] = map[string]any{"credentials": map[string]any{"accessKeyId": "ASIAEXAMPLE", "sessionToken": strings.Repeat("IQoJb3JpZ2luX2VjE", 20), "expiration": "May 1, 2024, 1:00:00 AM"}, "assumedRoleUser": map[string]any{"assumedRoleId": "AROAEXAMPLEID:session", "arn": "arn:aws:sts::" + acct + ":assumed-role/DeployRole/session"}}
	case 3:
		ev["eventSource"], ev["eventName"] = "iam.amazonaws.com", "PutRolePolicy"
		ev["errorCode"], ev["errorMessage"] = "AccessDenied", "User: arn:aws:sts::"+acct+":assumed-role/DeployRole/session is not authorized to perform: iam:PutRolePolicy on resource: role Admin because no identity-based policy allows the iam:PutRolePolicy action"
		ev["requestParameters"] = map[string]any{"roleName": "Admin", "policyName": "inline", "policyDocument": "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]\n}"}
	default:
		ev["eventSource"], ev["eventName"] = "kms.amazonaws.com", "Decrypt"
		ev["requestParameters"] = map[string]any{"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": map[string]any{"aws:lambda:FunctionArn": "arn:aws:lambda:us-east-1:" + acct + ":function:handler-é"}}
		ev["resources"] = []any{map[string]any{"accountId": acct, "type": "AWS::KMS::Key", "ARN": "arn:aws:kms:us-east-1:" + acct + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"}}
		ev["vpcEndpointId"] = "vpce-0123456789abcdef0"
	}
	ev["userAgent"] = []string{"aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023 prompt/off command/ec2.describe-instances",
		"aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/sts#1.28.5",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
		"lambda.amazonaws.com"}[r.IntN(4)]
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return b
}

// synthDelivery is a delivery file of n events, compact (one line) or
// pretty-printed like CloudTrail's own files are not (but tools rewrite).
func synthDelivery(n int, pretty bool) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"Records":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		if pretty {
			buf.WriteString("\n  ")
			_ = json.Indent(&buf, synthEvent(i), "  ", "  ")
		} else {
			buf.Write(synthEvent(i))
		}
	}
	buf.WriteString("]}\n")
	return buf.Bytes()
}

func synthLines(n int) []byte {
	var buf bytes.Buffer
	for i := 0; i < n; i++ {
		buf.Write(synthEvent(i))
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// benchInput is ~20 MB of compact delivery files (the common case).
func benchInput(b *testing.B) []byte {
	b.Helper()
	var buf bytes.Buffer
	for buf.Len() < 20<<20 {
		buf.Write(synthDelivery(2000, false))
	}
	return buf.Bytes()
}

func discardSink() rawlog.Sink[schemas.CloudTrail] {
	return rawlog.Sink[schemas.CloudTrail]{
		Row: func(schemas.CloudTrail) error { return nil },
		Bad: func(rawlog.Bad) error { return nil },
	}
}

func benchParse(b *testing.B, in []byte) {
	var p Parser
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		st, err := p.Parse(context.Background(), bytes.NewReader(in), rawlog.Object{Key: "k"}, discardSink())
		if err != nil || st.Records == 0 {
			b.Fatal(st, err)
		}
	}
}

func BenchmarkParse(b *testing.B) { benchParse(b, benchInput(b)) }

func BenchmarkParseJSONLines(b *testing.B) {
	in := synthLines(10000)
	benchParse(b, in)
}

// baselineEvent is what a straightforward encoding/json converter decodes.
type baselineEvent struct {
	EventVersion string `json:"eventVersion"`
	UserIdentity struct {
		Type           string `json:"type"`
		PrincipalID    string `json:"principalId"`
		ARN            string `json:"arn"`
		AccountID      string `json:"accountId"`
		AccessKeyID    string `json:"accessKeyId"`
		UserName       string `json:"userName"`
		InvokedBy      string `json:"invokedBy"`
		SessionContext *struct {
			SessionIssuer map[string]string `json:"sessionIssuer"`
			Attributes    map[string]string `json:"attributes"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	EventTime           time.Time       `json:"eventTime"`
	EventSource         string          `json:"eventSource"`
	EventName           string          `json:"eventName"`
	AWSRegion           string          `json:"awsRegion"`
	SourceIPAddress     string          `json:"sourceIPAddress"`
	UserAgent           string          `json:"userAgent"`
	ErrorCode           string          `json:"errorCode"`
	ErrorMessage        string          `json:"errorMessage"`
	RequestParameters   json.RawMessage `json:"requestParameters"`
	ResponseElements    json.RawMessage `json:"responseElements"`
	AdditionalEventData json.RawMessage `json:"additionalEventData"`
	Resources           json.RawMessage `json:"resources"`
	RequestID           string          `json:"requestID"`
	EventID             string          `json:"eventID"`
	ReadOnly            *bool           `json:"readOnly"`
	EventType           string          `json:"eventType"`
	ManagementEvent     *bool           `json:"managementEvent"`
	RecipientAccountID  string          `json:"recipientAccountId"`
	EventCategory       string          `json:"eventCategory"`
	TLSDetails          map[string]string
}

func baseline(in []byte) (int, error) {
	dec := json.NewDecoder(bytes.NewReader(in))
	n := 0
	for {
		var f struct{ Records []baselineEvent }
		if err := dec.Decode(&f); err == io.EOF {
			return n, nil
		} else if err != nil {
			return n, err
		}
		n += len(f.Records)
	}
}

func BenchmarkBaselineEncodingJSON(b *testing.B) {
	in := benchInput(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := baseline(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRatio measures both in the same run and reports the speed-up as
// a metric ("x_encoding_json"); it also logs "parse is N.N× encoding/json".
func BenchmarkRatio(b *testing.B) {
	in := benchInput(b)
	var p Parser
	var tp, tb time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if _, err := p.Parse(context.Background(), bytes.NewReader(in), rawlog.Object{}, discardSink()); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := baseline(in); err != nil {
			b.Fatal(err)
		}
		tp += t1.Sub(t0)
		tb += time.Since(t1)
	}
	ratio := float64(tb) / float64(tp)
	b.ReportMetric(ratio, "x_encoding_json")
	b.ReportMetric(float64(len(in))*float64(b.N)/tp.Seconds()/1e6, "parse_MB/s")
	b.Logf("parse is %.1f× encoding/json (%.0f MB/s vs %.0f MB/s)", ratio,
		float64(len(in))*float64(b.N)/tp.Seconds()/1e6, float64(len(in))*float64(b.N)/tb.Seconds()/1e6)
}
