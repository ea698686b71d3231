// Package compliance turns the control mapping (sql/compliance/controls.yaml)
// into statuses: it parses report periods, loads and checks the mapping, and
// evaluates each control's SQL over views the report job prepares.
package compliance

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Period is a half-open UTC time range [Start, End) with its name as the
// user wrote it (2026-11-21, 2026-W47, 2026-11, 2026-Q4).
type Period struct {
	Name  string
	Kind  string // day, week, month, quarter
	Start time.Time
	End   time.Time
}

var (
	reDay     = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
	reWeek    = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)
	reMonth   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	reQuarter = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
)

// ParsePeriod reads a day (2026-11-21), an ISO week (2026-W47), a month
// (2026-11) or a quarter (2026-Q4).
func ParsePeriod(s string) (Period, error) {
	atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
	switch {
	case reDay.MatchString(s):
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return Period{}, fmt.Errorf("period %q: %w", s, err)
		}
		return Period{Name: s, Kind: "day", Start: t, End: t.AddDate(0, 0, 1)}, nil
	case reWeek.MatchString(s):
		m := reWeek.FindStringSubmatch(s)
		y, w := atoi(m[1]), atoi(m[2])
		// ISO week 1 holds January 4th; weeks start on Monday.
		jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
		wd := int(jan4.Weekday()+6) % 7 // Monday = 0
		start := jan4.AddDate(0, 0, -wd+7*(w-1))
		if w < 1 || w > 53 {
			return Period{}, fmt.Errorf("period %q: week %d out of range", s, w)
		}
		if yy, ww := start.ISOWeek(); yy != y || ww != w {
			return Period{}, fmt.Errorf("period %q: %d has no ISO week %d", s, y, w)
		}
		return Period{Name: s, Kind: "week", Start: start, End: start.AddDate(0, 0, 7)}, nil
	case reMonth.MatchString(s):
		m := reMonth.FindStringSubmatch(s)
		mo := atoi(m[2])
		if mo < 1 || mo > 12 {
			return Period{}, fmt.Errorf("period %q: month %d out of range", s, mo)
		}
		start := time.Date(atoi(m[1]), time.Month(mo), 1, 0, 0, 0, 0, time.UTC)
		return Period{Name: s, Kind: "month", Start: start, End: start.AddDate(0, 1, 0)}, nil
	case reQuarter.MatchString(s):
		m := reQuarter.FindStringSubmatch(s)
		q := atoi(m[2])
		start := time.Date(atoi(m[1]), time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, time.UTC)
		return Period{Name: s, Kind: "quarter", Start: start, End: start.AddDate(0, 3, 0)}, nil
	}
	return Period{}, fmt.Errorf("period %q: want YYYY-MM-DD, YYYY-Www, YYYY-MM or YYYY-Qn", s)
}

// Hours is the number of hours in the period.
func (p Period) Hours() int { return int(p.End.Sub(p.Start) / time.Hour) }
