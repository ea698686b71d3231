package detect

import (
	"context"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/seclake/seclake/internal/analytics"
	sqlfiles "github.com/seclake/seclake/sql/duckdb"
)

// TestExactStatsRepeatable: the mean and standard deviation the baselines
// store (exact_mean, exact_stddev in macros.sql) are the same bytes on every
// run, with several threads adding up byte counts of 10⁷–10¹⁰ in whatever
// order, and equal the exact values (computed here with big integers) to
// their 6 stored decimals.
func TestExactStatsRepeatable(t *testing.T) {
	ctx := context.Background()
	eng, err := analytics.Open(ctx, t.TempDir(), analytics.Options{Tables: []string{}, Threads: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	macros, err := sqlfiles.FS.ReadFile("macros.sql")
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Exec(ctx, string(macros)); err != nil {
		t.Fatal(err)
	}
	const groups, perGroup = 4, 300_000
	rng := rand.New(rand.NewPCG(1, 2))
	vals := make([][]int64, groups)
	if err := eng.Exec(ctx, "CREATE TABLE v (g INTEGER, x DOUBLE)"); err != nil {
		t.Fatal(err)
	}
	for g := range groups {
		for range perGroup {
			vals[g] = append(vals[g], 10_000_000+rng.Int64N(10_000_000_000))
		}
		if err := eng.Exec(ctx, "INSERT INTO v SELECT ?, unnest(?::BIGINT[])::DOUBLE", g, vals[g]); err != nil {
			t.Fatal(err)
		}
	}
	q := `SELECT g, exact_mean(count(*), sum(x::HUGEINT)) AS mean,
	             exact_stddev(count(*), sum(x::HUGEINT), sum(x::HUGEINT * x::HUGEINT)) AS sd
	      FROM v GROUP BY g ORDER BY g`
	var first [][2]float64
	for run := range 5 {
		rows, err := eng.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var got [][2]float64
		for rows.Next() {
			var g int
			var m, sd float64
			if err := rows.Scan(&g, &m, &sd); err != nil {
				t.Fatal(err)
			}
			got = append(got, [2]float64{m, sd})
		}
		rows.Close()
		if run == 0 {
			first = got
			for g, r := range got {
				m, sd := exactStats(vals[g])
				if math.Abs(r[0]-m) > 1e-6 || math.Abs(r[1]-sd) > 1e-6*max(1, sd/1e9) {
					t.Errorf("group %d: mean %v sd %v, exact %v %v", g, r[0], r[1], m, sd)
				}
			}
			continue
		}
		for g := range got {
			if math.Float64bits(got[g][0]) != math.Float64bits(first[g][0]) || math.Float64bits(got[g][1]) != math.Float64bits(first[g][1]) {
				t.Fatalf("run %d, group %d: %v, first run %v", run, g, got[g], first[g])
			}
		}
	}
}

// exactStats is the mean and sample standard deviation of xs from big
// integer sums.
func exactStats(xs []int64) (mean, sd float64) {
	n := big.NewInt(int64(len(xs)))
	s1, s2 := new(big.Int), new(big.Int)
	for _, x := range xs {
		b := big.NewInt(x)
		s1.Add(s1, b)
		s2.Add(s2, new(big.Int).Mul(b, b))
	}
	m, _ := new(big.Rat).SetFrac(s1, n).Float64()
	num := new(big.Int).Sub(new(big.Int).Mul(n, s2), new(big.Int).Mul(s1, s1))
	den := new(big.Int).Mul(n, new(big.Int).Sub(n, big.NewInt(1)))
	v, _ := new(big.Rat).SetFrac(num, den).Float64()
	return m, math.Sqrt(v)
}
