-- The reference for TestProfilesFromHourGroups: sql/duckdb/profile_hourly.sql as it was written before it
-- read CloudTrail grouped by hour ({{P}}ct_hours), event by event from {{P}}ct.
-- One day's hourly observations per entity (→ baselines/hourly/eventDay=D/).
-- Inputs: {{P}}ct (normalised CloudTrail of the day), {{P}}vpc, {{P}}s3. error_calls counts authorisation
-- failures (AccessDenied, UnauthorizedOperation, …), not throttling or validation errors.
WITH ct AS (
  SELECT date_trunc('hour', event_time) AS hour, * FROM {{P}}ct
),
ct_obs AS (
  SELECT 'principal' AS entity_kind, principal AS entity, account_id, hour,
    count(*) AS api_calls, count(*) FILTER (is_write) AS write_calls, count(*) FILTER (is_denied) AS error_calls,
    count(DISTINCT event_name) AS distinct_apis, count(DISTINCT aws_region) AS distinct_regions,
    0::BIGINT AS bytes_out, 0::BIGINT AS s3_get_bytes,
    count(*) FILTER (event_name IN ('RunInstances', 'CreateVolume', 'Invoke')) AS usage_calls
  FROM ct WHERE principal IS NOT NULL GROUP BY ALL
  UNION ALL
  SELECT 'access_key', access_key, account_id, hour,
    count(*), count(*) FILTER (is_write), count(*) FILTER (is_denied),
    count(DISTINCT event_name), count(DISTINCT aws_region), 0, 0,
    count(*) FILTER (event_name IN ('RunInstances', 'CreateVolume', 'Invoke'))
  FROM ct WHERE access_key IS NOT NULL GROUP BY ALL
  UNION ALL
  SELECT 'account', account_id, account_id, hour,
    count(*), count(*) FILTER (is_write), count(*) FILTER (is_denied),
    count(DISTINCT event_name), count(DISTINCT aws_region), 0, 0,
    count(*) FILTER (event_name IN ('RunInstances', 'CreateVolume', 'Invoke'))
  FROM ct WHERE account_id IS NOT NULL GROUP BY ALL
  UNION ALL
  SELECT 'account_region', account_id || '/' || aws_region, account_id, hour,
    count(*), count(*) FILTER (is_write), count(*) FILTER (is_denied),
    count(DISTINCT event_name), 1, 0, 0,
    count(*) FILTER (event_name IN ('RunInstances', 'CreateVolume', 'Invoke'))
  FROM ct WHERE account_id IS NOT NULL AND aws_region IS NOT NULL GROUP BY ALL
),
vpc_obs AS (
  SELECT 'eni' AS entity_kind, interface_id AS entity, account_id, date_trunc('hour', event_time) AS hour,
    count(*) AS api_calls, 0::BIGINT, count(*) FILTER (action = 'REJECT'), 0::BIGINT, 0::BIGINT,
    coalesce(sum(bytes) FILTER ((flow_direction = 'egress' OR (flow_direction IS NULL AND is_private_ip(srcaddr))) AND is_public_ip(dstaddr)), 0)::BIGINT,
    0::BIGINT, 0::BIGINT
  FROM {{P}}vpc WHERE interface_id IS NOT NULL GROUP BY ALL
),
s3_obs AS (
  SELECT 'bucket' AS entity_kind, bucket AS entity, "accountId" AS account_id, date_trunc('hour', event_time) AS hour,
    count(*), count(*) FILTER (operation LIKE 'REST.PUT.%' OR operation LIKE 'REST.DELETE.%' OR operation LIKE 'REST.POST.%'),
    count(*) FILTER (http_status >= 400), count(DISTINCT operation), 0::BIGINT, 0::BIGINT,
    coalesce(sum(bytes_sent) FILTER (operation = 'REST.GET.OBJECT'), 0)::BIGINT, 0::BIGINT
  FROM {{P}}s3 WHERE bucket IS NOT NULL GROUP BY ALL
  UNION ALL
  SELECT 's3_requester', requester, "accountId", date_trunc('hour', event_time),
    count(*), count(*) FILTER (operation LIKE 'REST.PUT.%' OR operation LIKE 'REST.DELETE.%' OR operation LIKE 'REST.POST.%'),
    count(*) FILTER (http_status >= 400), count(DISTINCT operation), 0::BIGINT, 0::BIGINT,
    coalesce(sum(bytes_sent) FILTER (operation = 'REST.GET.OBJECT'), 0)::BIGINT, 0::BIGINT
  FROM {{P}}s3 WHERE requester IS NOT NULL GROUP BY ALL
)
SELECT entity_kind, entity, account_id, hour, hour_of_week(hour) AS hour_of_week,
  api_calls::BIGINT AS api_calls, write_calls::BIGINT AS write_calls, error_calls::BIGINT AS error_calls,
  distinct_apis::BIGINT AS distinct_apis, distinct_regions::BIGINT AS distinct_regions,
  bytes_out::BIGINT AS bytes_out, s3_get_bytes::BIGINT AS s3_get_bytes, usage_calls::BIGINT AS usage_calls
FROM (SELECT * FROM ct_obs UNION ALL SELECT * FROM vpc_obs UNION ALL SELECT * FROM s3_obs)
ORDER BY entity_kind, entity, account_id, hour
