package schemas

import "time"

// S3Access is one S3 server access log line as stored in events/s3access/.
// Fields written as "-" by S3 are NULL. Fields appended by S3 after the ones
// this version knows are kept, in order, in ExtraFields.
type S3Access struct {
	EventTime          time.Time `parquet:"event_time,timestamp(microsecond)"`
	BucketOwner        string    `parquet:"bucket_owner,optional,dict"`
	Bucket             string    `parquet:"bucket,optional,dict"`
	RemoteIP           string    `parquet:"remote_ip,optional,dict"`
	Requester          string    `parquet:"requester,optional,dict"`
	RequestID          string    `parquet:"request_id,optional"`
	Operation          string    `parquet:"operation,optional,dict"`
	Key                string    `parquet:"key,optional"`
	RequestURI         string    `parquet:"request_uri,optional"`
	HTTPStatus         *int32    `parquet:"http_status,optional"`
	ErrorCode          string    `parquet:"error_code,optional,dict"`
	BytesSent          *int64    `parquet:"bytes_sent,optional"`
	ObjectSize         *int64    `parquet:"object_size,optional"`
	TotalTimeMs        *int64    `parquet:"total_time_ms,optional"`
	TurnAroundTimeMs   *int64    `parquet:"turn_around_time_ms,optional"`
	Referer            string    `parquet:"referer,optional"`
	UserAgent          string    `parquet:"user_agent,optional,dict"`
	VersionID          string    `parquet:"version_id,optional"`
	HostID             string    `parquet:"host_id,optional"`
	SignatureVersion   string    `parquet:"signature_version,optional,dict"`
	CipherSuite        string    `parquet:"cipher_suite,optional,dict"`
	AuthenticationType string    `parquet:"authentication_type,optional,dict"`
	HostHeader         string    `parquet:"host_header,optional,dict"`
	TLSVersion         string    `parquet:"tls_version,optional,dict"`
	AccessPointARN     string    `parquet:"access_point_arn,optional,dict"`
	ACLRequired        string    `parquet:"acl_required,optional,dict"`
	SourceRegion       string    `parquet:"source_region,optional,dict"`
	ExtraFields        []string  `parquet:"extra_fields,optional,list"`
	Extracted
	RemoteIPClass  string `parquet:"remote_ip_class,optional,dict"`
	UserAgentClass string `parquet:"user_agent_class,optional,dict"`
	SourceObject   string `parquet:"source_object,dict"`
	SourceOffset   int64  `parquet:"source_offset"`
	SourceLine     int64  `parquet:"source_line"` // 1-based line in the decompressed object
}

// Time is the event time used for partitioning and sorting.
func (r *S3Access) Time() time.Time { return r.EventTime }
