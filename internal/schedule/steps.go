package schedule

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// A Step is one command line of a job. The local runner (`seclake run`)
// executes the steps in order in-process; the AWS state machines run each
// step as an ECS task `seclake run <job> --step <name> --at <at>`, which
// expands to exactly the same command lines. So the command lines live here,
// once.
type Step struct {
	Job  string
	Name string
	// Command is the seclake subcommand the step runs (its argv[0]).
	Command string
	// FanOut steps run once per Item in AWS (Distributed Map); locally once
	// per item too, one after the other.
	FanOut bool
	args   func(p Params) [][]string
}

// Params are what a job's command lines depend on.
type Params struct {
	At            time.Time
	Config        string   // --config path passed on; "" to rely on the environment
	Flags         []string // common flags passed on (--lake X, --kms-key K, …)
	TrailingHours int
	BaselineDays  int
	Frameworks    []string
	// Item restricts a FanOut step to one shard; nil means the whole raw store.
	Item *Item
}

// Item is one shard of the hourly convert: a source, account and region.
type Item struct {
	Source  string `json:"source"`
	Account string `json:"account"`
	Region  string `json:"region"`
	OrgID   string `json:"org_id,omitempty"`
}

// Shard names the item in manifest keys and part names.
func (it Item) Shard() string { return it.Source + "-" + it.Account + "-" + it.Region }

// Prefixes are the raw key prefixes of the item for the UTC days that
// [from, to) touches (one listing per day, never the whole history).
func (it Item) Prefixes(from, to time.Time) []string {
	kind := "CloudTrail"
	if it.Source == "vpcflow" {
		kind = "vpcflowlogs"
	}
	base := "AWSLogs/"
	if it.OrgID != "" {
		base += it.OrgID + "/"
	}
	base += it.Account + "/" + kind + "/" + it.Region + "/"
	var out []string
	for d := from.UTC().Truncate(24 * time.Hour); d.Before(to); d = d.AddDate(0, 0, 1) {
		out = append(out, base+d.Format("2006/01/02/"))
	}
	return out
}

// Bin splits items into n bins of nearly equal size, keeping each
// account's shards together where possible (consecutive in Items order);
// n <= 0 or n >= len(items) gives one bin per item.
func Bin(items []Item, n int) [][]Item {
	if n <= 0 || n >= len(items) {
		out := make([][]Item, len(items))
		for i := range items {
			out[i] = items[i : i+1]
		}
		return out
	}
	out := make([][]Item, 0, n)
	for i := range n {
		lo, hi := i*len(items)/n, (i+1)*len(items)/n
		out = append(out, items[lo:hi])
	}
	return out
}

// BinByWeight splits items into n bins of nearly equal total weight
// (greedy, heaviest first into the lightest bin; ties by position, so the
// result is deterministic). weights[i] is items[i]'s expected work, e.g. the
// bytes its previous hour read; n <= 0 or n >= len(items) gives one bin per
// item. Within a bin, items keep their order.
func BinByWeight(items []Item, weights []int64, n int) [][]Item {
	known := false
	for _, w := range weights {
		known = known || w > 0
	}
	if n <= 0 || n >= len(items) || !known {
		return Bin(items, n) // no history: equal counts, an account's shards together
	}
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return weights[order[a]] > weights[order[b]] })
	load := make([]int64, n)
	member := make([][]int, n)
	for _, i := range order {
		best := 0
		for b := 1; b < n; b++ {
			if load[b] < load[best] {
				best = b
			}
		}
		load[best] += max(weights[i], 1)
		member[best] = append(member[best], i)
	}
	out := make([][]Item, 0, n)
	for _, m := range member {
		if len(m) == 0 {
			continue
		}
		sort.Ints(m)
		bin := make([]Item, len(m))
		for j, i := range m {
			bin[j] = items[i]
		}
		out = append(out, bin)
	}
	return out
}

