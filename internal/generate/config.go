// Package generate writes a synthetic but realistic AWS organisation's raw
// logs (CloudTrail, VPC Flow Logs v5, S3 server access logs) in the exact AWS
// delivery layout, with labelled attack scenarios and labelled legitimate rare
// events, for demos, detection development and benchmarks.
//
// Output is a pure function of Config: the same Config yields byte-identical
// objects. Randomness comes from math/rand/v2 PCG streams seeded per
// (seed, account, hour), so hours are generated in parallel by Workers and
// still produce the same bytes.
//
// Line ids in labels.json: VPC flow and S3 access log lines are named
// "<object key>#<line number>", the line number being 1-based over the
// physical lines of the decompressed object (the VPC flow header is line 1).
package generate

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Source names as used by Config.Sources and Summary.Events.
const (
	SourceCloudTrail = "cloudtrail"
	SourceVPCFlow    = "vpcflow"
	SourceS3Access   = "s3access"
)

// Config describes one generation run. Zero values are not defaults: use
// DefaultConfig and override.
type Config struct {
	Start      time.Time // first hour generated (truncated to the hour, UTC)
	Days       int       // number of days
	Accounts   int       // number of AWS accounts
	Principals int       // benign principals across the organisation (AWS service identities and the break-glass admin come on top)
	Rate       int       // benign CloudTrail events per hour, org-wide (mean)
	Seed       int64
	Attacks    []string // nil or ["all"]: every scenario; ["none"]: none; else scenario ids
	Sources    []string // subset of cloudtrail, vpcflow, s3access; nil = all
	Workers    int      // parallel hour generators; ≤0 = 1
}

// DefaultConfig is the configuration of `seclake generate` without flags.
func DefaultConfig() Config {
	return Config{
		Start:      time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		Days:       14,
		Accounts:   3,
		Principals: 40,
		Rate:       20000,
		Seed:       7,
		Workers:    2,
	}
}

// Validate reports the first invalid setting, naming its flag.
func (c Config) Validate() error {
	var errs []error
	if c.Start.IsZero() {
		errs = append(errs, errors.New("--start must be set (YYYY-MM-DD)"))
	}
	if c.Days < 1 {
		errs = append(errs, errors.New("--days must be ≥1"))
	} else if c.Days > 3660 {
		errs = append(errs, errors.New("--days must be ≤3660"))
	}
	if c.Accounts < 1 || c.Accounts > 1000 {
		errs = append(errs, errors.New("--accounts must be between 1 and 1000"))
	}
	if c.Principals < 4*max(c.Accounts, 1) {
		errs = append(errs, fmt.Errorf("--principals must be ≥4 per account (≥%d for %d accounts)", 4*max(c.Accounts, 1), c.Accounts))
	}
	if c.Rate < 1 {
		errs = append(errs, errors.New("--rate must be ≥1"))
	}
	for _, s := range c.Sources {
		if s != SourceCloudTrail && s != SourceVPCFlow && s != SourceS3Access {
			errs = append(errs, fmt.Errorf("--sources: unknown source %q (want cloudtrail, vpcflow, s3access)", s))
		}
	}
	if _, err := c.selectedScenarios(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (c Config) wants(src string) bool {
	return len(c.Sources) == 0 || slices.Contains(c.Sources, src)
}

// selectedScenarios resolves Attacks to scenario ids in catalogue order.
func (c Config) selectedScenarios() ([]string, error) {
	all := ScenarioIDs()
	if len(c.Attacks) == 0 || (len(c.Attacks) == 1 && c.Attacks[0] == "all") {
		return all, nil
	}
	if len(c.Attacks) == 1 && c.Attacks[0] == "none" {
		return nil, nil
	}
	var out []string
	for _, a := range c.Attacks {
		a = strings.TrimSpace(a)
		if !slices.Contains(all, a) {
			return nil, fmt.Errorf("--attacks: unknown scenario %q (see ScenarioIDs; or all, none)", a)
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(all, a) - slices.Index(all, b) })
	return out, nil
}
