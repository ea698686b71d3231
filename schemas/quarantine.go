package schemas

import "time"

// RawLimit is the most bytes of a bad record kept in Quarantine.Raw; the rest
// is cut and RawTruncated is set, RawSize keeps the full length.
const RawLimit = 64 << 10

// Quarantine is one record or file part that could not be converted, stored
// in quarantine/<source>/ so nothing read is ever silently dropped.
type Quarantine struct {
	EventTime    time.Time `parquet:"event_time,timestamp(microsecond)"`
	Source       string    `parquet:"log_source,dict"`
	SourceObject string    `parquet:"source_object,dict"`
	SourceETag   string    `parquet:"source_etag,optional,dict"`
	SourceOffset int64     `parquet:"source_offset"`
	SourceLine   int64     `parquet:"source_line"`
	Stage        string    `parquet:"stage,dict"`
	Error        string    `parquet:"error"`
	Raw          []byte    `parquet:"raw,optional"`
	RawSize      int64     `parquet:"raw_size"`
	RawTruncated bool      `parquet:"raw_truncated"`
}

// Time is the time used for partitioning: the delivery time of the source object.
func (r *Quarantine) Time() time.Time { return r.EventTime }
