-- findings: detection findings (OCSF Detection Finding 2004 shape), one row per finding_id and day.
-- Generated from schemas/ by `go test ./schemas -update`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `seclake`.`findings` (
  `finding_id` string,
  `detector` string,
  `title` string,
  `attack_tactic` string,
  `attack_technique` string,
  `severity` int,
  `severity_label` string,
  `score` double,
  `metric` string,
  `observed` double,
  `expected` double,
  `baseline_mean` double,
  `baseline_stddev` double,
  `baseline_median` double,
  `baseline_mad` double,
  `baseline_samples` bigint,
  `account_id` string,
  `account_type` string,
  `region` string,
  `principal_arn` string,
  `principal_type` string,
  `access_key_id` string,
  `source_ips` array<string>,
  `entities` array<struct<kind:string,value:string>>,
  `window_start` timestamp,
  `window_end` timestamp,
  `first_seen` timestamp,
  `last_seen` timestamp,
  `count` bigint,
  `evidence_event_ids` array<string>,
  `explanation` string,
  `recommendation` string,
  `status` string,
  `feedback_note` string
)
PARTITIONED BY (
  `eventday` string
)
STORED AS PARQUET
LOCATION '${lake_location}/findings/'
TBLPROPERTIES (
  'parquet.compression' = 'ZSTD',
  'projection.enabled' = 'true',
  'projection.eventday.type' = 'date',
  'projection.eventday.format' = 'yyyyMMdd',
  'projection.eventday.range' = '${first_day},NOW',
  'projection.eventday.interval' = '1',
  'projection.eventday.interval.unit' = 'DAYS',
  'storage.location.template' = '${lake_location}/findings/eventDay=${eventday}/'
);
