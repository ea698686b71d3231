// Package lineio reads newline-delimited records with bounded memory and
// helpers shared by the line-oriented parsers (vpcflow, s3access).
package lineio

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/schemas"
)

// bufSize is the bufio buffer; lines up to this size are returned without copying.
const bufSize = 64 << 10

// Line is one line of the stream, without its "\n" or "\r\n" terminator.
type Line struct {
	// Bytes is the line content; valid until the next call to Next. For a
	// TooLarge line it holds only the first schemas.RawLimit bytes.
	Bytes    []byte
	Offset   int64 // byte offset of the line start in the stream
	Num      int64 // 1-based line number
	Size     int64 // full length of the line, terminator excluded
	TooLarge bool  // the line exceeds the reader's limit
}

// Reader splits a stream into lines, holding at most max bytes of one line.
type Reader struct {
	br   *bufio.Reader
	max  int
	off  int64
	num  int64
	long []byte
}

// NewReader returns a Reader over r; lines longer than max bytes are
// reported TooLarge (and skipped) instead of being buffered.
func NewReader(r io.Reader, max int) *Reader {
	if max <= 0 {
		max = rawlog.MaxRecordBytes
	}
	return &Reader{br: bufio.NewReaderSize(r, bufSize), max: max}
}

// Next returns the next line. It returns io.EOF after the last line; a final
// line without a terminator is still returned. Any other error is a read error.
func (r *Reader) Next() (Line, error) {
	start := r.off
	b, err := r.br.ReadSlice('\n')
	if err == nil || (err == io.EOF && len(b) > 0) {
		r.off += int64(len(b))
		r.num++
		b = trimEOL(b)
		l := Line{Bytes: b, Offset: start, Num: r.num, Size: int64(len(b))}
		if len(b) > r.max { // only when max is below the buffer size
			l.TooLarge = true
			l.Bytes = b[:min(len(b), schemas.RawLimit)]
		}
		return l, nil
	}
	if err == io.EOF {
		return Line{}, io.EOF
	}
	if err != bufio.ErrBufferFull {
		return Line{}, err
	}
	// Long line: accumulate up to max bytes, then only count the rest.
	r.long = append(r.long[:0], b...)
	total := int64(len(b))
	tooLarge := false
	var tail [2]byte // last two bytes read, to size the terminator
	for {
		b, err = r.br.ReadSlice('\n')
		total += int64(len(b))
		if n := len(b); n >= 2 {
			tail = [2]byte{b[n-2], b[n-1]}
		} else if n == 1 {
			tail = [2]byte{tail[1], b[0]}
		}
		if !tooLarge {
			if len(r.long)+len(b) > r.max+2 { // +2: room for "\r\n"
				tooLarge = true
				if n := schemas.RawLimit - len(r.long); n > 0 {
					r.long = append(r.long, b[:min(n, len(b))]...)
				}
			} else {
				r.long = append(r.long, b...)
			}
		}
		if err == nil || err == io.EOF {
			break
		}
		if err != bufio.ErrBufferFull {
			return Line{}, err
		}
	}
	r.off += total
	r.num++
	l := Line{Offset: start, Num: r.num}
	if !tooLarge {
		l.Bytes = trimEOL(r.long)
		l.Size = int64(len(l.Bytes))
		if l.Size <= int64(r.max) {
			return l, nil
		}
	}
	l.TooLarge = true
	l.Size = total
	if tail[1] == '\n' {
		l.Size--
		if tail[0] == '\r' {
			l.Size--
		}
	}
	if len(r.long) > schemas.RawLimit {
		l.Bytes = r.long[:schemas.RawLimit]
	} else {
		l.Bytes = trimEOL(r.long)
	}
	if cap(r.long) > 4<<20 {
		l.Bytes = append([]byte(nil), l.Bytes...)
		r.long = nil // do not pin a huge buffer for the rest of the object
	}
	return l, nil
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

// IsBlank reports whether b holds only spaces and tabs.
func IsBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// String returns b as a valid UTF-8 string, replacing invalid sequences with
// U+FFFD. One allocation per call; substrings of the result share it.
func String(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// RawCopy returns a copy of b truncated to schemas.RawLimit, for rawlog.Bad.
func RawCopy(b []byte) []byte {
	if len(b) > schemas.RawLimit {
		b = b[:schemas.RawLimit]
	}
	return append([]byte(nil), b...)
}

// TooLargeBad builds the quarantine record of a line over the limit.
func TooLargeBad(l Line, max int) rawlog.Bad {
	return rawlog.Bad{
		Offset: l.Offset,
		Line:   l.Num,
		Raw:    RawCopy(l.Bytes),
		Err:    fmt.Errorf("%w: line of %d bytes exceeds the %d-byte limit", rawlog.ErrTooLarge, l.Size, max),
	}
}

// Slab hands out pointers to values allocated in chunks, so that a row's
// optional numeric columns cost no allocation each.
type Slab[T any] struct{ buf []T }

// New returns a pointer to a fresh slot holding v.
func (s *Slab[T]) New(v T) *T {
	if len(s.buf) == 0 {
		s.buf = make([]T, 1024)
	}
	p := &s.buf[0]
	*p = v
	s.buf = s.buf[1:]
	return p
}

// ParseUint parses a non-empty string of ASCII digits that fits in an int64.
func ParseUint(s string) (int64, bool) {
	if len(s) == 0 {
		return 0, false
	}
	if len(s) > 18 {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil && s[0] != '+' && s[0] != '-'
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		n = n*10 + int64(c)
	}
	return n, true
}
