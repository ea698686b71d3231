package cloudtrail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/schemas"
)

// errTooLarge is returned by walk when a record exceeds MaxRecordBytes.
var errTooLarge = errors.New("record exceeds MaxRecordBytes")

// maxBuf bounds the read buffer: one maximal record plus framing slack.
const maxBuf = rawlog.MaxRecordBytes + 64<<10

// decoder is the state of one Parse call.
type decoder struct {
	ctx  context.Context
	r    io.Reader
	obj  rawlog.Object
	sink rawlog.Sink[schemas.CloudTrail]
	st   rawlog.Stats

	buf  []byte
	pos  int   // first unconsumed byte
	end  int   // end of valid data
	base int64 // stream offset of buf[0]
	eof  bool
	rerr error // read error other than EOF

	line    int64 // line number of stream offset lineOff (1-based)
	lineOff int64

	w builder
}

// fill discards buf[:pos], grows the buffer when it is full, and reads until
// it is full or the stream ends. It returns how many bytes indices shifted.
func (d *decoder) fill() int {
	shift := d.pos
	if d.pos > 0 {
		d.lineAt(d.pos)
		copy(d.buf, d.buf[d.pos:d.end])
		d.base += int64(d.pos)
		d.end -= d.pos
		d.pos = 0
	}
	if d.eof {
		return shift
	}
	if d.end == len(d.buf) && len(d.buf) < maxBuf {
		nb := make([]byte, min(2*len(d.buf), maxBuf))
		copy(nb, d.buf[:d.end])
		d.buf = nb
	}
	n, err := io.ReadFull(d.r, d.buf[d.end:])
	d.end += n
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		d.eof = true
	case err != nil:
		d.eof = true
		d.rerr = err
	}
	return shift
}

// lineAt returns the 1-based line number of buf[idx] (idx >= the previous
// call's position).
func (d *decoder) lineAt(idx int) int64 {
	from := int(d.lineOff - d.base)
	if from < idx {
		d.line += int64(bytes.Count(d.buf[from:idx], []byte{'\n'}))
		d.lineOff = d.base + int64(idx)
	}
	return d.line
}

// truncated is the error for a stream that ends (or fails) inside framing.
func (d *decoder) truncated(idx int, what string) error {
	if d.rerr != nil {
		return fmt.Errorf("cloudtrail: %s at offset %d: read: %w", what, d.base+int64(idx), d.rerr)
	}
	return fmt.Errorf("cloudtrail: %s at offset %d, rest of stream unparseable: %w", what, d.base+int64(idx), rawlog.ErrMalformed)
}

// ws skips whitespace from pos, reading more when needed; false at the end
// of the stream.
func (d *decoder) ws() bool {
	for {
		d.pos = skipWS(d.buf[:d.end], d.pos)
		if d.pos < d.end {
			return true
		}
		if d.eof {
			return false
		}
		d.fill()
	}
}

// walk walks the record at pos until it is complete in the buffer.
func (d *decoder) walk(top bool) (int, error) {
	for {
		end, err := d.w.record(d.buf[:d.end], d.pos, top)
		if err == nil && end-d.pos > rawlog.MaxRecordBytes {
			return end, errTooLarge
		}
		if err != errNeedMore || d.eof {
			return end, err
		}
		if d.end-d.pos > rawlog.MaxRecordBytes {
			return end, errTooLarge
		}
		d.fill()
	}
}

// skipVal validates the value at pos until it is complete in the buffer.
func (d *decoder) skipVal() (int, error) {
	for {
		end, err := d.w.sc.skipValue(d.buf[:d.end], d.pos)
		if err == nil && end-d.pos > rawlog.MaxRecordBytes {
			return end, errTooLarge
		}
		if err != errNeedMore || d.eof {
			return end, err
		}
		if d.end-d.pos > rawlog.MaxRecordBytes {
			return end, errTooLarge
		}
		d.fill()
	}
}

func (d *decoder) checkCtx() error {
	if d.st.Records&63 == 0 {
		return d.ctx.Err()
	}
	return nil
}

func (d *decoder) emitRow(start int) error {
	var row schemas.CloudTrail
	d.w.fill(&row)
	row.SourceObject = d.obj.Key
	row.SourceOffset = d.base + int64(start)
	d.st.Records++
	if d.sink.Row == nil {
		return nil
	}
	return d.sink.Row(row)
}

func (d *decoder) emitBad(start, end int, line int64, raw []byte, err error) error {
	if raw == nil {
		raw = bytes.Clone(bytes.TrimRight(d.buf[start:end], " \t\r\n,"))
	}
	d.st.Records++
	if d.sink.Bad == nil {
		return nil
	}
	return d.sink.Bad(rawlog.Bad{Offset: d.base + int64(start), Line: line, Raw: raw, Err: err})
}

