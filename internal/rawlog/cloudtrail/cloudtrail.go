// Package cloudtrail converts AWS CloudTrail JSON into schemas.CloudTrail
// rows, following the rawlog parser contract.
//
// # Layouts
//
// The layout is detected from the content, value by value:
//
//   - delivery files {"Records":[…]} ("Records" may be any member; compact or
//     pretty-printed, any size): the array is streamed element by element;
//     other members of the wrapper are ignored. Several wrappers may follow
//     each other in one stream.
//   - JSON lines, or concatenated (pretty-printed) events.
//   - top-level arrays [ {…}, … ].
//   - EventBridge envelopes ({"detail-type":…, "detail":{event}}), alone or as
//     elements of the above: the row is built from "detail".
//
// # Objects that hold no events
//
// An object whose key contains "/CloudTrail-Digest/" or "/CloudTrail-Insight/"
// is skipped without reading. Otherwise the first record decides: a digest
// (digestStartTime, logFiles, … and no eventTime), an SNS/SQS notification
// (TopicArn, MessageId, s3ObjectKey), an S3 event notification (eventSource
// "aws:s3" with an "s3" member) or an Insights event (eventType
// "AwsCloudTrailInsight") makes the whole object Skipped with a reason and no
// rows. The same kinds of record appearing after the first record of an
// event file are quarantined with an error wrapping rawlog.ErrMalformed and
// ErrNotEvent: Insights data is never mixed into the event table.
//
// # Rows
//
// Known top-level members go to their typed columns; unknown ones go, in
// input order and as raw JSON, into Unmapped ({"key":value,…}). Free-form
// sections (requestParameters, …) keep their raw JSON text; null becomes "".
// A string column given a non-string value stores that value's JSON text.
// readOnly, managementEvent and mfaAuthenticated accept JSON booleans and
// the strings "true"/"false"; other values leave the column NULL and (for
// the top-level two) land in Unmapped. A tlsDetails object with members other
// than tlsVersion, cipherSuite and clientProvidedHostHeader is also copied to
// Unmapped. userIdentity is kept raw and flattened. SourceOffset is the
// offset of the record's '{' in the decompressed stream (for EventBridge
// envelopes, of the envelope; its own members other than detail are not
// kept). Bad records from JSON lines carry their 1-based line number; those
// from arrays have Line 0. Every string written is
// valid UTF-8 (invalid bytes become U+FFFD). A record without a valid
// RFC 3339 eventTime is quarantined.
//
// # Broken input
//
// A broken JSON line is quarantined (with its line number) and parsing
// resumes at the next line starting with '{'. A broken element of an array is
// quarantined and parsing resumes at the next '{' that follows a ',' and
// starts a well-formed element followed by ',' or ']'; when there is none,
// Parse returns an error (rest of stream unparseable). Records larger than
// rawlog.MaxRecordBytes are quarantined with rawlog.ErrTooLarge (first
// schemas.RawLimit bytes) and skipped without being buffered. A stream that
// ends inside an array or wrapper returns an error; the partial record is
// left to the caller's quarantine of the remainder.
//
// The scanner is hand-written: it validates JSON while walking it, decodes
// only the strings it stores and builds each row's strings with a single
// allocation.
package cloudtrail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/schemas"
)

// ErrNotEvent marks a non-event record (Insights event, digest,
// notification) found after the first record of an event file.
var ErrNotEvent = errors.New("not a CloudTrail event")

// Parser converts CloudTrail objects. The zero value is ready to use and a
// Parser may be used by several goroutines at once.
type Parser struct {
	// BufferSize is the initial read buffer (default 1 MiB); it grows up to
	// rawlog.MaxRecordBytes plus framing when a record needs it.
	BufferSize int

	bufs sync.Pool // *[]byte read buffers reused across Parse calls
}

// keepBuf is the largest read buffer kept for reuse; grown ones are dropped.
const keepBuf = 4 << 20

// Parse reads one decompressed object from r and sends its rows and bad
// records to sink; see the package documentation.
func (p *Parser) Parse(ctx context.Context, r io.Reader, obj rawlog.Object, sink rawlog.Sink[schemas.CloudTrail]) (rawlog.Stats, error) {
	if err := ctx.Err(); err != nil {
		return rawlog.Stats{}, err
	}
	switch {
	case strings.Contains(obj.Key, "/CloudTrail-Digest/"):
		return rawlog.Stats{Skipped: true, SkipReason: "CloudTrail digest file (by key)"}, nil
	case strings.Contains(obj.Key, "/CloudTrail-Insight/"):
		return rawlog.Stats{Skipped: true, SkipReason: "CloudTrail Insights file (by key)"}, nil
	}
	size := p.BufferSize
	if size <= 0 {
		size = 1 << 20
	}
	size = min(max(size, 64), maxBuf)
	var buf []byte
	if bp, ok := p.bufs.Get().(*[]byte); ok && len(*bp) == size {
		buf = *bp
	} else {
		buf = make([]byte, size)
	}
	d := &decoder{ctx: ctx, r: r, obj: obj, sink: sink, buf: buf, line: 1}
	defer func() {
		if len(d.buf) == size && size <= keepBuf {
			b := d.buf
			p.bufs.Put(&b)
		}
	}()
	d.fill()
	err := d.run()
	if d.st.Skipped {
		return rawlog.Stats{Skipped: true, SkipReason: d.st.SkipReason}, err
	}
	return d.st, err
}

// Sniff reports whether head (the first bytes of a decompressed object, up
// to 64 KiB) looks like CloudTrail JSON: a JSON object or array holding
// CloudTrail event or digest keys.
func Sniff(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	i := skipWS(head, 0)
	if i >= len(head) || (head[i] != '{' && head[i] != '[') {
		return false
	}
	if bytes.Contains(head, []byte(`"digestStartTime"`)) && bytes.Contains(head, []byte(`"digestS3Object"`)) {
		return true
	}
	if !bytes.Contains(head, []byte(`"eventVersion"`)) {
		return false
	}
	return bytes.Contains(head, []byte(`"eventTime"`)) || bytes.Contains(head, []byte(`"eventSource"`)) ||
		bytes.Contains(head, []byte(`"userIdentity"`))
}
