package cloudtrail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/schemas"
)

// result collects what one Parse call produced.
type result struct {
	rows  []schemas.CloudTrail
	bads  []rawlog.Bad
	stats rawlog.Stats
	err   error
}

func parse(t testing.TB, r io.Reader, key string) result {
	t.Helper()
	var res result
	var p Parser
	sink := rawlog.Sink[schemas.CloudTrail]{
		Row: func(r schemas.CloudTrail) error { res.rows = append(res.rows, r); return nil },
		Bad: func(b rawlog.Bad) error { res.bads = append(res.bads, b); return nil },
	}
	res.stats, res.err = p.Parse(context.Background(), r, rawlog.Object{Key: key}, sink)
	return res
}

// checkInvariants asserts the contract on any input.
func checkInvariants(t testing.TB, in []byte, res result) {
	t.Helper()
	if got := int64(len(res.rows) + len(res.bads)); res.stats.Records != got {
		t.Fatalf("Records=%d but rows+bads=%d", res.stats.Records, got)
	}
	if res.stats.Skipped && (len(res.rows) > 0 || len(res.bads) > 0) {
		t.Fatalf("skipped object emitted %d rows %d bads", len(res.rows), len(res.bads))
	}
	for i := range res.rows {
		r := &res.rows[i]
		if r.EventTime.IsZero() {
			t.Fatalf("row %d has zero EventTime", i)
		}
		if r.EventTime.Location() != nil && r.EventTime.Location().String() != "UTC" {
			t.Fatalf("row %d EventTime not UTC: %v", i, r.EventTime)
		}
		if r.SourceOffset < 0 || r.SourceOffset >= int64(len(in)) || (in[r.SourceOffset] != '{') {
			t.Fatalf("row %d SourceOffset %d does not point at '{'", i, r.SourceOffset)
		}
		v := reflect.ValueOf(r).Elem()
		for f := 0; f < v.NumField(); f++ {
			if s, ok := v.Field(f).Interface().(string); ok && !utf8.ValidString(s) {
				t.Fatalf("row %d field %s invalid UTF-8: %q", i, v.Type().Field(f).Name, s)
			}
		}
	}
	for i, b := range res.bads {
		if !errors.Is(b.Err, rawlog.ErrMalformed) && !errors.Is(b.Err, rawlog.ErrTooLarge) {
			t.Fatalf("bad %d error %v wraps no sentinel", i, b.Err)
		}
		if b.Offset < 0 || b.Offset > int64(len(in)) {
			t.Fatalf("bad %d offset %d out of range", i, b.Offset)
		}
		if len(b.Raw) > 0 && !bytes.HasPrefix(in[b.Offset:], b.Raw[:min(len(b.Raw), schemas.RawLimit)]) {
			t.Fatalf("bad %d raw does not match input at offset %d", i, b.Offset)
		}
	}
}
