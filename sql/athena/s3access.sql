-- s3access: S3 server access log records.
-- Generated from schemas/ by `go test ./schemas -update`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `seclake`.`s3access` (
  `event_time` timestamp,
  `bucket_owner` string,
  `bucket` string,
  `remote_ip` string,
  `requester` string,
  `request_id` string,
  `operation` string,
  `key` string,
  `request_uri` string,
  `http_status` int,
  `error_code` string,
  `bytes_sent` bigint,
  `object_size` bigint,
  `total_time_ms` bigint,
  `turn_around_time_ms` bigint,
  `referer` string,
  `user_agent` string,
  `version_id` string,
  `host_id` string,
  `signature_version` string,
  `cipher_suite` string,
  `authentication_type` string,
  `host_header` string,
  `tls_version` string,
  `access_point_arn` string,
  `acl_required` string,
  `source_region` string,
  `extra_fields` array<string>,
  `source_object` string,
  `source_offset` bigint
)
PARTITIONED BY (
  `region` string,
  `accountid` string,
  `eventday` string,
  `eventhour` string
)
STORED AS PARQUET
LOCATION '${lake_location}/events/s3access/'
TBLPROPERTIES (
  'parquet.compression' = 'ZSTD',
  'projection.enabled' = 'true',
  'projection.region.type' = 'enum',
  'projection.region.values' = '${regions}',
  'projection.accountid.type' = 'enum',
  'projection.accountid.values' = '${accounts}',
  'projection.eventday.type' = 'date',
  'projection.eventday.format' = 'yyyyMMdd',
  'projection.eventday.range' = '${first_day},NOW',
  'projection.eventday.interval' = '1',
  'projection.eventday.interval.unit' = 'DAYS',
  'projection.eventhour.type' = 'integer',
  'projection.eventhour.range' = '0,23',
  'projection.eventhour.digits' = '2',
  'storage.location.template' = '${lake_location}/events/s3access/region=${region}/accountId=${accountid}/eventDay=${eventday}/eventHour=${eventhour}/'
);
