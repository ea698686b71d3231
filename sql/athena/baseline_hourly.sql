-- baseline_hourly: per entity and hour: API, write, error calls, distinct APIs and regions, VPC bytes out, S3 GET bytes (detect baselines).
-- Generated from schemas/ by `go test ./schemas -update`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `seclake`.`baseline_hourly` (
  `entity_kind` string,
  `entity` string,
  `account_id` string,
  `hour` timestamp,
  `hour_of_week` int,
  `api_calls` bigint,
  `write_calls` bigint,
  `error_calls` bigint,
  `distinct_apis` bigint,
  `distinct_regions` bigint,
  `bytes_out` bigint,
  `s3_get_bytes` bigint,
  `usage_calls` bigint
)
PARTITIONED BY (
  `eventday` string
)
STORED AS PARQUET
LOCATION '${lake_location}/baselines/hourly/'
TBLPROPERTIES (
  'parquet.compression' = 'ZSTD',
  'projection.enabled' = 'true',
  'projection.eventday.type' = 'date',
  'projection.eventday.format' = 'yyyyMMdd',
  'projection.eventday.range' = '${first_day},NOW',
  'projection.eventday.interval' = '1',
  'projection.eventday.interval.unit' = 'DAYS',
  'storage.location.template' = '${lake_location}/baselines/hourly/eventDay=${eventday}/'
);
