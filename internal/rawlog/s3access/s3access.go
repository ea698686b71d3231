// Package s3access parses Amazon S3 server access log lines into
// schemas.S3Access rows.
//
// Fields, in AWS's documented order: bucket owner, bucket, [time], remote IP,
// requester, request ID, operation, key, "request-URI", HTTP status, error
// code, bytes sent, object size, total time, turn-around time, "referer",
// "user-agent", version ID, host ID, signature version, cipher suite,
// authentication type, host header, TLS version, access point ARN, ACL
// required, source region. Lines must hold at least the fields up to the user
// agent (older logs stop there or at the version ID); fields S3 appends after
// source region are kept in order, as logged ("-" included), in ExtraFields.
//
// Values are kept as logged: "-" is NULL, the key is NOT URL-decoded, quoted
// fields lose only their outer quotes. The time ("[06/Feb/2019:00:00:38
// +0000]", any numeric zone) is converted to UTC. A number field holding
// anything but digits or "-" quarantines the line.
//
// Quoted fields: S3 does not escape '"' inside the request URI, referer or user
// agent, so the closing quote of a quoted field is not the first '"'. The
// parser tries each '"' followed by a space (or the end of line) as the
// closing quote and keeps the first one that leaves a remainder fitting the
// format: after the request URI come the status, error code and four numeric
// fields then the quoted referer; after the referer the user agent; after the
// user agent only unquoted fields. Runs of spaces between fields count as one
// separator (seen in real logs).
package s3access

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/internal/rawlog/internal/lineio"
	"github.com/seclake/seclake/schemas"
)

// Parser converts S3 server access log objects. The zero value is ready to use.
type Parser struct{}

// maxAttempts bounds the closing-quote combinations tried on one line, so that
// a line full of `" ` cannot make parsing quadratic.
const maxAttempts = 64

type state struct {
	lineNum int64 // 1-based number of the line being converted
	obj     rawlog.Object
	i32     lineio.Slab[int32]
	i64     lineio.Slab[int64]
	rest    []string
}

// Parse reads one decompressed S3 server access log object from r; see
// package rawlog for the contract.
func (p *Parser) Parse(ctx context.Context, r io.Reader, obj rawlog.Object, sink rawlog.Sink[schemas.S3Access]) (rawlog.Stats, error) {
	var st rawlog.Stats
	if err := ctx.Err(); err != nil {
		return st, err
	}
	if sink.Row == nil || sink.Bad == nil {
		return st, errors.New("s3access: sink.Row and sink.Bad must be set")
	}
	obj.Key = strings.ToValidUTF8(obj.Key, "\uFFFD")
	s := &state{obj: obj}
	lr := lineio.NewReader(r, rawlog.MaxRecordBytes)
	for n := 0; ; n++ {
		if n&255 == 0 {
			if err := ctx.Err(); err != nil {
				return st, err
			}
		}
		l, err := lr.Next()
		if err == io.EOF {
			return st, nil
		}
		if err != nil {
			return st, fmt.Errorf("s3access: reading %s: %w", obj.Key, err)
		}
		if l.TooLarge {
			st.Records++
			if err := sink.Bad(lineio.TooLargeBad(l, rawlog.MaxRecordBytes)); err != nil {
				return st, err
			}
			continue
		}
		if lineio.IsBlank(l.Bytes) {
			continue
		}
		st.Records++
		s.lineNum = l.Num
		row, perr := s.parseLine(lineio.String(l.Bytes), l.Offset)
		if perr != nil {
			if err := sink.Bad(rawlog.Bad{Offset: l.Offset, Line: l.Num, Raw: lineio.RawCopy(l.Bytes), Err: perr}); err != nil {
				return st, err
			}
			continue
		}
		if err := sink.Row(row); err != nil {
			return st, err
		}
	}
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{rawlog.ErrMalformed}, args...)...)
}

// cursor walks a line.
type cursor struct {
	s string
	i int
}

func (c *cursor) skipSpaces() {
	for c.i < len(c.s) && c.s[c.i] == ' ' {
		c.i++
	}
}

// token returns the next space-delimited token, "" at the end of the line.
func (c *cursor) token() string {
	c.skipSpaces()
	j := c.i
	for j < len(c.s) && c.s[j] != ' ' {
		j++
	}
	t := c.s[c.i:j]
	c.i = j
	return t
}

func (c *cursor) done() bool {
	c.skipSpaces()
	return c.i >= len(c.s)
}

// nextCloser returns the next candidate closing quote at or after from: a '"'
// followed by a space or the line end; -1 when there is none.
func nextCloser(s string, from int) int {
	for {
		k := strings.IndexByte(s[from:], '"')
		if k < 0 {
			return -1
		}
		k += from
		if k+1 == len(s) || s[k+1] == ' ' {
			return k
		}
		from = k + 1
	}
}

