package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/schemas"
)

const (
	acctProd = "111122223333"
	acctDev  = "444455556666"
)

var day = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

func put[T any](t testing.TB, s storage.Store, key string, rows []T) {
	t.Helper()
	var zero T
	data, err := lake.EncodeParquet(rows, parquet.SchemaOf(zero), 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(context.Background(), key, bytes.NewReader(data), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// buildLake writes a small lake for 2026-11-21: CloudTrail for two accounts
// in us-east-1 (the dev account silent from 05:00 to 08:00), flow logs (that
// stop at 21:00), S3
// access logs, two quarantined records, a detect run and six findings.
func buildLake(t testing.TB, s storage.Store) {
	t.Helper()
	for _, acct := range []string{acctProd, acctDev} {
		for h := 0; h < 24; h++ {
			if acct == acctDev && h >= 5 && h < 8 {
				continue // the gap
			}
			at := day.Add(time.Duration(h) * time.Hour)
			var rows []schemas.CloudTrail
			for i := 0; i < 3; i++ {
				rows = append(rows, schemas.CloudTrail{
					EventTime: at.Add(time.Duration(i) * 7 * time.Minute), EventID: fmt.Sprintf("%s-%02d-%d", acct, h, i),
					EventSource: "s3.amazonaws.com", EventName: "ListBuckets", AWSRegion: "us-east-1", EventType: "AwsApiCall",
					UserIdentityType: "AssumedRole", UserIdentityARN: "arn:aws:sts::" + acct + ":assumed-role/app/i-1",
					UserIdentityPrincipalID: "AROAEXAMPLE:i-1", RecipientAccountID: acct, ReadOnly: ptr(true), SourceObject: "raw",
				})
			}
			if acct == acctProd && h == 9 {
				rows = append(rows,
					schemas.CloudTrail{EventTime: at.Add(50 * time.Minute), EventID: "root-login", EventSource: "signin.amazonaws.com", EventName: "ConsoleLogin",
						AWSRegion: "us-east-1", EventType: "AwsConsoleSignIn", UserIdentityType: "Root", UserIdentityARN: "arn:aws:iam::" + acct + ":root",
						SourceIPAddress: "198.51.100.23", AdditionalEventData: `{"MFAUsed":"No"}`, ResponseElements: `{"ConsoleLogin":"Success"}`,
						RecipientAccountID: acct, ReadOnly: ptr(false), SourceObject: "raw"},
					schemas.CloudTrail{EventTime: at.Add(55 * time.Minute), EventID: "stop-logging", EventSource: "cloudtrail.amazonaws.com", EventName: "StopLogging",
						AWSRegion: "us-east-1", EventType: "AwsApiCall", UserIdentityType: "Root", UserIdentityARN: "arn:aws:iam::" + acct + ":root",
						SourceIPAddress: "198.51.100.23", RecipientAccountID: acct, ReadOnly: ptr(false), SourceObject: "raw"},
					schemas.CloudTrail{EventTime: at.Add(56 * time.Minute), EventID: "new-key", EventSource: "iam.amazonaws.com", EventName: "CreateAccessKey",
						AWSRegion: "us-east-1", EventType: "AwsApiCall", UserIdentityType: "IAMUser", UserIdentityARN: "arn:aws:iam::" + acct + ":user/admin-alice",
						UserIdentityPrincipalID: "AIDAEXAMPLE", RecipientAccountID: acct, ReadOnly: ptr(false), SourceObject: "raw"},
				)
			}
			part := lake.PartitionOf(at, "us-east-1", acct)
			put(t, s, "events/cloudtrail/"+part.Path()+"/part-0.parquet", rows)
		}
	}
	var flows []schemas.VPCFlow
	for h := 0; h < 21; h++ { // flow logs stop at 21:00: a trailing gap
		flows = append(flows, schemas.VPCFlow{EventTime: day.Add(time.Duration(h)*time.Hour + time.Minute), AccountID: acctProd,
			SrcAddr: "10.0.1.5", DstAddr: "10.0.2.9", DstPort: ptr(int32(443)), Action: "ACCEPT", FlowDirection: "ingress", SourceObject: "raw"})
	}
	flows = append(flows, schemas.VPCFlow{EventTime: day.Add(13*time.Hour + 2*time.Minute), AccountID: acctProd,
		SrcAddr: "203.0.113.50", DstAddr: "10.0.1.5", DstPort: ptr(int32(22)), Action: "ACCEPT", FlowDirection: "ingress", SourceObject: "raw"})
	for h := 0; h < 24; h++ {
		var rows []schemas.VPCFlow
		for _, f := range flows {
			if f.EventTime.Hour() == h {
				rows = append(rows, f)
			}
		}
		if len(rows) > 0 {
			put(t, s, "events/vpcflow/"+lake.PartitionOf(day.Add(time.Duration(h)*time.Hour), "us-east-1", acctProd).Path()+"/part-0.parquet", rows)
		}
	}
	put(t, s, "events/s3access/"+lake.PartitionOf(day.Add(10*time.Hour), "us-east-1", acctProd).Path()+"/part-0.parquet", []schemas.S3Access{
		{EventTime: day.Add(10 * time.Hour), Bucket: "cardholder-data", Requester: "arn:aws:sts::" + acctProd + ":assumed-role/app/i-1", Operation: "REST.GET.OBJECT", Key: "a.csv", BytesSent: ptr(int64(1234)), SourceObject: "raw"},
		{EventTime: day.Add(10*time.Hour + time.Minute), Bucket: "cardholder-data", Requester: "-", Operation: "REST.GET.OBJECT", Key: "b.csv", BytesSent: ptr(int64(99)), SourceObject: "raw"},
	})
	put(t, s, "quarantine/cloudtrail/eventDay=20261121/part-0.parquet", []schemas.Quarantine{
		{EventTime: day.Add(3 * time.Hour), Source: "cloudtrail", SourceObject: "AWSLogs/x.json.gz", SourceLine: 7, Stage: "parse", Error: "unexpected end of JSON", Raw: []byte(`{"eventTime":`), RawSize: 13},
		{EventTime: day.Add(4 * time.Hour), Source: "cloudtrail", SourceObject: "AWSLogs/y.json.gz", SourceLine: 2, Stage: "parse", Error: "unexpected end of JSON", Raw: []byte(`{"e`), RawSize: 3},
	})
	f := func(id, det, title, tactic, tech string, sev int32, acct string, first, end time.Time, status, note string) schemas.Finding {
		return schemas.Finding{FindingID: id, Detector: det, Title: title, AttackTactic: tactic, AttackTechnique: tech, Severity: sev,
			SeverityLabel: schemas.SeverityLabel(int(sev)), Score: 4.2, AccountID: acct, AccountType: map[string]string{acctProd: "prod", acctDev: "dev"}[acct],
			Region: "us-east-1", PrincipalARN: "arn:aws:iam::" + acct + ":user/x", WindowStart: end.Add(-time.Hour), WindowEnd: end,
			FirstSeen: first, LastSeen: end.Add(-time.Minute), Count: 3, Explanation: "test", Recommendation: "test", Status: status, FeedbackNote: note}
	}
	put(t, s, "findings/eventDay=20261121/part-detect.parquet", []schemas.Finding{
		f("f-exfil", "s3_bytes_zscore", "Unusual S3 download volume", "exfiltration", "T1530", 85, acctProd, day.Add(10*time.Hour), day.Add(11*time.Hour), "new", ""),
		f("f-root", "root_activity", "Root user console login without MFA", "initial-access", "T1078.004", 70, acctProd, day.Add(9*time.Hour+50*time.Minute), day.Add(10*time.Hour), "new", ""),
		f("f-stop", "sensitive_action", "CloudTrail logging stopped", "defense-evasion", "T1562.008", 90, acctProd, day.Add(9*time.Hour+55*time.Minute), day.Add(10*time.Hour), "resolved", "re-enabled by on-call"),
		f("f-scan", "first_seen_ip", "New source IP for principal", "discovery", "T1580", 45, acctDev, day.Add(14*time.Hour), day.Add(15*time.Hour), "suppressed", "office VPN egress, approved change CHG-1234"),
		f("f-noise", "api_rate_zscore", "API call rate spike", "discovery", "T1580", 30, acctDev, day.Add(16*time.Hour), day.Add(17*time.Hour), "suppressed", ""),
		f("f-priv", "sequence", "Policy attached then key created", "privilege-escalation", "T1098.001", 65, acctProd, day.Add(20*time.Hour), day.Add(21*time.Hour), "new", ""),
	})
	// the convert run that commits the event and quarantine parts (readers skip uncommitted parts)
	conv := lake.Manifest{Job: "convert", Window: lake.Window{From: day, To: day.Add(24 * time.Hour)}, Inputs: []lake.Input{}}
	for _, prefix := range []string{"events/", "quarantine/"} {
		if err := s.List(context.Background(), prefix, func(o storage.ObjectInfo) error {
			conv.Outputs = append(conv.Outputs, lake.Output{Key: o.Key})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := lake.WriteManifest(context.Background(), s, lake.ManifestKey("convert", conv.Window), &conv); err != nil {
		t.Fatal(err)
	}
	man := lake.Manifest{Job: "detect", Window: lake.Window{From: day, To: day.Add(24 * time.Hour)}}
	data, _ := json.Marshal(man)
	if err := s.Put(context.Background(), lake.ManifestKey("detect", man.Window), bytes.NewReader(data), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}
