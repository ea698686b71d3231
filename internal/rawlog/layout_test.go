package rawlog

import (
	"testing"
	"time"
)

func TestParseKey(t *testing.T) {
	tm := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	cases := []struct {
		key  string
		want Layout
	}{
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/21/111122223333_CloudTrail_us-east-1_20261121T0905Z_abcdEFGH12345678.json.gz",
			Layout{Source: CloudTrail, Account: "111122223333", Region: "us-east-1", Time: tm("2026-11-21T09:05:00Z")}},
		{"trail/AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-3/2026/11/21/111122223333_CloudTrail_eu-west-3_20261121T2355Z_x.json.gz",
			Layout{Source: CloudTrail, Account: "111122223333", Region: "eu-west-3", Time: tm("2026-11-21T23:55:00Z")}},
		{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/21/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20261121T100000Z.json.gz",
			Layout{Source: CloudTrail, NonData: "CloudTrail digest file", Account: "111122223333", Region: "us-east-1"}},
		{"AWSLogs/111122223333/vpcflowlogs/us-gov-west-1/2026/11/21/111122223333_vpcflowlogs_us-gov-west-1_fl-0123_20261121T1010Z_9f.log.gz",
			Layout{Source: VPCFlow, Account: "111122223333", Region: "us-gov-west-1", Time: tm("2026-11-21T10:10:00Z")}},
		{"s3logs/111122223333/ap-southeast-2/my-bucket/2026/11/21/2026-11-21-10-11-12-0123456789ABCDEF",
			Layout{Source: S3Access, Account: "111122223333", Region: "ap-southeast-2", Time: tm("2026-11-21T10:11:12Z")}},
		{"logs/2019-02-06-00-00-38-0123456789ABCDEF", Layout{Source: S3Access, Time: tm("2019-02-06T00:00:38Z")}},
		{"AWSLogs/notanaccount/CloudTrail/us-east-1/x.json.gz", Layout{}},
		{"random/file.json", Layout{}},
		{"", Layout{}},
	}
	for _, c := range cases {
		got := ParseKey(c.key)
		if got != c.want {
			t.Errorf("ParseKey(%q)\n got %+v\nwant %+v", c.key, got, c.want)
		}
	}
}
