package entity

import (
	"fmt"
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/seclake/seclake/schemas"
)

// TestDumpStratus writes what Extract finds in the stratus corpus, one
// entity a line (file, index, kind, value, role, field, confidence, attr), to
// the file named by $DUMP; used to diff against label_stratus.py output when
// rules change. Skipped unless DUMP is set.
func TestDumpStratus(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	ev := loadStratus(t)
	rows := make([]schemas.CloudTrail, len(ev))
	for i := range ev {
		rows[i] = ev[i].Row
	}
	cols := rowsToColumns(t, memory.DefaultAllocator, rows)
	ents := New(Options{}).Extract(cols, len(rows))
	f, _ := os.Create(os.Getenv("DUMP"))
	defer f.Close()
	for _, e := range ents {
		fmt.Fprintf(f, "%s\t%d\t%s\t%s\t%s\t%s\t%.1f\t%s\n", ev[e.Row].File, ev[e.Row].Index, e.Kind, e.Value, e.Role, e.Field, e.Confidence, e.Attr)
	}
}
