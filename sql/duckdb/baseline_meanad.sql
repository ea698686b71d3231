-- Mean absolute deviation around the median of each principal's hourly metrics over the
-- baseline days (b_hourly), the fallback denominator of detect_volume.sql when MAD is 0.
SELECT entity, account_id, metric, round(avg(abs(v - med)), 6) AS meanad FROM (
  UNPIVOT (SELECT entity, account_id, api_calls::DOUBLE AS api_calls, error_calls::DOUBLE AS error_calls, distinct_apis::DOUBLE AS distinct_apis,
                  median(api_calls) OVER w AS m1, median(error_calls) OVER w AS m2, median(distinct_apis) OVER w AS m3
           FROM b_hourly WHERE entity_kind = 'principal' WINDOW w AS (PARTITION BY entity, account_id))
  ON (api_calls, m1) AS api_calls, (error_calls, m2) AS error_calls, (distinct_apis, m3) AS distinct_apis
  INTO NAME metric VALUE v, med)
GROUP BY ALL
