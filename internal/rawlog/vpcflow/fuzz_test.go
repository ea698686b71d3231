package vpcflow

import (
	"testing"

	"github.com/seclake/seclake/internal/rawlog/internal/casetest"
)

// FuzzParse checks that any input parses without panic, with every record
// accounted for and every string column valid UTF-8.
func FuzzParse(f *testing.F) {
	for _, c := range casetest.Load(f, "testdata/cases") {
		f.Add(c.Text())
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, p := range []*Parser{{}, {Format: []string{"version", "srcaddr", "start", "x-new"}}} {
			rows, bads, st, err := casetest.Collect(parseWith(p), text, (&casetest.Case{Name: "fuzz"}).Object())
			if err != nil {
				t.Fatalf("Parse error on in-memory input: %v", err)
			}
			if err := casetest.Check(rows, bads, st); err != nil {
				t.Fatal(err)
			}
		}
		Sniff([]byte(text))
	})
}