// Items enumerates the shards of a deployment.
func Items(orgID string, sources, accounts, regions []string) []Item {
	var out []Item
	for _, a := range accounts {
		for _, s := range sources {
			for _, r := range regions {
				out = append(out, Item{Source: s, Account: a, Region: r, OrgID: orgID})
			}
		}
	}
	return out
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (p Params) base(cmd ...string) []string {
	out := append([]string{}, cmd...)
	if p.Config != "" {
		out = append(out, "--config", p.Config)
	}
	return append(out, p.Flags...)
}

// frameworks is "--frameworks a,b" when set; else the report command's own
// configuration (report.frameworks) decides.
func (p Params) frameworks() []string {
	if len(p.Frameworks) == 0 {
		return nil
	}
	return []string{"--frameworks", strings.Join(p.Frameworks, ",")}
}

// HourlyWindow is the span an hourly activation at `at` (re)converts and
// detects over: the trailing hours ending with the closed hour.
func HourlyWindow(at time.Time, trailing int) (from, to time.Time) {
	_, to = ClosedHour(at)
	return to.Add(-time.Duration(max(trailing, 1)) * time.Hour), to
}

// Steps returns the steps of job, in order.
func Steps(job string) []Step {
	switch job {
	case Hourly:
		return []Step{
			{Job: Hourly, Name: "convert", Command: "convert", FanOut: true, args: func(p Params) [][]string {
				// One convert per hour of the trailing window, oldest first:
				// each hour is its own window (own manifest), so a re-run
				// replaces exactly what the previous run of that hour wrote.
				from, to := HourlyWindow(p.At, p.TrailingHours)
				var out [][]string
				for h := from; h.Before(to); h = h.Add(time.Hour) {
					a := p.base("convert")
					a = append(a, "--from", rfc(h), "--to", rfc(h.Add(time.Hour)), "--if-changed")
					if p.Item != nil {
						a = append(a, "--prefix", strings.Join(p.Item.Prefixes(h, h.Add(time.Hour)), ","), "--shard", p.Item.Shard())
					}
					out = append(out, a)
				}
				return out
			}},
			{Job: Hourly, Name: "detect", Command: "detect", args: func(p Params) [][]string {
				from, to := HourlyWindow(p.At, p.TrailingHours)
				return [][]string{append(p.base("detect"), "--from", rfc(from), "--to", rfc(to))}
			}},
			{Job: Hourly, Name: "deliver", Command: "notify", args: func(p Params) [][]string {
				from, to := HourlyWindow(p.At, p.TrailingHours)
				return [][]string{append(p.base("notify"), "--from", rfc(from), "--to", rfc(to))}
			}},
		}
	case Daily:
		return []Step{
			{Job: Daily, Name: "baseline", Command: "detect", args: func(p Params) [][]string {
				from, to := PreviousDay(p.At)
				return [][]string{append(p.base("detect"), "--from", rfc(from), "--to", rfc(to), "--baseline-days", fmt.Sprint(p.BaselineDays))}
			}},
			{Job: Daily, Name: "report", Command: "report", args: func(p Params) [][]string {
				from, _ := PreviousDay(p.At)
				return [][]string{append(p.base("report"), append([]string{"--period", from.Format("2006-01-02")}, p.frameworks()...)...)}
			}},
			{Job: Daily, Name: "retention", Command: "lake", args: func(p Params) [][]string {
				return [][]string{append(p.base("lake", "retention"), "--at", rfc(p.At))}
			}},
		}
	case Quarterly:
		return []Step{
			{Job: Quarterly, Name: "report", Command: "report", args: func(p Params) [][]string {
				_, _, period := PreviousQuarter(p.At)
				return [][]string{append(p.base("report"), append([]string{"--period", period}, p.frameworks()...)...)}
			}},
		}
	}
	return nil
}

// Argv returns the command lines (without the program name) of the step.
func (s Step) Argv(p Params) [][]string { return s.args(p) }

// LookupStep finds a step of a job.
func LookupStep(job, name string) (Step, error) {
	var names []string
	for _, s := range Steps(job) {
		if s.Name == name {
			return s, nil
		}
		names = append(names, s.Name)
	}
	return Step{}, fmt.Errorf("schedule: job %s has no step %q (steps: %s)", job, name, strings.Join(names, ", "))
}
