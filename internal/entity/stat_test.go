package entity

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestStatBench(t *testing.T) {
	rows, _ := synthCloudTrail(42, benchEvents)
	cols := rowsToColumns(t, memory.DefaultAllocator, rows)
	x := New(Options{})
	for _, c := range cols {
		_, typed := typedColumns[c.Name]
		_, text := jsonColumns[c.Name]
		if !typed && !text {
			continue
		}
		n := 0
		for i := 0; i < c.Values.Len(); i++ {
			n += c.Values.ValueLen(i)
		}
		var best time.Duration
		var ents int
		for k := 0; k < 5; k++ {
			st := time.Now()
			ents = len(x.Extract([]Column{c}, benchEvents))
			if d := time.Since(st); best == 0 || d < best {
				best = d
			}
		}
		b := batchPool.Get().(*batch)
		t.Logf("%-32s %9d bytes %7d ents %8v %6.0f MB/s", c.Name, n, ents, best, float64(n)/best.Seconds()/1e6)
		batchPool.Put(b)
	}
}
