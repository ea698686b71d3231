-- Statistics of the hourly metrics of the window's entities over the baseline days (b_hourly):
-- samples (active hours), mean, stddev, median and MAD, over all active hours
-- (hour_of_week = -1) and per hour of the week. The metrics are counts and bytes: means and
-- deviations come from exact integer sums (exact_mean, exact_stddev), the same bytes on every run.
WITH long AS (
  UNPIVOT (SELECT entity_kind, entity, account_id, hour_of_week,
                  api_calls::DOUBLE AS api_calls, write_calls::DOUBLE AS write_calls, error_calls::DOUBLE AS error_calls,
                  distinct_apis::DOUBLE AS distinct_apis, distinct_regions::DOUBLE AS distinct_regions,
                  bytes_out::DOUBLE AS bytes_out, s3_get_bytes::DOUBLE AS s3_get_bytes, usage_calls::DOUBLE AS usage_calls
           FROM b_hourly)
  ON api_calls, write_calls, error_calls, distinct_apis, distinct_regions, bytes_out, s3_get_bytes, usage_calls
  INTO NAME metric VALUE x
)
, used AS ( -- the (entity kind, metric) pairs the detectors and analysts use
  SELECT * FROM long WHERE (entity_kind IN ('principal', 'account') AND metric IN ('api_calls', 'write_calls', 'error_calls', 'distinct_apis', 'distinct_regions'))
    OR (entity_kind = 'account_region' AND metric IN ('api_calls', 'usage_calls'))
    OR (entity_kind = 'eni' AND metric = 'bytes_out')
    OR (entity_kind IN ('bucket', 's3_requester') AND metric IN ('api_calls', 's3_get_bytes'))
)
SELECT entity_kind, entity, account_id, metric, hour_of_week, samples, mean, stddev, median, mad
FROM (
  SELECT entity_kind, entity, account_id, metric, CAST(-1 AS INTEGER) AS hour_of_week, count(*)::BIGINT AS samples,
         exact_mean(count(*), sum(x::HUGEINT)) AS mean, exact_stddev(count(*), sum(x::HUGEINT), sum(x::HUGEINT * x::HUGEINT)) AS stddev,
         median(x) AS median, coalesce(mad(x), 0) AS mad
  FROM used GROUP BY ALL
  UNION ALL
  SELECT entity_kind, entity, account_id, metric, hour_of_week, count(*)::BIGINT,
         exact_mean(count(*), sum(x::HUGEINT)), exact_stddev(count(*), sum(x::HUGEINT), sum(x::HUGEINT * x::HUGEINT)),
         median(x), coalesce(mad(x), 0)
  FROM used WHERE entity_kind IN ('account', 'account_region') GROUP BY ALL -- hour of week only where samples allow
)