// finish handles a record walked without syntax error in buf[start:end]:
// it is a row, a bad record, or the sign that the whole object is not an
// event file (skip, reported through d.st.Skipped).
func (d *decoder) finish(start, end int, line int64) error {
	w := &d.w
	reason := ""
	switch w.kind {
	case kDigest:
		reason = "CloudTrail digest file"
	case kNotification:
		reason = "SNS/SQS notification that only points at log files"
	case kS3Notification:
		reason = "S3 event notification, not CloudTrail events"
	case kEnvelopeNoDetail:
		return d.emitBad(start, end, line, nil, fmt.Errorf("cloudtrail: %w: EventBridge envelope without a detail object", rawlog.ErrMalformed))
	default:
		if string(w.str(sEventType)) == "AwsCloudTrailInsight" {
			reason = "CloudTrail Insights file"
		}
	}
	if reason != "" {
		if d.st.Records == 0 {
			d.st.Skipped, d.st.SkipReason = true, reason
			return nil
		}
		return d.emitBad(start, end, line, nil, fmt.Errorf("cloudtrail: %w: %w (%s) inside an event file", rawlog.ErrMalformed, ErrNotEvent, reason))
	}
	switch w.timeState {
	case 0:
		return d.emitBad(start, end, line, nil, fmt.Errorf("cloudtrail: %w: eventTime missing or null", rawlog.ErrMalformed))
	case 2:
		return d.emitBad(start, end, line, nil, fmt.Errorf("cloudtrail: %w: eventTime is not an RFC 3339 time", rawlog.ErrMalformed))
	}
	return d.emitRow(start)
}

// tooLarge quarantines the oversized value at pos (first RawLimit bytes)
// and skips to its end without buffering it.
func (d *decoder) tooLarge(line int64) error {
	start := d.base + int64(d.pos)
	raw := bytes.Clone(d.buf[d.pos : d.pos+min(schemas.RawLimit, d.end-d.pos)])
	var ds depthSkipper
	for {
		if n := ds.feed(d.buf[d.pos:d.end]); n >= 0 {
			d.pos += n
			break
		}
		d.pos = d.end
		if d.eof {
			return d.truncated(d.pos, "oversized record truncated")
		}
		d.fill()
	}
	d.st.Records++
	if d.sink.Bad == nil {
		return nil
	}
	return d.sink.Bad(rawlog.Bad{Offset: start, Line: line, Raw: raw,
		Err: fmt.Errorf("cloudtrail: %w: more than %d bytes", rawlog.ErrTooLarge, rawlog.MaxRecordBytes)})
}

// run dispatches on each top-level value of the stream.
func (d *decoder) run() error {
	if !d.ws() {
		return d.rerrOr(nil)
	}
	if bytes.HasPrefix(d.buf[d.pos:d.end], []byte("\xef\xbb\xbf")) {
		d.pos += 3
	}
	for d.ws() {
		if err := d.checkCtx(); err != nil {
			return err
		}
		var err error
		switch d.buf[d.pos] {
		case '[':
			err = d.array()
		case '{':
			err = d.topObject()
		default:
			err = d.seqResync(d.pos, d.lineAt(d.pos), "value is not a JSON object or array")
		}
		if err != nil || d.st.Skipped {
			return err
		}
	}
	return d.rerrOr(nil)
}

func (d *decoder) rerrOr(err error) error {
	if d.rerr != nil {
		return fmt.Errorf("cloudtrail: read at offset %d: %w", d.base+int64(d.end), d.rerr)
	}
	return err
}

// topObject handles one top-level object: an event (JSON lines, single
// event, EventBridge envelope), a delivery file wrapper, or a non-event
// object (digest, notification).
func (d *decoder) topObject() error {
	line := d.lineAt(d.pos)
	end, err := d.walk(true)
	start := d.pos
	switch {
	case err == nil && d.w.kind == kWrapper:
		d.pos = d.w.wrapperAt
		if err := d.array(); err != nil || d.st.Skipped {
			return err
		}
		return d.wrapperRest()
	case err == nil:
		d.pos = end
		return d.finish(start, end, line)
	case err == errTooLarge:
		return d.tooLarge(line)
	}
	msg := "broken JSON"
	if se, ok := err.(*syntaxError); ok {
		msg = fmt.Sprintf("%s at offset %d", se.msg, d.base+int64(se.pos))
	} else if err == errNeedMore {
		msg = "JSON cut off by end of stream"
	}
	return d.seqResync(start, line, msg)
}

// seqResync quarantines the broken top-level value at start and resumes at
// the next line that starts with '{' (JSON lines framing).
func (d *decoder) seqResync(start int, line int64, msg string) error {
	d.pos = start
	from := start + 1
	for {
		if k := bytes.Index(d.buf[from:d.end], []byte("\n{")); k >= 0 {
			cut := from + k + 1
			d.pos = cut
			return d.emitBad(start, cut, line, nil, fmt.Errorf("cloudtrail: %w: %s", rawlog.ErrMalformed, msg))
		}
		if d.eof {
			if d.rerr != nil {
				return d.truncated(start, "read failed in broken record")
			}
			d.pos = d.end
			return d.emitBad(start, d.end, line, nil, fmt.Errorf("cloudtrail: %w: %s", rawlog.ErrMalformed, msg))
		}
		if d.end-start > rawlog.MaxRecordBytes {
			return d.truncated(start, "no line break after broken record")
		}
		from = max(from, d.end-1)
		shift := d.fill()
		start -= shift
		from -= shift
	}
}

