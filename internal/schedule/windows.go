package schedule

import (
	"fmt"
	"time"
)

// ClosedHour is the hour an hourly activation at `at` converts: the last
// whole hour that ended at least Delay before at. At 10:20 it is 09:00–10:00.
func ClosedHour(at time.Time) (from, to time.Time) {
	to = at.UTC().Add(-Delay).Truncate(time.Hour)
	return to.Add(-time.Hour), to
}

// Delay is how long after an hour ends the hourly run converts it:
// CloudTrail delivers up to ~15 minutes after the event.
const Delay = 20 * time.Minute

// PreviousDay is the UTC day a daily activation at `at` covers.
func PreviousDay(at time.Time) (from, to time.Time) {
	to = at.UTC().Truncate(24 * time.Hour)
	return to.AddDate(0, 0, -1), to
}

// PreviousQuarter is the quarter a quarterly activation at `at` reports on,
// as its first day and "2026-Q3".
func PreviousQuarter(at time.Time) (from, to time.Time, period string) {
	at = at.UTC()
	q := (int(at.Month()) - 1) / 3 // current quarter, 0-based
	to = time.Date(at.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
	from = to.AddDate(0, -3, 0)
	return from, to, fmt.Sprintf("%d-Q%d", from.Year(), (int(from.Month())-1)/3+1)
}
