-- baseline_stats: count, mean, stddev, median and MAD per entity, metric and hour of week over each detect run's baseline range.
-- Generated from schemas/ by `go test ./schemas -update`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `seclake`.`baseline_stats` (
  `entity_kind` string,
  `entity` string,
  `account_id` string,
  `metric` string,
  `hour_of_week` int,
  `samples` bigint,
  `mean` double,
  `stddev` double,
  `median` double,
  `mad` double,
  `baseline_from` timestamp,
  `baseline_to` timestamp
)
PARTITIONED BY (
  `eventday` string
)
STORED AS PARQUET
LOCATION '${lake_location}/baselines/stats/'
TBLPROPERTIES (
  'parquet.compression' = 'ZSTD',
  'projection.enabled' = 'true',
  'projection.eventday.type' = 'date',
  'projection.eventday.format' = 'yyyyMMdd',
  'projection.eventday.range' = '${first_day},NOW',
  'projection.eventday.interval' = '1',
  'projection.eventday.interval.unit' = 'DAYS',
  'storage.location.template' = '${lake_location}/baselines/stats/eventDay=${eventday}/'
);
