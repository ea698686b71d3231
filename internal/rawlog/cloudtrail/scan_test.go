package cloudtrail

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestSpecialMask(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{'"', '\\', 0, 0x1f, 0x20, 'a', 0x7f, 0x80, 0xff, 0xa2, 0xdc, '!', '#', 0x21, 0x5b, 0x5d}
	var w [8]byte
	for n := 0; n < 200000; n++ {
		want := false
		for i := range w {
			w[i] = alphabet[r.IntN(len(alphabet))]
			if r.IntN(4) == 0 {
				w[i] = byte(r.IntN(256))
			}
			want = want || w[i] == '"' || w[i] == '\\' || w[i] < 0x20
		}
		if got := specialMask(binary.LittleEndian.Uint64(w[:])) != 0; got != want {
			t.Fatalf("specialMask(%q) = %v, want %v", w, got, want)
		}
	}
}

// FuzzString checks the string scanner and unescaper against encoding/json.
func FuzzString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"a\"b\\c\/\n\u00e9\ud83d\ude00\ud800"`, `"\u0000"`, "\"a\x01\"", `"\x"`, `"unterminated`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var want string
		werr := json.Unmarshal(in, &want)
		if len(in) == 0 || in[0] != '"' {
			return
		}
		end, esc, err := scanString(in, 0)
		// encoding/json accepts whitespace after the document; the scanner
		// stops at the closing quote.
		ok := err == nil && end == len(bytes.TrimRight(in, " \t\r\n"))
		if ok != (werr == nil) {
			t.Fatalf("scanString(%q) ok=%v (end %d err %v), encoding/json err %v", in, ok, end, err, werr)
		}
		if !ok {
			return
		}
		got := string(appendUnescaped(nil, in[1:end-1]))
		if !esc {
			got = string(in[1 : end-1])
		}
		// encoding/json also replaces invalid UTF-8; compare after repair.
		got = string(appendValidUTF8(nil, []byte(got)))
		if got != want {
			t.Fatalf("unescape(%q) = %q, want %q", in, got, want)
		}
	})
}

// FuzzTime checks the hand-written RFC 3339 parser against time.Parse.
func FuzzTime(f *testing.F) {
	for _, s := range []string{"2024-05-01T10:00:00Z", "2024-05-01T10:00:00.123Z", "2024-05-01T10:00:00+02:00", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseTimeFast([]byte(s))
		if !ok {
			return
		}
		// RFC 3339 allows lower-case t and z, time.Parse does not.
		want, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
		if err != nil {
			t.Fatalf("fast parser accepted %q, time.Parse: %v", s, err)
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Fatalf("parseTimeFast(%q) = %v, want %v", s, got, want)
		}
	})
}
