// Package casetest runs parser test cases stored as JSON data files
// (testdata/cases/*.json): adding a case needs no Go code.
package casetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/seclake/seclake/internal/rawlog"
)

// Case is one test case file.
type Case struct {
	Name string `json:"-"`
	// Input is the object's content; Lines, when set, is joined with "\n"
	// (and a final "\n") instead.
	Input string   `json:"input"`
	Lines []string `json:"lines"`
	// Format is the parser's Format option (vpcflow).
	Format []string `json:"format"`
	// ObjectTime is rawlog.Object.Time (RFC 3339); default 2024-01-02T03:04:05Z.
	ObjectTime string `json:"object_time"`
	// Rows are the expected rows in order, partially: only the columns named
	// (by Parquet column name) are compared; null means NULL or "".
	Rows []map[string]any `json:"rows"`
	// Bads is the expected number of quarantined records.
	Bads int `json:"bads"`
	// BadErrors, when set, are substrings of the bads' errors, in order.
	BadErrors []string `json:"bad_errors"`
	// BadIs, when set, names the sentinel each bad wraps: malformed, too_large, unknown_format.
	BadIs string `json:"bad_is"`
}

// Text returns the case's object content.
func (c *Case) Text() string {
	if c.Lines != nil {
		return strings.Join(c.Lines, "\n") + "\n"
	}
	return c.Input
}

// Object returns the rawlog.Object the case is parsed as.
func (c *Case) Object() rawlog.Object {
	t := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if c.ObjectTime != "" {
		if pt, err := time.Parse(time.RFC3339, c.ObjectTime); err == nil {
			t = pt
		}
	}
	if c.ObjectTime == "none" {
		t = time.Time{}
	}
	return rawlog.Object{Key: "cases/" + c.Name, Time: t}
}

// Load reads every testdata/cases/*.json file under dir.
func Load(t testing.TB, dir string) []Case {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files in %s (%v)", dir, err)
	}
	var cases []Case
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c Case
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		dec.UseNumber()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		c.Name = strings.TrimSuffix(filepath.Base(f), ".json")
		cases = append(cases, c)
	}
	return cases
}

// Parse is a parser's Parse method.
type Parse[T any] func(ctx context.Context, text string, obj rawlog.Object, sink rawlog.Sink[T]) (rawlog.Stats, error)

// Collect runs parse and gathers its output.
func Collect[T any](parse Parse[T], text string, obj rawlog.Object) ([]T, []rawlog.Bad, rawlog.Stats, error) {
	var rows []T
	var bads []rawlog.Bad
	st, err := parse(context.Background(), text, obj, rawlog.Sink[T]{
		Row: func(r T) error { rows = append(rows, r); return nil },
		Bad: func(b rawlog.Bad) error { bads = append(bads, b); return nil },
	})
	return rows, bads, st, err
}

// Run checks one case.
func Run[T any](t *testing.T, c Case, parse Parse[T]) {
	t.Helper()
	rows, bads, st, err := Collect(parse, c.Text(), c.Object())
	if err != nil {
		t.Fatalf("Parse error: %v", err)
	}
	if err := Check(rows, bads, st); err != nil {
		t.Error(err)
	}
	for _, b := range bads {
		t.Logf("bad line %d @%d: %v", b.Line, b.Offset, b.Err)
	}
	if len(bads) != c.Bads {
		t.Errorf("bads = %d, want %d", len(bads), c.Bads)
	}
	for i, want := range c.BadErrors {
		if i < len(bads) && !strings.Contains(bads[i].Err.Error(), want) {
			t.Errorf("bad %d error %q does not contain %q", i, bads[i].Err, want)
		}
	}
	if c.BadIs != "" {
		sentinel := map[string]error{"malformed": rawlog.ErrMalformed, "too_large": rawlog.ErrTooLarge, "unknown_format": rawlog.ErrUnknownFormat}[c.BadIs]
		for i, b := range bads {
			if sentinel == nil || !errors.Is(b.Err, sentinel) {
				t.Errorf("bad %d error %v is not %s", i, b.Err, c.BadIs)
			}
		}
	}
	if len(rows) != len(c.Rows) {
		t.Errorf("rows = %d, want %d", len(rows), len(c.Rows))
	}
	for i := 0; i < len(rows) && i < len(c.Rows); i++ {
		got := RowMap(rows[i])
		keys := make([]string, 0, len(c.Rows[i]))
		for k := range c.Rows[i] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			g, ok := got[k]
			if !ok {
				t.Errorf("row %d: no column %q", i, k)
				continue
			}
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(c.Rows[i][k])
			if string(gj) != string(wj) {
				t.Errorf("row %d column %s = %s, want %s", i, k, gj, wj)
			}
		}
	}
}

// Check verifies the invariants every parse must hold: Records counts rows
// and bads, every string column is valid UTF-8, JSON columns are valid JSON,
// every bad wraps a rawlog sentinel.
func Check[T any](rows []T, bads []rawlog.Bad, st rawlog.Stats) error {
	if st.Records != int64(len(rows)+len(bads)) {
		return fmt.Errorf("Stats.Records = %d, rows+bads = %d+%d", st.Records, len(rows), len(bads))
	}
	for i, r := range rows {
		for k, v := range RowMap(r) {
			s, ok := v.(string)
			if !ok {
				if l, ok := v.([]string); ok {
					s = strings.Join(l, " ")
				}
			}
			if !utf8.ValidString(s) {
				return fmt.Errorf("row %d column %s: invalid UTF-8 %q", i, k, s)
			}
			if k == "unmapped" && s != "" && !json.Valid([]byte(s)) {
				return fmt.Errorf("row %d column %s: invalid JSON %q", i, k, s)
			}
		}
		if RowMap(r)["source_object"] == nil {
			return fmt.Errorf("row %d: no source_object", i)
		}
	}
	for i, b := range bads {
		if b.Err == nil || !(errors.Is(b.Err, rawlog.ErrMalformed) || errors.Is(b.Err, rawlog.ErrTooLarge) || errors.Is(b.Err, rawlog.ErrUnknownFormat)) {
			return fmt.Errorf("bad %d: error %v wraps no rawlog sentinel", i, b.Err)
		}
	}
	return nil
}

// RowMap returns a row's columns by Parquet name: NULL pointers and empty
// strings are nil, numbers float64, times RFC 3339 strings in UTC.
func RowMap(row any) map[string]any {
	m := map[string]any{}
	v := reflect.ValueOf(row)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("parquet"), ",")
		if name == "" {
			continue
		}
		m[name] = value(v.Field(i))
	}
	return m
}

func value(f reflect.Value) any {
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return nil
		}
		f = f.Elem()
	}
	switch x := f.Interface().(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case string:
		if x == "" {
			return nil
		}
		return x
	case []string:
		if len(x) == 0 {
			return nil
		}
		return x
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	}
	return f.Interface()
}
