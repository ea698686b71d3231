package cloudtrail

import (
	"encoding/binary"
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// errNeedMore reports that the scanner ran off the end of the bytes it was
// given before the value ended; the driver reads more input and retries, or
// treats it as truncation at end of stream.
var errNeedMore = errors.New("need more input")

// syntaxError is a JSON grammar violation at a position of the scanned slice.
type syntaxError struct {
	pos int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

func synErr(pos int, msg string) error { return &syntaxError{pos: pos, msg: msg} }

// isWS is the JSON whitespace set.
func isWS(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// skipWS returns the index of the first non-whitespace byte at or after i.
func skipWS(b []byte, i int) int {
	for i < len(b) && isWS(b[i]) {
		i++
	}
	return i
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// specialMask has the high bit set in every byte of x that is '"', '\\' or a
// control character (< 0x20). Bytes >= 0x80 are excluded.
func specialMask(x uint64) uint64 {
	q := x ^ (lsb * '"')
	s := x ^ (lsb * '\\')
	// haszero(v) = (v - lsb) & ^v & msb ; hasless(x, n) = (x - lsb*n) & ^x & msb
	return ((q-lsb) & ^q | (s-lsb) & ^s | (x-lsb*0x20) & ^x) & msb
}

// scanString scans the string starting at b[i] == '"'. It returns the index
// just past the closing quote and whether the string holds escapes.
func scanString(b []byte, i int) (end int, esc bool, err error) {
	i++
	for {
		for i+8 <= len(b) {
			if specialMask(binary.LittleEndian.Uint64(b[i:])) != 0 {
				break
			}
			i += 8
		}
		if i >= len(b) {
			return i, esc, errNeedMore
		}
		c := b[i]
		switch {
		case c == '"':
			return i + 1, esc, nil
		case c == '\\':
			esc = true
			if i+1 >= len(b) {
				return i, esc, errNeedMore
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return i, esc, errNeedMore
				}
				for k := i + 2; k < i+6; k++ {
					if hexVal(b[k]) < 0 {
						return i, esc, synErr(k, "bad \\u escape in string")
					}
				}
				i += 6
			default:
				return i, esc, synErr(i+1, "bad escape in string")
			}
		case c < 0x20:
			return i, esc, synErr(i, "control character in string")
		default:
			i++
		}
	}
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func hex4(b []byte) rune {
	return rune(hexVal(b[0])<<12 | hexVal(b[1])<<8 | hexVal(b[2])<<4 | hexVal(b[3]))
}

// appendUnescaped appends the decoded content of a scanned JSON string body
// (without quotes, escapes already validated by scanString) to dst. Invalid
// surrogates become U+FFFD; invalid UTF-8 is left for the caller to repair.
func appendUnescaped(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			j := i + 1
			for j < len(s) && s[j] != '\\' {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		switch s[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if r < 0xdc00 && i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2 := hex4(s[i+2:]); r2 >= 0xdc00 && r2 <= 0xdfff {
						dst = utf8.AppendRune(dst, utf16.DecodeRune(r, r2))
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/'
			dst = append(dst, s[i+1])
		}
		i += 2
	}
	return dst
}

// appendValidUTF8 appends s to dst replacing each invalid UTF-8 sequence with
// U+FFFD.
func appendValidUTF8(dst, s []byte) []byte {
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			s = s[1:]
			continue
		}
		r, n := utf8.DecodeRune(s)
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, s[:n]...)
		}
		s = s[n:]
	}
	return dst
}

// scanner validates JSON values; it keeps a reusable nesting stack.
type scanner struct {
	stack []byte
}

// maxDepth bounds nesting of one value (encoding/json uses 10000).
const maxDepth = 10000

// skipValue validates the JSON value starting at b[i] (no leading
// whitespace) and returns the index just past it.
func (s *scanner) skipValue(b []byte, i int) (int, error) {
	st := s.stack[:0]
	defer func() { s.stack = st[:0] }()
	var err error
value:
	for {
		if i >= len(b) {
			return i, errNeedMore
		}
		switch c := b[i]; c {
		case '"':
			if i, _, err = scanString(b, i); err != nil {
				return i, err
			}
		case '{':
			i = skipWS(b, i+1)
			if i >= len(b) {
				return i, errNeedMore
			}
			if b[i] == '}' {
				i++
				break
			}
			if len(st) >= maxDepth {
				return i, synErr(i, "nesting too deep")
			}
			st = append(st, '{')
			if i, err = s.key(b, i); err != nil {
				return i, err
			}
			continue value
		case '[':
			i = skipWS(b, i+1)
			if i >= len(b) {
				return i, errNeedMore
			}
			if b[i] == ']' {
				i++
				break
			}
			if len(st) >= maxDepth {
				return i, synErr(i, "nesting too deep")
			}
			st = append(st, '[')
			continue value
		case 't':
			if i, err = lit(b, i, "true"); err != nil {
				return i, err
			}
		case 'f':
			if i, err = lit(b, i, "false"); err != nil {
				return i, err
			}
		case 'n':
			if i, err = lit(b, i, "null"); err != nil {
				return i, err
			}
		default:
			if i, err = number(b, i); err != nil {
				return i, err
			}
		}
		// after a value
		for {
			if len(st) == 0 {
				return i, nil
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return i, errNeedMore
			}
			c := b[i]
			top := st[len(st)-1]
			switch {
			case c == ',':
				i = skipWS(b, i+1)
				if top == '{' {
					if i, err = s.key(b, i); err != nil {
						return i, err
					}
				}
				continue value
			case c == '}' && top == '{', c == ']' && top == '[':
				st = st[:len(st)-1]
				i++
			default:
				return i, synErr(i, "expected ',' or end of "+string(top)+" container")
			}
		}
	}
}

// key scans `"name" :` plus following whitespace starting at b[i].
func (s *scanner) key(b []byte, i int) (int, error) {
	if i >= len(b) {
		return i, errNeedMore
	}
	if b[i] != '"' {
		return i, synErr(i, "expected object key")
	}
	i, _, err := scanString(b, i)
	if err != nil {
		return i, err
	}
	i = skipWS(b, i)
	if i >= len(b) {
		return i, errNeedMore
	}
	if b[i] != ':' {
		return i, synErr(i, "expected ':' after object key")
	}
	i = skipWS(b, i+1)
	if i >= len(b) {
		return i, errNeedMore
	}
	return i, nil
}

func lit(b []byte, i int, w string) (int, error) {
	for k := 0; k < len(w); k++ {
		if i+k >= len(b) {
			return i + k, errNeedMore
		}
		if b[i+k] != w[k] {
			return i + k, synErr(i+k, "invalid literal")
		}
	}
	return i + len(w), nil
}

// number scans a JSON number loosely (charset and non-empty); it needs one
// byte after the number to know it ended.
func number(b []byte, i int) (int, error) {
	j := i
	for j < len(b) {
		c := b[j]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			j++
			continue
		}
		break
	}
	if j >= len(b) {
		return j, errNeedMore
	}
	if j == i || !validNumber(b[i:j]) {
		return i, synErr(i, "invalid value")
	}
	return j, nil
}

