package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadFile(t *testing.T) {
	c, err := Load("testdata/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Lake != "s3://acme-security-lake/seclake" || c.S3.Region != "eu-west-1" || !c.S3.PathStyle ||
		c.Convert.Workers != 2 || len(c.Convert.VPCFlowFormat) != 3 || c.Log.Format != "json" {
		t.Fatalf("loaded %+v", c)
	}
	if c.S3.MaxAttempts != 5 || c.Convert.BufferRows != 15_000 {
		t.Fatalf("defaults lost under the file: %+v", c)
	}
}

func TestUnknownKeyNamed(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(p, []byte("lake: ./l\ns3:\n  kms_keyy: x\n"), 0o644)
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), "kms_keyy") {
		t.Fatalf("want error naming kms_keyy, got %v", err)
	}
}

func TestEmptyFileKeepsDefaults(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(p, nil, 0o644)
	c, err := Load(p)
	if err != nil || c.Lake != "./lake" {
		t.Fatalf("%v %+v", err, c)
	}
}

func TestEnvOverlay(t *testing.T) {
	c := Default()
	env := map[string]string{"SECLAKE_LAKE": "s3://b/p", "SECLAKE_KMS_KEY": "alias/lake", "SECLAKE_S3_PATH_STYLE": "true", "AWS_REGION": "ap-south-1"}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c.Lake != "s3://b/p" || c.S3.KMSKeyID != "alias/lake" || !c.S3.PathStyle || c.S3.Region != "ap-south-1" {
		t.Fatalf("%+v", c)
	}
	env["SECLAKE_S3_PATH_STYLE"] = "maybe"
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "SECLAKE_S3_PATH_STYLE") {
		t.Fatalf("want error naming SECLAKE_S3_PATH_STYLE, got %v", err)
	}
}

func TestValidateNamesSettings(t *testing.T) {
	cases := []struct {
		mut  func(*Config)
		want string
	}{
		{func(c *Config) { c.Lake = "s3://b/p" }, "s3.kms_key"},
		{func(c *Config) { c.Lake = "s3://" }, "lake"},
		{func(c *Config) { c.Raw = "gs://x" }, "raw"},
		{func(c *Config) { c.S3.Endpoint = "localhost:9000" }, "s3.endpoint"},
		{func(c *Config) { c.Convert.Source = "guardduty" }, "convert.source"},
		{func(c *Config) { c.Convert.Workers = -1 }, "convert.workers"},
		{func(c *Config) { c.Log.Level = "loud" }, "log.level"},
		{func(c *Config) { c.S3.MaxAttempts = 0 }, "s3.max_attempts"},
		{func(c *Config) { c.MemoryLimitMiB = 10 }, "memory_limit_mib"},
		{func(c *Config) { c.Entities.PII = "maybe" }, "entities.pii"},
		{func(c *Config) { c.Entities.Threshold = 2 }, "entities.threshold"},
	}
	for _, tc := range cases {
		c := Default()
		tc.mut(&c)
		err := c.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), tc.want+":") {
			t.Errorf("want error starting %q, got %v", tc.want, err)
		}
	}
	if err := Default().Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
}

func TestScheduleSettings(t *testing.T) {
	c := Default()
	env := map[string]string{"SECLAKE_SCHEDULE_ACCOUNTS": "111122223333, 444455556666", "SECLAKE_SCHEDULE_REGIONS": "us-east-1", "SECLAKE_SCHEDULE_BINS": "4"}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if len(c.Schedule.Accounts) != 2 || c.Schedule.Accounts[1] != "444455556666" || c.Schedule.Bins != 4 || c.Schedule.TrailingHours != 3 {
		t.Fatalf("schedule %+v", c.Schedule)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.Schedule.Regions = nil
	c.Schedule.Jobs = []string{"weekly"}
	err := c.Validate()
	for _, key := range []string{"schedule.accounts", "schedule.jobs"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("Validate() = %v, want an error naming %s", err, key)
		}
	}
	if err := c.ApplyEnv(func(k string) string { return map[string]string{"SECLAKE_SCHEDULE_BINS": "x"}[k] }); err == nil {
		t.Error("SECLAKE_SCHEDULE_BINS=x accepted")
	}
}

func TestReportAndNotifySettings(t *testing.T) {
	c, err := Load("testdata/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Report.Frameworks) != 2 || c.Report.ExpectedShare != 0.75 || len(c.Notify.Targets) != 2 || c.Notify.Routes[0].Targets[0] != "pager" {
		t.Fatalf("loaded %+v %+v", c.Report, c.Notify)
	}
	bad := Default()
	bad.Report.ExpectedShare = 2
	bad.Notify.Targets = []Target{
		{Name: "hook", Type: "webhook", URL: "http://plain.example.com"},
		{Name: "hook", Type: "pagerduty"},
	}
	bad.Notify.Routes = []Route{{AccountType: "prod", Targets: []string{"nowhere"}}}
	err = bad.Validate()
	for _, key := range []string{"report.expected_share", "notify.targets[0].url", "notify.targets[0].secret_env", "notify.targets[1].name", "notify.targets[1].type", "notify.routes[0].targets"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
}
