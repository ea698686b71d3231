package schemas

import "time"

// BaselineHourly is one hour of activity of one entity, the observation unit
// of the detect job's baselines. The rows of a day are computed once from that
// day's event partitions and stored in baselines/hourly/eventDay=YYYYMMDD/, so
// the daily run only adds the new day (incremental); statistics over any
// baseline range are aggregated from these rows (see BaselineStat).
//
// EntityKind is principal, access_key, account, account_region, eni, bucket or
// s3_requester. Hours without activity have no row: statistics describe the
// entity's active hours.
type BaselineHourly struct {
	EntityKind      string    `parquet:"entity_kind,dict"`
	Entity          string    `parquet:"entity,dict"`
	AccountID       string    `parquet:"account_id,optional,dict"`
	Hour            time.Time `parquet:"hour,timestamp(microsecond)"`
	HourOfWeek      int32     `parquet:"hour_of_week"` // 0 = Monday 00h UTC … 167
	APICalls        int64     `parquet:"api_calls"`
	WriteCalls      int64     `parquet:"write_calls"`
	ErrorCalls      int64     `parquet:"error_calls"`
	DistinctAPIs    int64     `parquet:"distinct_apis"`
	DistinctRegions int64     `parquet:"distinct_regions"`
	BytesOut        int64     `parquet:"bytes_out"`    // VPC flow egress bytes to public addresses
	S3GetBytes      int64     `parquet:"s3_get_bytes"` // S3 GET bytes sent
	UsageCalls      int64     `parquet:"usage_calls"`  // RunInstances, CreateVolume, Lambda Invoke
}

// Time partitions the row by its hour.
func (r *BaselineHourly) Time() time.Time { return r.Hour }

// BaselineSeen records that a combination was observed on a day:
// (dim, subject, value), e.g. ("p_ip24", principal ARN, "203.0.113"). The
// first-seen detectors compare the window against the union of the baseline
// days' rows. Stored in baselines/seen/eventDay=YYYYMMDD/.
type BaselineSeen struct {
	Dim       string    `parquet:"dim,dict"`
	Subject   string    `parquet:"subject,dict"`
	Value     string    `parquet:"value,dict"`
	FirstSeen time.Time `parquet:"first_seen,timestamp(microsecond)"`
	LastSeen  time.Time `parquet:"last_seen,timestamp(microsecond)"`
	Events    int64     `parquet:"events"`
}

// Time partitions the row by its first sighting.
func (r *BaselineSeen) Time() time.Time { return r.FirstSeen }

// BaselineStat is the summary of one metric of one entity over a baseline
// range (all active hours when HourOfWeek is -1, else that hour of the week),
// written by each detect run to baselines/stats/eventDay=<window day>/ so an
// analyst (or Athena) sees exactly what a finding was compared with.
type BaselineStat struct {
	EntityKind string    `parquet:"entity_kind,dict"`
	Entity     string    `parquet:"entity,dict"`
	AccountID  string    `parquet:"account_id,optional,dict"`
	Metric     string    `parquet:"metric,dict"`
	HourOfWeek int32     `parquet:"hour_of_week"`
	Samples    int64     `parquet:"samples"`
	Mean       float64   `parquet:"mean"`
	Stddev     float64   `parquet:"stddev"`
	Median     float64   `parquet:"median"`
	MAD        float64   `parquet:"mad"`
	From       time.Time `parquet:"baseline_from,timestamp(microsecond)"`
	To         time.Time `parquet:"baseline_to,timestamp(microsecond)"`
}

// Time partitions the row by the end of its baseline range.
func (r *BaselineStat) Time() time.Time { return r.To }
