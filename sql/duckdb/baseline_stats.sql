-- Statistics of each entity's hourly metrics over the baseline days (b_hourly):
-- samples (active hours), mean, stddev, median and MAD, over all active hours
-- (hour_of_week = -1) and per hour of the week.
WITH long AS (
  UNPIVOT (SELECT entity_kind, entity, account_id, hour_of_week,
                  api_calls::DOUBLE AS api_calls, write_calls::DOUBLE AS write_calls, error_calls::DOUBLE AS error_calls,
                  distinct_apis::DOUBLE AS distinct_apis, distinct_regions::DOUBLE AS distinct_regions,
                  bytes_out::DOUBLE AS bytes_out, s3_get_bytes::DOUBLE AS s3_get_bytes, usage_calls::DOUBLE AS usage_calls
           FROM b_hourly)
  ON api_calls, write_calls, error_calls, distinct_apis, distinct_regions, bytes_out, s3_get_bytes, usage_calls
  INTO NAME metric VALUE x
)
SELECT entity_kind, entity, account_id, metric, hour_of_week, samples, mean, stddev, median, mad
FROM (
  SELECT entity_kind, entity, account_id, metric, CAST(-1 AS INTEGER) AS hour_of_week, count(*)::BIGINT AS samples,
         avg(x) AS mean, coalesce(stddev_samp(x), 0) AS stddev, median(x) AS median, coalesce(mad(x), 0) AS mad
  FROM long GROUP BY ALL
  UNION ALL
  SELECT entity_kind, entity, account_id, metric, hour_of_week, count(*)::BIGINT,
         avg(x), coalesce(stddev_samp(x), 0), median(x), coalesce(mad(x), 0)
  FROM long WHERE entity_kind IN ('account', 'account_region') GROUP BY ALL -- hour of week only where samples allow
)
