package lineio

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/seclake/seclake/schemas"
)

type got struct {
	text     string
	off, num int64
	size     int64
	tooLarge bool
}

func readAll(t *testing.T, r io.Reader, max int) []got {
	t.Helper()
	lr := NewReader(r, max)
	var out []got
	for {
		l, err := lr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got{string(l.Bytes), l.Offset, l.Num, l.Size, l.TooLarge})
	}
}

func TestReader(t *testing.T) {
	long := strings.Repeat("a", 100<<10) // over the 64 KiB buffer, under max
	huge := strings.Repeat("b", 300<<10) // over max
	in := "one\r\n\ntwo\n" + long + "\n" + huge + "\r\nlast"
	for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in))} {
		lines := readAll(t, r, 200<<10)
		want := []got{
			{"one", 0, 1, 3, false},
			{"", 5, 2, 0, false},
			{"two", 6, 3, 3, false},
			{long, 10, 4, int64(len(long)), false},
			{huge[:schemas.RawLimit], int64(11 + len(long)), 5, int64(len(huge)), true},
			{"last", int64(11 + len(long) + len(huge) + 2), 6, 4, false},
		}
		if len(lines) != len(want) {
			t.Fatalf("%d lines, want %d", len(lines), len(want))
		}
		for i := range want {
			if lines[i] != want[i] {
				g, w := lines[i], want[i]
				t.Errorf("line %d: got off %d num %d size %d large %v len %d; want off %d num %d size %d large %v len %d",
					i, g.off, g.num, g.size, g.tooLarge, len(g.text), w.off, w.num, w.size, w.tooLarge, len(w.text))
			}
		}
	}
}

func TestSmallMax(t *testing.T) {
	lines := readAll(t, strings.NewReader("12345\n123\n"), 4)
	if len(lines) != 2 || !lines[0].tooLarge || lines[0].size != 5 || lines[1].tooLarge {
		t.Errorf("lines = %+v", lines)
	}
}

func TestString(t *testing.T) {
	if s := String([]byte("a\xffb")); s != "a\uFFFDb" {
		t.Errorf("String = %q", s)
	}
}

func TestParseUint(t *testing.T) {
	for in, want := range map[string]bool{"0": true, "9223372036854775807": true, "9223372036854775808": false,
		"": false, "-1": false, "+1": false, "1a": false, "12345678901234567890": false} {
		if _, ok := ParseUint(in); ok != want {
			t.Errorf("ParseUint(%q) ok = %v", in, ok)
		}
	}
}