// array streams the elements of the array at pos ('[').
func (d *decoder) array() error {
	d.pos++
	needComma := false
	for {
		if !d.ws() {
			return d.truncated(d.pos, "array not closed")
		}
		c := d.buf[d.pos]
		if c == ']' {
			d.pos++
			return nil
		}
		if needComma {
			if c != ',' {
				return d.truncated(d.pos, "expected ',' or ']' between array elements")
			}
			d.pos++
			if !d.ws() {
				return d.truncated(d.pos, "array not closed")
			}
			if d.buf[d.pos] == ']' { // tolerate a trailing comma
				d.pos++
				return nil
			}
		}
		needComma = true
		if err := d.checkCtx(); err != nil {
			return err
		}
		var start, end int
		var err error
		if d.buf[d.pos] == '{' {
			end, err = d.walk(false)
			start = d.pos // walk may have moved the buffer
			if err == nil {
				d.pos = end
				if err := d.finish(start, end, 0); err != nil || d.st.Skipped {
					return err
				}
				continue
			}
		} else {
			end, err = d.skipVal()
			start = d.pos
			if err == nil {
				d.pos = end
				if err := d.emitBad(start, end, 0, nil, fmt.Errorf("cloudtrail: %w: array element is not a JSON object", rawlog.ErrMalformed)); err != nil {
					return err
				}
				continue
			}
		}
		switch se, ok := err.(*syntaxError); {
		case err == errTooLarge:
			if err := d.tooLarge(0); err != nil {
				return err
			}
		case ok:
			found, err := d.arrayResync(se)
			if err != nil {
				return err
			}
			if found {
				needComma = false
			}
		default: // errNeedMore at end of stream
			return d.truncated(start, "record cut off by end of stream")
		}
	}
}

// maxResyncTries bounds the candidates tried after a broken array element.
const maxResyncTries = 64

// arrayResync looks, after a syntax error inside the element at pos, for
// the next '{' preceded by ',' that starts a well-formed value followed by
// ',' or ']'; the bytes before it are quarantined as one record. It returns
// an error when no such element is found (rest of stream unparseable).
func (d *decoder) arrayResync(se *syntaxError) (bool, error) {
	start := d.pos
	from := se.pos
	tries := 0
	for {
		b := d.buf[:d.end]
		k := bytes.IndexByte(b[from:], '{')
		if k < 0 {
			if d.eof || d.end-start > rawlog.MaxRecordBytes {
				return false, d.truncated(start, fmt.Sprintf("%s; no following record found", se.msg))
			}
			from = d.end
			shift := d.fill()
			start, from = start-shift, from-shift
			continue
		}
		c := from + k
		p := c - 1
		for p > start && isWS(b[p]) {
			p--
		}
		if p <= start || b[p] != ',' {
			from = c + 1
			continue
		}
		tries++
		if tries > maxResyncTries {
			return false, d.truncated(start, fmt.Sprintf("%s; no following record found", se.msg))
		}
		e, err := d.w.sc.skipValue(b, c)
		if err == nil {
			e = skipWS(b, e)
			if e >= len(b) {
				err = errNeedMore
			} else if b[e] == ',' || b[e] == ']' {
				d.pos = c
				return true, d.emitBad(start, p, 0, nil, fmt.Errorf("cloudtrail: %w: %s at offset %d", rawlog.ErrMalformed, se.msg, d.base+int64(se.pos)))
			}
		}
		if err == errNeedMore && !d.eof && d.end-start <= rawlog.MaxRecordBytes {
			tries--
			d.pos = start
			shift := d.fill()
			start, from = start-shift, c-shift
			continue
		}
		from = c + 1
	}
}

// wrapperRest consumes the members after "Records" up to the closing '}'
// of a delivery file.
func (d *decoder) wrapperRest() error {
	for {
		if !d.ws() {
			return d.truncated(d.pos, "delivery file object not closed")
		}
		switch d.buf[d.pos] {
		case '}':
			d.pos++
			return nil
		case ',':
			d.pos++
		default:
			return d.truncated(d.pos, "expected ',' or '}' after Records")
		}
		if !d.ws() {
			return d.truncated(d.pos, "delivery file object not closed")
		}
		for {
			i, err := d.w.sc.key(d.buf[:d.end], d.pos)
			if err == errNeedMore && !d.eof && d.end-d.pos < rawlog.MaxRecordBytes {
				d.fill()
				continue
			}
			if err != nil {
				return d.truncated(d.pos, "broken member after Records")
			}
			d.pos = i
			break
		}
		end, err := d.skipVal()
		if err != nil {
			return d.truncated(d.pos, "broken member after Records")
		}
		d.pos = end
	}
}
