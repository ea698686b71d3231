package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Schedule settings: what `seclake run` and `seclake schedule` do.
type Schedule struct {
	// TrailingHours: each hourly run converts the closed hour and re-runs
	// the hours before it, this many in all (late deliveries).
	TrailingHours int `yaml:"trailing_hours"`
	// BaselineDays is the history the daily baseline update reads.
	BaselineDays int `yaml:"baseline_days"`
	// Frameworks are the compliance frameworks of the daily and quarterly
	// reports (passed as --frameworks; empty: the report command's default).
	Frameworks []string `yaml:"frameworks"`
	// Jobs the daemon runs (default hourly, daily, quarterly).
	Jobs []string `yaml:"jobs"`
	// OrgID, Accounts, Regions and Sources describe the raw layout for
	// sharding: with accounts and regions set, hourly converts list only
	// AWSLogs/[<org>/]<account>/<CloudTrail|vpcflowlogs>/<region>/YYYY/MM/DD/
	// of the days in the window, and the AWS fan-out gets one item each.
	OrgID    string   `yaml:"org_id"`
	Accounts []string `yaml:"accounts"`
	Regions  []string `yaml:"regions"`
	Sources  []string `yaml:"sources"`
	// Bins is how many ECS tasks the AWS hourly fan-out runs: the shards
	// are split into this many bins (0: one task per shard).
	Bins int `yaml:"bins"`
	// LeaseMinutes is the lock lease on locks/<job>.json (renewed every third).
	LeaseMinutes int `yaml:"lease_minutes"`
}

// DefaultSchedule returns the schedule defaults.
func DefaultSchedule() Schedule {
	return Schedule{TrailingHours: 3, BaselineDays: 14, Jobs: []string{"hourly", "daily", "quarterly"},
		Sources: []string{"cloudtrail"}, LeaseMinutes: 10}
}

// applyEnv reads the comma-separated SECLAKE_SCHEDULE_ACCOUNTS, _REGIONS,
// _SOURCES, _FRAMEWORKS and SECLAKE_SCHEDULE_ORG_ID, _BINS: the AWS task
// definition passes the fan-out layout this way.
func (c *Schedule) applyEnv(getenv func(string) string) error {
	set := func(dst *string, key string) {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	list := func(dst *[]string, key string) {
		if v := getenv(key); v != "" {
			*dst = nil
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					*dst = append(*dst, p)
				}
			}
		}
	}
	list(&c.Accounts, "SECLAKE_SCHEDULE_ACCOUNTS")
	list(&c.Regions, "SECLAKE_SCHEDULE_REGIONS")
	list(&c.Sources, "SECLAKE_SCHEDULE_SOURCES")
	list(&c.Frameworks, "SECLAKE_SCHEDULE_FRAMEWORKS")
	set(&c.OrgID, "SECLAKE_SCHEDULE_ORG_ID")
	if v := getenv("SECLAKE_SCHEDULE_BINS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("SECLAKE_SCHEDULE_BINS=%q: want a number", v)
		}
		c.Bins = n
	}
	return nil
}

func (c Schedule) validate(bad func(key, format string, a ...any)) {
	if c.TrailingHours < 1 || c.TrailingHours > 48 {
		bad("schedule.trailing_hours", "%d must be between 1 and 48", c.TrailingHours)
	}
	if c.BaselineDays < 1 || c.BaselineDays > 400 {
		bad("schedule.baseline_days", "%d must be between 1 and 400", c.BaselineDays)
	}
	for _, j := range c.Jobs {
		switch j {
		case "hourly", "daily", "quarterly":
		default:
			bad("schedule.jobs", "%q: want hourly, daily or quarterly", j)
		}
	}
	for _, s := range c.Sources {
		switch s {
		case "cloudtrail", "vpcflow":
		default:
			bad("schedule.sources", "%q: want cloudtrail or vpcflow (sharded by account and region)", s)
		}
	}
	if (len(c.Accounts) == 0) != (len(c.Regions) == 0) {
		bad("schedule.accounts", "set both schedule.accounts and schedule.regions, or neither")
	}
	if c.Bins < 0 {
		bad("schedule.bins", "%d must be 0 (one per shard) or more", c.Bins)
	}
	if c.LeaseMinutes < 1 {
		bad("schedule.lease_minutes", "%d must be at least 1", c.LeaseMinutes)
	}
}