// middle holds the fields between the request URI and the user agent.
type middle struct {
	status, errCode, bytesSent, objSize, totalTime, turnAround string
	referer                                                    string
	uaStart                                                    int
}

func (s *state) parseLine(line string, off int64) (schemas.S3Access, error) {
	var r schemas.S3Access
	c := cursor{s: strings.TrimRight(line, " \t")}
	r.BucketOwner = nullable(c.token())
	r.Bucket = nullable(c.token())
	c.skipSpaces()
	if c.i >= len(c.s) || c.s[c.i] != '[' {
		return r, malformed("field 3 is not a [dd/Mon/yyyy:hh:mm:ss +zzzz] time")
	}
	end := strings.IndexByte(c.s[c.i:], ']')
	if end < 0 {
		return r, malformed("time field has no closing ']'")
	}
	t, ok := parseTime(c.s[c.i+1 : c.i+end])
	if !ok {
		return r, malformed("bad time %q", c.s[c.i:c.i+end+1])
	}
	r.EventTime = t
	c.i += end + 1
	r.RemoteIP = nullable(c.token())
	r.Requester = nullable(c.token())
	r.RequestID = nullable(c.token())
	r.Operation = nullable(c.token())
	r.Key = nullable(c.token())
	if c.done() {
		return r, malformed("line ends after the key field")
	}

	// Request-URI, then the middle fields, then the user agent, trying the
	// closing-quote candidates in order.
	attempts := 0
	var uri string
	var mid middle
	if c.s[c.i] != '"' {
		uri = c.token()
		m, err := s.middle(c.s, c.i, &attempts)
		if err != nil {
			return r, err
		}
		mid = m
	} else {
		open, found := c.i, false
		var firstErr error
		for k := nextCloser(c.s, open+1); k >= 0 && !found; k = nextCloser(c.s, k+1) {
			if attempts++; attempts > maxAttempts {
				break
			}
			m, err := s.middle(c.s, k+1, &attempts)
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			uri, mid, found = c.s[open+1:k], m, true
		}
		if !found {
			if firstErr == nil {
				firstErr = malformed("request-URI: no closing quote leaves a valid line")
			}
			return r, firstErr
		}
	}
	r.RequestURI = nullable(uri)
	var err error
	if r.HTTPStatus, err = s.int32Field("http status", mid.status); err != nil {
		return r, err
	}
	r.ErrorCode = nullable(mid.errCode)
	if r.BytesSent, err = s.int64Field("bytes sent", mid.bytesSent); err != nil {
		return r, err
	}
	if r.ObjectSize, err = s.int64Field("object size", mid.objSize); err != nil {
		return r, err
	}
	if r.TotalTimeMs, err = s.int64Field("total time", mid.totalTime); err != nil {
		return r, err
	}
	if r.TurnAroundTimeMs, err = s.int64Field("turn-around time", mid.turnAround); err != nil {
		return r, err
	}
	r.Referer = nullable(mid.referer)
	ua, restAt, err := userAgent(c.s, mid.uaStart)
	if err != nil {
		return r, err
	}
	r.UserAgent = nullable(ua)

	c.i = restAt
	s.rest = s.rest[:0]
	for !c.done() {
		s.rest = append(s.rest, c.token())
	}
	cols := [...]*string{&r.VersionID, &r.HostID, &r.SignatureVersion, &r.CipherSuite, &r.AuthenticationType,
		&r.HostHeader, &r.TLSVersion, &r.AccessPointARN, &r.ACLRequired, &r.SourceRegion}
	for i, v := range s.rest {
		if i < len(cols) {
			*cols[i] = nullable(v)
			continue
		}
		r.ExtraFields = append(r.ExtraFields, v)
	}
	r.SourceObject = s.obj.Key
	r.SourceOffset = off
	r.SourceLine = s.lineNum
	return r, nil
}

// middle parses, from i, the status, error code, bytes sent, object size,
// total and turn-around times and the referer, and checks that a user agent
// follows. It validates the numbers so that a wrong closing quote of the
// request URI is rejected.
func (s *state) middle(line string, i int, attempts *int) (middle, error) {
	c := cursor{s: line, i: i}
	var m middle
	if c.i < len(c.s) && c.s[c.i] != ' ' {
		return m, malformed("request-URI: closing quote not followed by a space")
	}
	fields := [...]*string{&m.status, &m.errCode, &m.bytesSent, &m.objSize, &m.totalTime, &m.turnAround}
	names := [...]string{"http status", "error code", "bytes sent", "object size", "total time", "turn-around time"}
	for k, f := range fields {
		*f = c.token()
		if *f == "" {
			return m, malformed("line ends before the %s field", names[k])
		}
		if k != 1 && !isNumberOrDash(*f) {
			return m, malformed("field %s: %q is not a valid number", names[k], *f)
		}
	}
	if c.done() {
		return m, malformed("line ends before the referer field")
	}
	if c.s[c.i] != '"' {
		m.referer = c.token()
		if c.done() {
			return m, malformed("line ends before the user-agent field")
		}
		m.uaStart = c.i
		return m, nil
	}
	open := c.i
	for k := nextCloser(c.s, open+1); k >= 0; k = nextCloser(c.s, k+1) {
		if *attempts++; *attempts > maxAttempts {
			return m, malformed("too many ambiguous quotes")
		}
		// The user agent must follow: a quoted field or a plain token.
		j := k + 1
		for j < len(c.s) && c.s[j] == ' ' {
			j++
		}
		if j == k+1 || j >= len(c.s) {
			continue
		}
		if c.s[j] == '"' && nextCloser(c.s, j+1) < 0 {
			continue
		}
		m.referer = c.s[open+1 : k]
		m.uaStart = j
		return m, nil
	}
	return m, malformed("referer: no closing quote followed by a user agent")
}

