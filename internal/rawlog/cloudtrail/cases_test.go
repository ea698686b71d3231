package cloudtrail

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// caseFile is one testdata/cases/*.json file. Expected rows are partial:
// only the listed fields are compared, named by Go field name of
// schemas.CloudTrail, with values as encoding/json renders the row (times in
// RFC 3339, *bool as true/false/null). want_rows must list every row, in
// order ({} checks nothing but the count). input_base64 replaces input for
// bytes that JSON strings cannot carry (invalid UTF-8).
type caseFile struct {
	Name        string                       `json:"name"`
	Input       string                       `json:"input"`
	InputBase64 string                       `json:"input_base64"`
	Key         string                       `json:"key"`
	WantRows    []map[string]json.RawMessage `json:"want_rows"`
	WantBad     int                          `json:"want_bad"`
	WantBadLine []int64                      `json:"want_bad_lines"`
	WantSkipped bool                         `json:"want_skipped"`
	WantErr     bool                         `json:"want_err"`
}

func (c *caseFile) input(t testing.TB) []byte {
	if c.InputBase64 != "" {
		b, err := base64.StdEncoding.DecodeString(c.InputBase64)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return []byte(c.Input)
}

func loadCases(t testing.TB) []caseFile {
	t.Helper()
	files, err := filepath.Glob("testdata/cases/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files: %v", err)
	}
	var cases []caseFile
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c caseFile
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if c.Name == "" {
			c.Name = strings.TrimSuffix(filepath.Base(f), ".json")
		}
		cases = append(cases, c)
	}
	return cases
}

func TestCases(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			in := c.input(t)
			res := parse(t, strings.NewReader(string(in)), c.Key)
			checkInvariants(t, in, res)
			if (res.err != nil) != c.WantErr {
				t.Fatalf("err = %v, want error %v", res.err, c.WantErr)
			}
			if res.stats.Skipped != c.WantSkipped {
				t.Fatalf("skipped = %v (%q), want %v", res.stats.Skipped, res.stats.SkipReason, c.WantSkipped)
			}
			if len(res.bads) != c.WantBad {
				for _, b := range res.bads {
					t.Logf("bad @%d line %d: %v: %q", b.Offset, b.Line, b.Err, b.Raw)
				}
				t.Fatalf("bad = %d, want %d", len(res.bads), c.WantBad)
			}
			if c.WantBadLine != nil {
				var lines []int64
				for _, b := range res.bads {
					lines = append(lines, b.Line)
				}
				if !reflect.DeepEqual(lines, c.WantBadLine) {
					t.Fatalf("bad lines = %v, want %v", lines, c.WantBadLine)
				}
			}
			if len(res.rows) != len(c.WantRows) {
				t.Fatalf("rows = %d, want %d", len(res.rows), len(c.WantRows))
			}
			for i, want := range c.WantRows {
				data, _ := json.Marshal(res.rows[i])
				var got map[string]json.RawMessage
				if err := json.Unmarshal(data, &got); err != nil {
					t.Fatal(err)
				}
				for k, wv := range want {
					gv, ok := got[k]
					if !ok {
						t.Fatalf("row %d: no field %q", i, k)
					}
					var a, b any
					_ = json.Unmarshal(wv, &a)
					_ = json.Unmarshal(gv, &b)
					if !reflect.DeepEqual(a, b) {
						t.Errorf("row %d %s = %s, want %s", i, k, gv, wv)
					}
				}
			}
		})
	}
}
