-- baseline_seen: combinations seen per day (principal x IP prefix, region, user agent class, API; access keys; destinations) for first-seen detection.
-- Generated from schemas/ by `go test ./schemas -update`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `seclake`.`baseline_seen` (
  `dim` string,
  `subject` string,
  `value` string,
  `first_seen` timestamp,
  `last_seen` timestamp,
  `events` bigint
)
PARTITIONED BY (
  `eventday` string
)
STORED AS PARQUET
LOCATION '${lake_location}/baselines/seen/'
TBLPROPERTIES (
  'parquet.compression' = 'ZSTD',
  'projection.enabled' = 'true',
  'projection.eventday.type' = 'date',
  'projection.eventday.format' = 'yyyyMMdd',
  'projection.eventday.range' = '${first_day},NOW',
  'projection.eventday.interval' = '1',
  'projection.eventday.interval.unit' = 'DAYS',
  'storage.location.template' = '${lake_location}/baselines/seen/eventDay=${eventday}/'
);