// userAgent parses the user agent at i; it returns the value and where the
// remaining (unquoted) fields start. The closing quote is the last '"'
// followed by a space or the line end, since no later field is quoted; when
// the later fields do hold a quote, the first candidate is used.
func userAgent(line string, i int) (string, int, error) {
	if line[i] != '"' {
		c := cursor{s: line, i: i}
		return c.token(), c.i, nil
	}
	first := nextCloser(line, i+1)
	if first < 0 {
		return "", 0, malformed("user-agent: unterminated quoted field")
	}
	last := strings.LastIndexByte(line, '"')
	if last > i && (last+1 == len(line) || line[last+1] == ' ') {
		return line[i+1 : last], last + 1, nil
	}
	return line[i+1 : first], first + 1, nil
}

func isNumberOrDash(v string) bool {
	if v == "-" {
		return true
	}
	_, ok := lineio.ParseUint(v)
	return ok
}

func nullable(v string) string {
	if v == "-" {
		return ""
	}
	return v
}

func (s *state) int32Field(name, v string) (*int32, error) {
	if v == "-" {
		return nil, nil
	}
	n, ok := lineio.ParseUint(v)
	if !ok || n > 1<<31-1 {
		return nil, malformed("field %s: %q is not a valid number", name, v)
	}
	return s.i32.New(int32(n)), nil
}

func (s *state) int64Field(name, v string) (*int64, error) {
	if v == "-" {
		return nil, nil
	}
	n, ok := lineio.ParseUint(v)
	if !ok {
		return nil, malformed("field %s: %q is not a valid number", name, v)
	}
	return s.i64.New(n), nil
}

var months = map[string]time.Month{
	"Jan": time.January, "Feb": time.February, "Mar": time.March, "Apr": time.April,
	"May": time.May, "Jun": time.June, "Jul": time.July, "Aug": time.August,
	"Sep": time.September, "Oct": time.October, "Nov": time.November, "Dec": time.December,
}

// parseTime parses "06/Feb/2019:00:00:38 +0000" and returns it in UTC.
func parseTime(v string) (time.Time, bool) {
	// 0         1         2
	// 012345678901234567890123456
	// 06/Feb/2019:00:00:38 +0000
	if len(v) != 26 || v[2] != '/' || v[6] != '/' || v[11] != ':' || v[14] != ':' || v[17] != ':' || v[20] != ' ' {
		return time.Time{}, false
	}
	num := func(a, b int) int {
		n, ok := lineio.ParseUint(v[a:b])
		if !ok {
			return -1
		}
		return int(n)
	}
	day, year, hh, mm, ss := num(0, 2), num(7, 11), num(12, 14), num(15, 17), num(18, 20)
	zh, zm := num(22, 24), num(24, 26)
	mon, ok := months[v[3:6]]
	if !ok || day < 1 || year < 0 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60 || zh < 0 || zh > 23 || zm < 0 || zm > 59 {
		return time.Time{}, false
	}
	if v[21] != '+' && v[21] != '-' {
		return time.Time{}, false
	}
	t := time.Date(year, mon, day, hh, mm, ss, 0, time.UTC)
	if t.Day() != day { // 31/Feb
		return time.Time{}, false
	}
	zone := time.Duration(zh)*time.Hour + time.Duration(zm)*time.Minute
	if v[21] == '+' {
		zone = -zone
	}
	return t.Add(zone), true
}

// Sniff reports whether head, the first bytes of a decompressed object, looks
// like an S3 server access log: the first non-blank line has a
// [dd/Mon/yyyy:hh:mm:ss ±zzzz] time as its third field.
func Sniff(head []byte) bool {
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		if lineio.IsBlank(line) {
			continue
		}
		c := cursor{s: lineio.String(line)}
		c.token()
		c.token()
		c.skipSpaces()
		if c.i >= len(c.s) || c.s[c.i] != '[' {
			return false
		}
		end := strings.IndexByte(c.s[c.i:], ']')
		if end < 0 {
			return false
		}
		_, ok := parseTime(c.s[c.i+1 : c.i+end])
		return ok
	}
	return false
}
