package extract

import (
	"reflect"
	"sync"
	"testing"

	"github.com/seclake/seclake/internal/entity"
	"github.com/seclake/seclake/schemas"
)

// TestCachedCombinationsMatchFresh: an Extraction that has seen earlier
// batches takes most rows' typed entities from its combination cache; every
// row must still get exactly what a fresh Extraction computes for its batch
// alone, with and without redaction. The rows are a generated hour of the
// dense organisation (every attack scenario) in convert's batch size, plus
// rows that differ only in the VPC endpoint (which makes a private source
// address vpc_endpoint) or only in the TLS host header.
func TestCachedCombinationsMatchFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("generates an hour of dense CloudTrail")
	}
	src := denseCloudTrail(t)
	base := src[0]
	base.SourceIPAddress = "10.1.2.3"
	var extra []schemas.CloudTrail
	for _, vpce := range []string{"", "vpce-0a1b2c3d4e5f60718", ""} {
		for _, host := range []string{"ec2.eu-west-1.amazonaws.com", "s3.amazonaws.com"} {
			r := base
			r.VPCEndpointID, r.TLSClientProvidedHostHeader = vpce, host
			extra = append(extra, r)
		}
	}
	rows := append(append([]schemas.CloudTrail(nil), extra...), src...)
	rows = append(rows, extra...)
	const batchRows = 512
	for _, rd := range []*entity.Redactor{nil, {Mode: "hmac", Key: []byte("0123456789abcdef")}} {
		x := &Extraction{Extractor: entity.New(entity.Options{}), Redactor: rd}
		got := append([]schemas.CloudTrail(nil), rows...)
		hits := 0
		for i := 0; i < len(got); i += batchRows {
			batch := got[i:min(i+batchRows, len(got))]
			x.CloudTrail(batch)
			hits += int(x.combos[ctTable.id].hits.Swap(0))

			want := append([]schemas.CloudTrail(nil), rows[i:i+len(batch)]...)
			fresh := &Extraction{Extractor: entity.New(entity.Options{}), Redactor: rd}
			fresh.CloudTrail(want)
			for k := range batch {
				if !reflect.DeepEqual(batch[k], want[k]) {
					t.Fatalf("redact %v, row %d: cached\n%+v\nfresh\n%+v", rd != nil, i+k, batch[k].Extracted, want[k].Extracted)
				}
			}
		}
		// The cache must have been used, or this test checks nothing.
		if hits < len(rows)/2 {
			t.Fatalf("redact %v: %d of %d rows from the cache", rd != nil, hits, len(rows))
		}
		t.Logf("redact %v: %d of %d rows from the cache", rd != nil, hits, len(rows))
	}
}

// TestCachedCombinationsConcurrent: convert's workers share the combination
// cache; batches extracted at the same time from several goroutines get what
// a fresh Extraction computes.
func TestCachedCombinationsConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("generates an hour of dense CloudTrail")
	}
	src := denseCloudTrail(t)[:4096]
	const batchRows = 512
	want := append([]schemas.CloudTrail(nil), src...)
	for i := 0; i < len(want); i += batchRows {
		fresh := &Extraction{Extractor: entity.New(entity.Options{})}
		fresh.CloudTrail(want[i:min(i+batchRows, len(want))])
	}
	x := &Extraction{Extractor: entity.New(entity.Options{})}
	const workers = 4
	got := make([][]schemas.CloudTrail, workers)
	var wg sync.WaitGroup
	for w := range workers {
		got[w] = append([]schemas.CloudTrail(nil), src...)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 2 {
				rows := got[w]
				if round == 1 {
					rows = append([]schemas.CloudTrail(nil), src...)
					got[w] = rows
				}
				// each worker walks the batches in its own order
				for b := range len(rows) / batchRows {
					i := ((b + w) % (len(rows) / batchRows)) * batchRows
					x.CloudTrail(rows[i : i+batchRows])
				}
			}
		}()
	}
	wg.Wait()
	for w := range workers {
		for i := range got[w] {
			if !reflect.DeepEqual(got[w][i], want[i]) {
				t.Fatalf("worker %d, row %d: cached\n%+v\nfresh\n%+v", w, i, got[w][i].Extracted, want[i].Extracted)
			}
		}
	}
	if h := x.combos[ctTable.id].hits.Load(); h < int64(workers*len(src)) {
		t.Fatalf("%d rows from the cache, want at least %d (the second round)", h, workers*len(src))
	}
}