func validNumber(n []byte) bool {
	i := 0
	if n[i] == '-' {
		i++
	}
	if i >= len(n) {
		return false
	}
	if n[i] == '0' {
		i++
	} else if n[i] >= '1' && n[i] <= '9' {
		for i < len(n) && n[i] >= '0' && n[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(n) && n[i] == '.' {
		i++
		d := i
		for i < len(n) && n[i] >= '0' && n[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(n) && (n[i] == 'e' || n[i] == 'E') {
		i++
		if i < len(n) && (n[i] == '+' || n[i] == '-') {
			i++
		}
		d := i
		for i < len(n) && n[i] >= '0' && n[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	return i == len(n)
}

// depthSkipper finds the end of a value without validating it, across
// buffer refills, for records too large to buffer.
type depthSkipper struct {
	depth   int
	inStr   bool
	esc     bool
	started bool
}

// feed consumes b and returns the index just past the value's end, or -1
// when the value continues beyond b.
func (d *depthSkipper) feed(b []byte) int {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if d.inStr {
			switch {
			case d.esc:
				d.esc = false
			case c == '\\':
				d.esc = true
			case c == '"':
				d.inStr = false
				if d.depth == 0 {
					return i + 1
				}
			}
			continue
		}
		switch c {
		case '"':
			d.inStr = true
			d.started = true
		case '{', '[':
			d.depth++
			d.started = true
		case '}', ']':
			d.depth--
			if d.depth <= 0 {
				return i + 1
			}
		}
	}
	return -1
}
