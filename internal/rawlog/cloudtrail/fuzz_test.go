package cloudtrail

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/schemas"
)

// FuzzParse checks the contract on arbitrary input: no panic, Records ==
// rows+bads, valid UTF-8 in every string, and the same output whatever the
// read buffer size (refills and growth happen mid-record with 64 bytes).
func FuzzParse(f *testing.F) {
	for _, c := range loadCases(f) {
		f.Add(c.input(f))
	}
	f.Add(synthDelivery(3, true))
	f.Add([]byte(`{"Records":[{"eventTime":"2024-05-01T10:00:00Z"},{"eventTime":`))
	f.Fuzz(func(t *testing.T, in []byte) {
		res := parseWith(t, &Parser{BufferSize: 64 << 10}, in)
		checkInvariants(t, in, res)
		small := parseWith(t, &Parser{BufferSize: 64}, in)
		if small.stats != res.stats || (small.err == nil) != (res.err == nil) || !reflect.DeepEqual(small.rows, res.rows) || len(small.bads) != len(res.bads) {
			t.Fatalf("buffer size changes output: %+v/%v vs %+v/%v", small.stats, small.err, res.stats, res.err)
		}
		for i := range res.bads {
			if res.bads[i].Offset != small.bads[i].Offset || res.bads[i].Line != small.bads[i].Line || !bytes.Equal(res.bads[i].Raw, small.bads[i].Raw) {
				t.Fatalf("bad %d differs with small buffer", i)
			}
		}
	})
}

func parseWith(t *testing.T, p *Parser, in []byte) result {
	var res result
	res.stats, res.err = p.Parse(context.Background(), bytes.NewReader(in), rawlog.Object{}, rawlog.Sink[schemas.CloudTrail]{
		Row: func(r schemas.CloudTrail) error { res.rows = append(res.rows, r); return nil },
		Bad: func(b rawlog.Bad) error { res.bads = append(res.bads, b); return nil },
	})
	return res
}
