package schedule

import (
	"slices"
	"testing"
	"time"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSpecs(t *testing.T) {
	want := map[string]struct {
		eb    string
		after string
		next  []string
	}{
		Hourly:    {"cron(20 * * * ? *)", "2026-11-21T09:20:00Z", []string{"2026-11-21T10:20:00Z", "2026-11-21T11:20:00Z"}},
		Daily:     {"cron(40 1 * * ? *)", "2026-11-21T09:00:00Z", []string{"2026-11-22T01:40:00Z", "2026-11-23T01:40:00Z"}},
		Quarterly: {"cron(0 4 1 1,4,7,10 ? *)", "2026-11-21T09:00:00Z", []string{"2027-01-01T04:00:00Z", "2027-04-01T04:00:00Z"}},
	}
	var jobs []string
	for _, s := range Specs() {
		jobs = append(jobs, s.Job)
		w, ok := want[s.Job]
		if !ok {
			t.Fatalf("unexpected job %q", s.Job)
		}
		eb, err := s.EventBridge()
		if err != nil || eb != w.eb {
			t.Errorf("%s: EventBridge() = %q, %v; want %q", s.Job, eb, err, w.eb)
		}
		sch, err := s.Schedule()
		if err != nil {
			t.Fatal(err)
		}
		at := mustTime(t, w.after)
		for _, n := range w.next {
			at = sch.Next(at)
			if !at.Equal(mustTime(t, n)) {
				t.Errorf("%s: next = %s, want %s", s.Job, at, n)
			}
		}
		if p := Prev(sch, at); !p.Equal(at) {
			t.Errorf("%s: Prev(%s) = %s, want itself", s.Job, at, p)
		}
		if p := Prev(sch, at.Add(-time.Second)); !p.Equal(mustTime(t, w.next[0])) {
			t.Errorf("%s: Prev(just before %s) = %s, want %s", s.Job, at, p, w.next[0])
		}
		if s.CatchUp < 1 {
			t.Errorf("%s: CatchUp %d < 1", s.Job, s.CatchUp)
		}
	}
	if !slices.Equal(jobs, []string{Hourly, Daily, Quarterly}) {
		t.Errorf("jobs = %q", jobs)
	}
	if _, err := (Spec{Job: "x", Cron: "0 0 * * 1"}).EventBridge(); err == nil {
		t.Error("day-of-week spec translated to EventBridge")
	}
}

func TestBetween(t *testing.T) {
	s, _ := Lookup(Hourly)
	sch, _ := s.Schedule()
	got := Between(sch, mustTime(t, "2026-11-21T09:20:00Z"), mustTime(t, "2026-11-21T12:20:00Z"))
	if len(got) != 3 || !got[0].Equal(mustTime(t, "2026-11-21T10:20:00Z")) || !got[2].Equal(mustTime(t, "2026-11-21T12:20:00Z")) {
		t.Errorf("Between = %v", got)
	}
}

func TestWindows(t *testing.T) {
	from, to := ClosedHour(mustTime(t, "2026-11-21T10:20:00Z"))
	if !from.Equal(mustTime(t, "2026-11-21T09:00:00Z")) || !to.Equal(mustTime(t, "2026-11-21T10:00:00Z")) {
		t.Errorf("ClosedHour(10:20) = %s..%s", from, to)
	}
	// Before :20 the previous hour is not closed yet.
	from, _ = ClosedHour(mustTime(t, "2026-11-21T10:19:59Z"))
	if !from.Equal(mustTime(t, "2026-11-21T08:00:00Z")) {
		t.Errorf("ClosedHour(10:19:59) from = %s", from)
	}
	from, to = PreviousDay(mustTime(t, "2026-11-22T01:40:00Z"))
	if !from.Equal(mustTime(t, "2026-11-21T00:00:00Z")) || !to.Equal(mustTime(t, "2026-11-22T00:00:00Z")) {
		t.Errorf("PreviousDay = %s..%s", from, to)
	}
	from, to, p := PreviousQuarter(mustTime(t, "2027-01-01T04:00:00Z"))
	if !from.Equal(mustTime(t, "2026-10-01T00:00:00Z")) || !to.Equal(mustTime(t, "2027-01-01T00:00:00Z")) || p != "2026-Q4" {
		t.Errorf("PreviousQuarter = %s..%s %s", from, to, p)
	}
	_, _, p = PreviousQuarter(mustTime(t, "2026-07-01T04:00:00Z"))
	if p != "2026-Q2" {
		t.Errorf("PreviousQuarter(Jul) = %s", p)
	}
}

func TestBinByWeight(t *testing.T) {
	items := Items("", []string{"cloudtrail"}, []string{"a1", "a2", "a3", "a4", "a5", "a6"}, []string{"r"})
	weights := []int64{100, 1, 1, 1, 50, 50}
	bins := BinByWeight(items, weights, 2)
	if len(bins) != 2 {
		t.Fatalf("%d bins", len(bins))
	}
	sum := func(b []Item) (s int64) {
		for _, it := range b {
			for i := range items {
				if items[i] == it {
					s += weights[i]
				}
			}
		}
		return s
	}
	if s0, s1 := sum(bins[0]), sum(bins[1]); s0+s1 != 203 || s0-s1 > 1 || s1-s0 > 1 {
		t.Errorf("bin weights %d and %d, want 102/101", s0, s1)
	}
	if bins[0][0].Account != "a1" {
		t.Errorf("bin 0 starts with %s", bins[0][0].Account)
	}
	// Unknown weights (all zero): equal counts.
	bins = BinByWeight(items, make([]int64, 6), 3)
	for _, b := range bins {
		if len(b) != 2 {
			t.Errorf("bins by count %v", bins)
		}
	}
	if got := BinByWeight(items, weights, 0); len(got) != 6 {
		t.Errorf("0 bins: %d", len(got))
	}
}
