package s3access

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

// benchData is ~20 MB of realistic 26-field lines: GET/PUT/HEAD on objects,
// browser and SDK user agents, a few errors and referers.
var benchData = func() []byte {
	rng := rand.New(rand.NewPCG(3, 4))
	uas := []string{
		"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.2",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36",
		"aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.amzn.2 prompt/off command/s3.cp",
		"S3Console/0.4",
	}
	ops := []string{"REST.GET.OBJECT", "REST.PUT.OBJECT", "REST.HEAD.OBJECT", "REST.GET.BUCKET"}
	var b bytes.Buffer
	for b.Len() < 20<<20 {
		op := ops[rng.IntN(len(ops))]
		key := fmt.Sprintf("data/%04d/%02d/part-%08x.parquet", 2020+rng.IntN(5), 1+rng.IntN(12), rng.Uint32())
		method := strings.Split(op, ".")[1]
		status, errc, sent := "200", "-", fmt.Sprint(rng.IntN(1<<24))
		if rng.IntN(20) == 0 {
			status, errc, sent = "403", "AccessDenied", "243"
		}
		ref := "-"
		if rng.IntN(10) == 0 {
			ref = "https://console.aws.amazon.com/s3/buckets/example-bucket"
		}
		fmt.Fprintf(&b, "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be example-bucket [%02d/Feb/2024:%02d:%02d:%02d +0000] 10.%d.%d.%d arn:aws:sts::123456789012:assumed-role/etl/session-%d %016X %s %s \"%s /%s HTTP/1.1\" %s %s %s %d %d %d \"%s\" \"%s\" - %s SigV4 TLS_AES_128_GCM_SHA256 AuthHeader example-bucket.s3.us-east-1.amazonaws.com TLSv1.3 - -\n",
			1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(100), rng.Uint64(),
			op, key, method, key, status, errc, sent, rng.IntN(1<<30), rng.IntN(5000), rng.IntN(100), ref, uas[rng.IntN(len(uas))],
			"s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=")
	}
	return b.Bytes()
}()

func BenchmarkParse(b *testing.B) {
	b.SetBytes(int64(len(benchData)))
	sink := rawlog.Sink[schemas.S3Access]{
		Row: func(schemas.S3Access) error { return nil },
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
