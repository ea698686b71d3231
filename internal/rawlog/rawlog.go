// Package rawlog holds what the per-source parsers (cloudtrail, vpcflow,
// s3access) share: the description of a raw object, the quarantine callback
// and per-object statistics.
//
// Contract of every parser's Parse(ctx, r, obj, sink):
//   - r is the decompressed stream of one object; it is read once, in order, and
//     never held in memory whole (memory is bounded by the largest record,
//     itself bounded by MaxRecordBytes).
//   - every record read ends either in sink.Row (converted) or sink.Bad
//     (quarantined): Stats.Records counts both.
//   - a record that cannot be converted is reported to sink.Bad and parsing
//     continues with the next record whenever the format allows it.
//   - Parse returns a non-nil error only when the rest of the stream cannot be
//     read or re-synchronised (I/O error, truncated compression, broken framing);
//     the caller then quarantines the remainder as one record. It never panics
//     on any input.
//   - an object recognised as not holding events (CloudTrail digest or Insights
//     files) returns Stats{Skipped: true, SkipReason: …} and emits nothing.
package rawlog

import (
	"errors"
	"time"
)

// Source names a log source; it is also the table and lake folder name.
type Source string

const (
	CloudTrail Source = "cloudtrail"
	VPCFlow    Source = "vpcflow"
	S3Access   Source = "s3access"
)

// Sources lists the event sources in a fixed order.
var Sources = []Source{CloudTrail, VPCFlow, S3Access}

// MaxRecordBytes bounds one record (a JSON event or a log line). Larger records
// are quarantined (truncated to schemas.RawLimit) instead of being buffered.
const MaxRecordBytes = 8 << 20

// Object describes the raw object being parsed.
type Object struct {
	Key     string    // key or path of the object, as listed
	ETag    string    // ETag (S3) or a size/mtime fingerprint (local)
	Size    int64     // stored (possibly compressed) size
	Time    time.Time // delivery time: from the key when AWS put one there, else last-modified
	Account string    // account id from the delivery layout, "" when unknown
	Region  string    // region from the delivery layout, "" when unknown
}

// Bad is one record that could not be converted.
type Bad struct {
	Offset int64  // byte offset of the record in the decompressed stream
	Line   int64  // 1-based line number for line-oriented formats, 0 otherwise
	Raw    []byte // the record's bytes (the caller truncates to schemas.RawLimit)
	Size   int64  // the record's full size when Raw holds only its start; 0 = len(Raw)
	Err    error  // why; wraps ErrMalformed or a more specific sentinel
}

// Sink receives a parser's output. Row gets a value the parser no longer uses.
// Either callback returning an error stops parsing with that error.
type Sink[T any] struct {
	Row func(T) error
	Bad func(Bad) error
}

// Stats summarises one parsed object.
type Stats struct {
	Records    int64  // records read: converted + quarantined
	Skipped    bool   // the object holds no events (digest, Insights)
	SkipReason string // why it was skipped
}

var (
	// ErrMalformed marks a record that does not follow its format.
	ErrMalformed = errors.New("malformed record")
	// ErrTooLarge marks a record larger than MaxRecordBytes.
	ErrTooLarge = errors.New("record too large")
	// ErrUnknownFormat marks input whose format cannot be recognised.
	ErrUnknownFormat = errors.New("unknown format")
)
