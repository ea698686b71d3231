// Package schedule is the one definition of when seclake's jobs run, and the
// local daemon that runs them.
//
// The schedules are data (Specs): standard five-field cron expressions in UTC.
// The local daemon (Scheduler) parses them with robfig/cron/v3; the AWS
// deployment's EventBridge Scheduler expressions are derived from the same
// values (EventBridge) and infra/ tests compare the template with them.
//
// robfig/cron's own runner reads the wall clock and its timers directly, so
// the daemon here uses cron only to compute the next activation
// (cron.Schedule.Next) and drives its own loop on an injected Clock: that is
// what lets the tests run a day of hourly runs in milliseconds.
package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Job names.
const (
	Hourly    = "hourly"
	Daily     = "daily"
	Quarterly = "quarterly"
)

// Spec is one schedule.
type Spec struct {
	Job string
	// Cron is a standard five-field expression (minute hour day-of-month
	// month day-of-week), always in UTC.
	Cron string
	// Description says what one activation at time T covers.
	Description string
	// CatchUp bounds how many missed activations the daemon runs after
	// downtime (newest ones, oldest first); older ones need `seclake backfill`.
	CatchUp int
}

// Specs returns the schedules, in a fixed order.
//
//   - hourly at :20: CloudTrail delivers up to ~15 minutes after the event,
//     so at H+1:20 the hour H is closed (plus the trailing re-run).
//   - daily at 01:40: after the 01:20 hourly run has converted hour 00 of
//     the new day, so the previous day is complete up to its late deliveries.
//   - quarterly at 04:00 on the first day of Jan, Apr, Jul and Oct: the
//     reports for the quarter that just ended.
func Specs() []Spec {
	return []Spec{
		{Job: Hourly, Cron: "20 * * * *", CatchUp: 24,
			Description: "convert the closed hour before the activation (and re-run the trailing window), extract, detect, deliver"},
		{Job: Daily, Cron: "40 1 * * *", CatchUp: 7,
			Description: "baseline update and detection over the previous UTC day, daily report, retention check"},
		{Job: Quarterly, Cron: "0 4 1 1,4,7,10 *", CatchUp: 1,
			Description: "regulatory reports for the previous quarter"},
	}
}

// Lookup returns the spec of a job.
func Lookup(job string) (Spec, error) {
	for _, s := range Specs() {
		if s.Job == job {
			return s, nil
		}
	}
	return Spec{}, fmt.Errorf("schedule: unknown job %q (want hourly, daily or quarterly)", job)
}

// Schedule parses the cron expression (in UTC).
func (s Spec) Schedule() (cron.Schedule, error) {
	sch, err := cron.ParseStandard("CRON_TZ=UTC " + s.Cron)
	if err != nil {
		return nil, fmt.Errorf("schedule: %s %q: %w", s.Job, s.Cron, err)
	}
	return sch, nil
}

// EventBridge renders the expression for EventBridge Scheduler
// (cron(minutes hours day-of-month month day-of-week year)): one of
// day-of-month and day-of-week must be "?", and day-of-week numbering
// differs (1 = Sunday), so specs restricting day-of-week are refused.
func (s Spec) EventBridge() (string, error) {
	f := strings.Fields(s.Cron)
	if len(f) != 5 {
		return "", fmt.Errorf("schedule: %s %q: want five fields", s.Job, s.Cron)
	}
	if f[4] != "*" {
		return "", fmt.Errorf("schedule: %s %q: day-of-week restrictions are not translated to EventBridge", s.Job, s.Cron)
	}
	return fmt.Sprintf("cron(%s %s %s %s ? *)", f[0], f[1], f[2], f[3]), nil
}

// Prev returns the latest activation at or before t.
func Prev(sch cron.Schedule, t time.Time) time.Time {
	// Activations are at least a minute apart and at most a quarter apart:
	// step back until Next from the probe passes t.
	for back := time.Hour; back <= 400*24*time.Hour; back *= 2 {
		probe := t.Add(-back)
		n := sch.Next(probe)
		if n.After(t) {
			continue
		}
		for {
			m := sch.Next(n)
			if m.After(t) {
				return n
			}
			n = m
		}
	}
	return time.Time{}
}

// Between returns the activations in (after, upto], oldest first.
func Between(sch cron.Schedule, after, upto time.Time) []time.Time {
	var out []time.Time
	for t := sch.Next(after); !t.After(upto); t = sch.Next(t) {
		out = append(out, t)
	}
	return out
}
