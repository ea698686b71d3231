-- quarantine: records that could not be converted, with the raw bytes and the error.
-- Generated from schemas/ by `go test ./schemas -update`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `seclake`.`quarantine` (
  `event_time` timestamp,
  `log_source` string,
  `source_object` string,
  `source_etag` string,
  `source_offset` bigint,
  `source_line` bigint,
  `stage` string,
  `error` string,
  `raw` binary,
  `raw_size` bigint,
  `raw_truncated` boolean
)
PARTITIONED BY (
  `source` string,
  `eventday` string
)
STORED AS PARQUET
LOCATION '${lake_location}/quarantine/'
TBLPROPERTIES (
  'parquet.compression' = 'ZSTD',
  'projection.enabled' = 'true',
  'projection.source.type' = 'enum',
  'projection.source.values' = 'cloudtrail,vpcflow,s3access,unknown',
  'projection.eventday.type' = 'date',
  'projection.eventday.format' = 'yyyyMMdd',
  'projection.eventday.range' = '${first_day},NOW',
  'projection.eventday.interval' = '1',
  'projection.eventday.interval.unit' = 'DAYS',
  'storage.location.template' = '${lake_location}/quarantine/${source}/eventDay=${eventday}/'
);
