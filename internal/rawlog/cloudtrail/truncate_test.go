package cloudtrail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/schemas"
)

// TestTruncatedRecords cuts a delivery file at many byte positions: no
// panic, Records == rows+bads, and an error whenever the cut lands before
// the end of the Records array.
func TestTruncatedRecords(t *testing.T) {
	full := synthDelivery(40, true)
	arrayEnd := bytes.LastIndexByte(full, ']')
	step := max(1, len(full)/700)
	for cut := 0; cut < len(full); cut += step {
		in := full[:cut]
		res := parse(t, bytes.NewReader(in), "")
		checkInvariants(t, in, res)
		if cut > bytes.IndexByte(full, '[') && cut <= arrayEnd && res.err == nil {
			t.Fatalf("cut at %d/%d: no error for a truncated Records array", cut, len(full))
		}
		if len(res.bads) != 0 {
			t.Fatalf("cut at %d: %d bads, want the partial record left to the caller", cut, len(res.bads))
		}
	}
	// Same with a reader that returns one byte at a time and then an error.
	res := parse(t, iotest.TimeoutReader(iotest.OneByteReader(bytes.NewReader(full))), "")
	if res.err == nil {
		t.Fatalf("no error from a failing reader")
	}
	res = parse(t, iotest.OneByteReader(bytes.NewReader(full)), "")
	if res.err != nil || len(res.rows) != 40 {
		t.Fatalf("one-byte reader: rows=%d err=%v", len(res.rows), res.err)
	}
}

// TestSmallBuffer forces many refills and buffer growth mid-record.
func TestSmallBuffer(t *testing.T) {
	for _, in := range [][]byte{synthDelivery(300, false), synthDelivery(300, true), synthLines(300)} {
		want := parse(t, bytes.NewReader(in), "")
		p := Parser{BufferSize: 1}
		var n int
		var offs []int64
		st, err := p.Parse(context.Background(), iotest.HalfReader(bytes.NewReader(in)), rawlog.Object{}, rawlog.Sink[schemas.CloudTrail]{
			Row: func(r schemas.CloudTrail) error { n++; offs = append(offs, r.SourceOffset); return nil },
			Bad: func(rawlog.Bad) error { t.Fatal("unexpected bad"); return nil },
		})
		if err != nil || n != len(want.rows) || st.Records != int64(n) || n != 300 {
			t.Fatalf("small buffer: rows=%d want %d err=%v", n, len(want.rows), err)
		}
		for i, o := range offs {
			if o != want.rows[i].SourceOffset {
				t.Fatalf("row %d offset %d, want %d", i, o, want.rows[i].SourceOffset)
			}
		}
	}
}

// TestTooLarge checks that an element above MaxRecordBytes is quarantined
// (truncated raw) and parsing continues with the next element.
func TestTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 9 MB record")
	}
	big := `{"eventTime":"2024-05-01T10:00:00Z","requestParameters":{"blob":"` + strings.Repeat("x\\\"{[", rawlog.MaxRecordBytes/5+10) + `"}}`
	small := string(synthEvent(1))
	for _, in := range []string{
		`{"Records":[` + small + `,` + big + `,` + small + `]}`,
		small + "\n" + big + "\n" + small + "\n",
	} {
		res := parse(t, strings.NewReader(in), "")
		checkInvariants(t, []byte(in), res)
		if res.err != nil || len(res.rows) != 2 || len(res.bads) != 1 {
			t.Fatalf("rows=%d bads=%d err=%v", len(res.rows), len(res.bads), res.err)
		}
		b := res.bads[0]
		if !errors.Is(b.Err, rawlog.ErrTooLarge) || len(b.Raw) != schemas.RawLimit || b.Offset != int64(strings.Index(in, big)) {
			t.Fatalf("bad: err=%v raw=%d offset=%d", b.Err, len(b.Raw), b.Offset)
		}
	}
}

// TestCancel checks that a cancelled context stops parsing.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var p Parser
	n := 0
	_, err := p.Parse(ctx, bytes.NewReader(synthDelivery(1000, false)), rawlog.Object{}, rawlog.Sink[schemas.CloudTrail]{
		Row: func(schemas.CloudTrail) error {
			n++
			if n == 10 {
				cancel()
			}
			return nil
		},
	})
	if !errors.Is(err, context.Canceled) || n >= 1000 {
		t.Fatalf("err=%v after %d rows", err, n)
	}
}

// TestSinkError checks that a sink error stops parsing and is returned.
func TestSinkError(t *testing.T) {
	stop := errors.New("stop")
	var p Parser
	_, err := p.Parse(context.Background(), bytes.NewReader(synthLines(10)), rawlog.Object{}, rawlog.Sink[schemas.CloudTrail]{
		Row: func(schemas.CloudTrail) error { return stop },
	})
	if !errors.Is(err, stop) {
		t.Fatalf("err=%v", err)
	}
}

func TestSniff(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{string(synthDelivery(2, true)), true},
		{string(synthLines(2)), true},
		{`[` + string(synthEvent(3)) + `]`, true},
		{`{"awsAccountId":"1","digestStartTime":"x","digestS3Object":"y"}`, true},
		{`2024-05-01 12:00:00 vpc flow`, false},
		{`{"foo":"bar"}`, false},
		{`79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be bucket [06/Feb/2019:00:00:38 +0000]`, false},
	} {
		if got := Sniff([]byte(c.in)); got != c.want {
			t.Errorf("Sniff(%.40q) = %v", c.in, got)
		}
	}
}

var _ io.Reader = (*bytes.Reader)(nil)
