package vpcflow

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/schemas"
)

// benchData is ~20 MB of realistic default-format (v2) lines behind a header,
// with a few NODATA rows and IPv6 addresses.
var benchData = func() []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.WriteString("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
	for b.Len() < 20<<20 {
		start := 1700000000 + rng.IntN(86400)
		switch n := rng.IntN(100); {
		case n == 0:
			fmt.Fprintf(&b, "2 123456789010 eni-%017x - - - - - - - %d %d - NODATA\n", rng.Uint64()>>4, start, start+60)
		case n < 5:
			fmt.Fprintf(&b, "2 123456789010 eni-%017x 2001:db8:%x::%x 2001:db8:%x::1 %d 443 6 %d %d %d %d ACCEPT OK\n",
				rng.Uint64()>>4, rng.IntN(65536), rng.IntN(65536), rng.IntN(65536), rng.IntN(65536), rng.IntN(1000), rng.IntN(1<<20), start, start+60)
		default:
			act := "ACCEPT"
			if n > 90 {
				act = "REJECT"
			}
			fmt.Fprintf(&b, "2 123456789010 eni-%017x 10.%d.%d.%d 172.31.%d.%d %d %d 6 %d %d %d %d %s OK\n",
				rng.Uint64()>>4, rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(256),
				rng.IntN(65536), []int{22, 80, 443, 3389, 5432}[rng.IntN(5)], rng.IntN(1000), rng.IntN(1<<20), start, start+60, act)
		}
	}
	return b.Bytes()
}()

func BenchmarkParse(b *testing.B) {
	b.SetBytes(int64(len(benchData)))
	var rows int
	sink := rawlog.Sink[schemas.VPCFlow]{
		Row: func(schemas.VPCFlow) error { rows++; return nil },
		Bad: func(bad rawlog.Bad) error { return fmt.Errorf("unexpected bad: %v", bad.Err) },
	}
	p := &Parser{}
	for b.Loop() {
		if _, err := p.Parse(context.Background(), bytes.NewReader(benchData), rawlog.Object{Key: "bench"}, sink); err != nil {
			b.Fatal(err)
		}
	}
	reportVsBaseline(b)
}

// BenchmarkBaseline is the floor to compare BenchmarkParse with: split the
// same bytes into lines and fields without converting anything.
func BenchmarkBaseline(b *testing.B) {
	b.SetBytes(int64(len(benchData)))
	for b.Loop() {
		baseline(benchData)
	}
}

func baseline(data []byte) int {
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		n += len(strings.Fields(sc.Text()))
	}
	return n
}

// reportVsBaseline adds the metric "x-baseline": BenchmarkParse's time per
// pass over the time of the fastest of 3 baseline passes measured right after
// it in the same process (1.0 = as fast as only splitting fields).
func reportVsBaseline(b *testing.B) {
	if b.N == 0 {
		return
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.StopTimer()
	best := time.Duration(1<<63 - 1)
	for range 3 {
		t0 := time.Now()
		baseline(benchData)
		best = min(best, time.Since(t0))
	}
	b.ReportMetric(float64(perOp)/float64(best), "x-baseline")
}
