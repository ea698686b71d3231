package config

import (
	"strings"
	"testing"
)

func TestDetectSection(t *testing.T) {
	c, err := Load("testdata/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Detect.Accounts["444455556666"] != "dev" || c.Detect.Thresholds["dev"].SessionScore != 70 {
		t.Errorf("detect section: %+v", c.Detect)
	}
	bad := DefaultDetect()
	bad.Thresholds = map[string]DetectThresholds{"prod": {ModifiedZ: 0, Z: 1, SessionScore: 50}}
	if err := bad.Validate(); err == nil || !strings.HasPrefix(err.Error(), "detect.thresholds.prod:") {
		t.Errorf("want error naming detect.thresholds.prod, got %v", err)
	}
	bad = DefaultDetect()
	bad.DefaultAccountType = "qa"
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "detect.default_account_type") {
		t.Errorf("want error naming detect.default_account_type, got %v", err)
	}
}
