-- One day's hourly observations per entity (→ baselines/hourly/eventDay=D/).
-- Inputs: {{P}}ct_hours (the day's normalised CloudTrail grouped by hour, profile_ct.sql: events
-- is a group's count), {{P}}vpc_hours and {{P}}s3_hours (flow and access records grouped the same
-- way, profile_vpc.sql and profile_s3.sql). error_calls counts authorisation failures
-- (AccessDenied, UnauthorizedOperation, …), not throttling or validation errors.
WITH ct AS (
  SELECT * FROM {{P}}ct_hours
),
ct_obs AS (
  SELECT 'principal' AS entity_kind, principal AS entity, account_id, hour,
    sum(events) AS api_calls, coalesce(sum(events) FILTER (is_write), 0) AS write_calls,
    coalesce(sum(events) FILTER (is_denied), 0) AS error_calls,
    count(DISTINCT event_name) AS distinct_apis, count(DISTINCT aws_region) AS distinct_regions,
    0::BIGINT AS bytes_out, 0::BIGINT AS s3_get_bytes,
    coalesce(sum(events) FILTER (event_name IN ('RunInstances', 'CreateVolume', 'Invoke')), 0) AS usage_calls
  FROM ct WHERE principal IS NOT NULL GROUP BY ALL
  UNION ALL
  SELECT 'access_key', access_key, account_id, hour,
    sum(events), coalesce(sum(events) FILTER (is_write), 0), coalesce(sum(events) FILTER (is_denied), 0),
    count(DISTINCT event_name), count(DISTINCT aws_region), 0, 0,
    coalesce(sum(events) FILTER (event_name IN ('RunInstances', 'CreateVolume', 'Invoke')), 0)
  FROM ct WHERE access_key IS NOT NULL GROUP BY ALL
  UNION ALL
  SELECT 'account', account_id, account_id, hour,
    sum(events), coalesce(sum(events) FILTER (is_write), 0), coalesce(sum(events) FILTER (is_denied), 0),
    count(DISTINCT event_name), count(DISTINCT aws_region), 0, 0,
    coalesce(sum(events) FILTER (event_name IN ('RunInstances', 'CreateVolume', 'Invoke')), 0)
  FROM ct WHERE account_id IS NOT NULL GROUP BY ALL
  UNION ALL
  SELECT 'account_region', account_id || '/' || aws_region, account_id, hour,
    sum(events), coalesce(sum(events) FILTER (is_write), 0), coalesce(sum(events) FILTER (is_denied), 0),
    count(DISTINCT event_name), 1, 0, 0,
    coalesce(sum(events) FILTER (event_name IN ('RunInstances', 'CreateVolume', 'Invoke')), 0)
  FROM ct WHERE account_id IS NOT NULL AND aws_region IS NOT NULL GROUP BY ALL
),
vpc_obs AS (
  SELECT 'eni' AS entity_kind, interface_id AS entity, account_id, hour,
    sum(flows) AS api_calls, 0::BIGINT, coalesce(sum(flows) FILTER (rejected), 0), 0::BIGINT, 0::BIGINT,
    coalesce(sum(bytes) FILTER (egress_public), 0)::BIGINT,
    0::BIGINT, 0::BIGINT
  FROM {{P}}vpc_hours WHERE interface_id IS NOT NULL GROUP BY ALL
),
s3_obs AS (
  SELECT 'bucket' AS entity_kind, bucket AS entity, "accountId" AS account_id, hour,
    sum(requests), coalesce(sum(requests) FILTER (operation LIKE 'REST.PUT.%' OR operation LIKE 'REST.DELETE.%' OR operation LIKE 'REST.POST.%'), 0),
    coalesce(sum(requests) FILTER (failed), 0), count(DISTINCT operation), 0::BIGINT, 0::BIGINT,
    coalesce(sum(bytes_sent) FILTER (operation = 'REST.GET.OBJECT'), 0)::BIGINT, 0::BIGINT
  FROM {{P}}s3_hours WHERE bucket IS NOT NULL GROUP BY ALL
  UNION ALL
  SELECT 's3_requester', requester, "accountId", hour,
    sum(requests), coalesce(sum(requests) FILTER (operation LIKE 'REST.PUT.%' OR operation LIKE 'REST.DELETE.%' OR operation LIKE 'REST.POST.%'), 0),
    coalesce(sum(requests) FILTER (failed), 0), count(DISTINCT operation), 0::BIGINT, 0::BIGINT,
    coalesce(sum(bytes_sent) FILTER (operation = 'REST.GET.OBJECT'), 0)::BIGINT, 0::BIGINT
  FROM {{P}}s3_hours WHERE requester IS NOT NULL GROUP BY ALL
)
SELECT entity_kind, entity, account_id, hour, hour_of_week(hour) AS hour_of_week,
  api_calls::BIGINT AS api_calls, write_calls::BIGINT AS write_calls, error_calls::BIGINT AS error_calls,
  distinct_apis::BIGINT AS distinct_apis, distinct_regions::BIGINT AS distinct_regions,
  bytes_out::BIGINT AS bytes_out, s3_get_bytes::BIGINT AS s3_get_bytes, usage_calls::BIGINT AS usage_calls
FROM (SELECT * FROM ct_obs UNION ALL SELECT * FROM vpc_obs UNION ALL SELECT * FROM s3_obs)
ORDER BY entity_kind, entity, account_id, hour
