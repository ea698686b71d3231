-- Peer statistics per account and metric over every principal's active baseline hours
-- (b_peer_hourly): what detect_volume.sql compares a principal without enough history of its own with.
--
-- median() and mad() keep every value of a group in memory (they cannot spill), and a group here
-- is all hours of all principals of an account: millions of values. The metrics are counts, so the
-- values repeat a lot: median, MAD and the mean absolute deviation are taken from a histogram
-- (value, count) instead, with median()'s own interpolation (the value at position (n−1)/2 of the
-- sorted values, the mean of the two neighbours when that falls between them); the results are
-- the same numbers. Mean and standard deviation stream, from exact integer sums (macros.sql).
WITH x AS (
  UNPIVOT (SELECT account_id, api_calls::DOUBLE AS api_calls, error_calls::DOUBLE AS error_calls, distinct_apis::DOUBLE AS distinct_apis
           FROM b_peer_hourly) ON api_calls, error_calls, distinct_apis INTO NAME metric VALUE x
),
agg AS (
  SELECT account_id, metric, count(*)::BIGINT AS samples, exact_mean(count(*), sum(x::HUGEINT)) AS mean,
         exact_stddev(count(*), sum(x::HUGEINT), sum(x::HUGEINT * x::HUGEINT)) AS stddev
  FROM x GROUP BY ALL
),
hist AS (SELECT account_id, metric, x, count(*)::BIGINT AS c FROM x GROUP BY ALL),
med AS (
  SELECT account_id, metric,
    min(x) FILTER (pos_end > (samples - 1) // 2) AS lo, min(x) FILTER (pos_end > samples // 2) AS hi
  FROM (SELECT h.*, a.samples, sum(h.c) OVER (PARTITION BY h.account_id, h.metric ORDER BY h.x ROWS UNBOUNDED PRECEDING) AS pos_end
        FROM hist h JOIN agg a ON a.account_id IS NOT DISTINCT FROM h.account_id AND a.metric = h.metric)
  GROUP BY ALL
),
dev AS (
  SELECT h.account_id, h.metric, abs(h.x - (m.lo + (m.hi - m.lo) * 0.5)) AS x, sum(h.c)::BIGINT AS c
  FROM hist h JOIN med m ON m.account_id IS NOT DISTINCT FROM h.account_id AND m.metric = h.metric
  GROUP BY ALL
),
mad AS (
  SELECT account_id, metric,
    min(x) FILTER (pos_end > (samples - 1) // 2) AS lo, min(x) FILTER (pos_end > samples // 2) AS hi,
    sum(x * c) / any_value(samples) AS meanad
  FROM (SELECT d.*, a.samples, sum(d.c) OVER (PARTITION BY d.account_id, d.metric ORDER BY d.x ROWS UNBOUNDED PRECEDING) AS pos_end
        FROM dev d JOIN agg a ON a.account_id IS NOT DISTINCT FROM d.account_id AND a.metric = d.metric)
  GROUP BY ALL
)
SELECT a.account_id, a.metric, a.samples, a.mean, a.stddev,
  m.lo + (m.hi - m.lo) * 0.5 AS median, coalesce(d.lo + (d.hi - d.lo) * 0.5, 0) AS mad, round(d.meanad, 6) AS meanad
FROM agg a
JOIN med m ON m.account_id IS NOT DISTINCT FROM a.account_id AND m.metric = a.metric
JOIN mad d ON d.account_id IS NOT DISTINCT FROM a.account_id AND d.metric = a.metric
