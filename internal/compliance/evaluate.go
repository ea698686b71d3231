package compliance

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Control statuses.
const (
	StatusMet          = "met"
	StatusNotMet       = "not met"
	StatusInsufficient = "insufficient evidence"
)

// DefaultLimit is how many rows of a query a report keeps.
const DefaultLimit = 50

// Querier runs SQL (a *sql.DB).
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Result is one query's outcome.
type Result struct {
	Name      string     `json:"name"`
	Expect    string     `json:"expect,omitempty"`
	SQL       string     `json:"sql"`
	Columns   []string   `json:"columns"`
	Rows      [][]string `json:"rows"`
	Count     int        `json:"count"`     // all rows, Rows holds at most the limit
	Truncated bool       `json:"truncated"` // Count > len(Rows)
	Pass      *bool      `json:"pass,omitempty"`
}

// ControlResult is one control's status and its evidence.
type ControlResult struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Objective string   `json:"objective"`
	Status    string   `json:"status"`
	Reason    string   `json:"reason"`
	Requires  []Result `json:"requires,omitempty"`
	Evidence  []Result `json:"evidence"`
}

// Runner runs queries and remembers results by SQL text, so controls of
// several frameworks that share a query run it once.
type Runner struct {
	DB   Querier
	memo map[string]Result
}

// Run executes q, or returns the result of an earlier identical query.
func (r *Runner) Run(ctx context.Context, q Query) (Result, error) {
	key := fmt.Sprintf("%d\x00%s", q.Limit, q.SQL)
	if res, ok := r.memo[key]; ok {
		res.Name, res.Expect, res.Pass = q.Name, q.Expect, nil
		return res, nil
	}
	res, err := Run(ctx, r.DB, q)
	if err != nil {
		return res, err
	}
	if r.memo == nil {
		r.memo = map[string]Result{}
	}
	r.memo[key] = res
	return res, nil
}

// Evaluate runs a control's queries and decides its status.
func Evaluate(ctx context.Context, db *Runner, c Control) (ControlResult, error) {
	out := ControlResult{ID: c.ID, Title: c.Title, Objective: c.Objective, Status: StatusMet}
	var missing, failed []string
	for _, q := range c.Requires {
		r, err := db.Run(ctx, q)
		if err != nil {
			return out, fmt.Errorf("compliance: control %s: requires %q: %w", c.ID, q.Name, err)
		}
		ok := r.Count > 0
		r.Pass = &ok
		if !ok {
			missing = append(missing, q.Name)
		}
		out.Requires = append(out.Requires, r)
	}
	for _, q := range c.Evidence {
		r, err := db.Run(ctx, q)
		if err != nil {
			return out, fmt.Errorf("compliance: control %s: evidence %q: %w", c.ID, q.Name, err)
		}
		var ok bool
		switch q.Expect {
		case ExpectNone:
			ok = r.Count == 0
		case ExpectSome:
			ok = r.Count > 0
		}
		if q.Expect != ExpectInfo {
			r.Pass = &ok
			if !ok {
				failed = append(failed, fmt.Sprintf("%s (%d rows, expected %s)", q.Name, r.Count, q.Expect))
			}
		}
		out.Evidence = append(out.Evidence, r)
	}
	switch {
	case len(missing) > 0:
		out.Status = StatusInsufficient
		out.Reason = "no data for: " + strings.Join(missing, "; ")
	case len(failed) > 0:
		out.Status = StatusNotMet
		out.Reason = "failed: " + strings.Join(failed, "; ")
	default:
		out.Reason = "every judged evidence query returned what the control expects"
	}
	return out, nil
}

// Run executes one query and renders its rows as text.
func Run(ctx context.Context, db Querier, q Query) (Result, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	r := Result{Name: q.Name, Expect: q.Expect, SQL: strings.TrimSpace(q.SQL), Rows: [][]string{}}
	rows, err := db.QueryContext(ctx, q.SQL)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return r, err
	}
	r.Columns = cols
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return r, err
		}
		r.Count++
		if len(r.Rows) < limit {
			rec := make([]string, len(cols))
			for i, v := range vals {
				rec[i] = Text(v)
			}
			r.Rows = append(r.Rows, rec)
		}
	}
	r.Truncated = r.Count > len(r.Rows)
	return r, rows.Err()
}

// Text renders a scanned SQL value deterministically.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case bool:
		return strconv.FormatBool(x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}
