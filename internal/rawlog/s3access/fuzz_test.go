package s3access

import (
	"testing"
	"time"

	"github.com/seclake/seclake/internal/rawlog/internal/casetest"
)

// FuzzParse checks that any input parses without panic, with every record
// accounted for and every string column valid UTF-8.
func FuzzParse(f *testing.F) {
	for _, c := range casetest.Load(f, "testdata/cases") {
		f.Add(c.Text())
	}
	f.Fuzz(func(t *testing.T, text string) {
		rows, bads, st, err := casetest.Collect(parse, text, (&casetest.Case{Name: "fuzz"}).Object())
		if err != nil {
			t.Fatalf("Parse error on in-memory input: %v", err)
		}
		if err := casetest.Check(rows, bads, st); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.EventTime.Location() != time.UTC {
				t.Fatalf("event time %v not UTC", r.EventTime)
			}
		}
		Sniff([]byte(text))
	})
}
