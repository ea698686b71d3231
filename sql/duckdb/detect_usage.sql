-- Compute usage (RunInstances, CreateVolume, Lambda Invoke) per account and region:
-- any in a region the account never used in the baseline, or far above its baseline.
WITH u AS (
  SELECT account_id, aws_region, date_trunc('hour', event_time) AS hour, count(*)::DOUBLE AS x,
    min(principal) AS principal, min(principal_type) AS principal_type,
    min(access_key) FILTER (access_key IS NOT NULL) AS access_key,
    list_sort(list(DISTINCT ip) FILTER (ip IS NOT NULL), 'ASC', 'NULLS LAST') AS ips,
    min(event_time) AS first_seen, max(event_time) AS last_seen,
    min_by(event_id, (event_time, event_id), 20) AS evidence,
    list_sort(list(DISTINCT event_name), 'ASC', 'NULLS LAST') AS apis
  FROM w_ev WHERE event_name IN ('RunInstances', 'CreateVolume', 'Invoke') GROUP BY ALL
),
s AS (
  SELECT u.*, st.median, st.mad, st.mean, st.stddev, st.samples,
    NOT EXISTS (SELECT 1 FROM b_seen b WHERE b.dim = 'acct_region' AND b.subject = u.account_id AND b.value = u.aws_region) AS new_region,
    th.modified_z AS th_mz, th.min_observed
  FROM u JOIN thresholds th ON th.account_type = acct_type(u.account_id)
  LEFT JOIN b_stats st ON st.entity_kind = 'account_region' AND st.entity = u.account_id || '/' || u.aws_region AND st.metric = 'usage_calls' AND st.hour_of_week = -1
),
z AS (
  SELECT *, CASE WHEN mad > 0 THEN 0.6745 * (x - median) / mad ELSE (x - coalesce(median, 0)) / greatest(1, 0.1 * coalesce(median, 0)) END AS mz FROM s
)
SELECT 'usage_anomaly' AS detector, account_id AS subject, account_id, first(aws_region ORDER BY x DESC, aws_region, hour) AS region,
  first(principal ORDER BY x DESC, aws_region, hour) AS principal, first(principal_type ORDER BY x DESC, aws_region, hour) AS principal_type, first(access_key ORDER BY x DESC, aws_region, hour) AS access_key,
  flatten(list(ips ORDER BY aws_region, hour))[1:10] AS source_ips, min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(x)::BIGINT AS cnt,
  flatten(list(evidence ORDER BY aws_region, hour))[1:20] AS evidence, max(mz) AS score, 'usage_calls' AS metric, sum(x) AS observed,
  first(median ORDER BY x DESC, aws_region, hour) AS expected, first(mean ORDER BY x DESC, aws_region, hour) AS b_mean, first(stddev ORDER BY x DESC, aws_region, hour) AS b_std, first(median ORDER BY x DESC, aws_region, hour) AS b_median,
  first(mad ORDER BY x DESC, aws_region, hour) AS b_mad, first(samples ORDER BY x DESC, aws_region, hour) AS b_samples,
  string_agg(DISTINCT array_to_string(apis, '/'), ', ' ORDER BY array_to_string(apis, '/')) || CASE WHEN bool_or(new_region)
    THEN ' in regions the account never used (' || string_agg(DISTINCT aws_region, ', ' ORDER BY aws_region) FILTER (new_region) || ')'
    ELSE ' far above baseline' END AS detail
FROM z
WHERE (new_region AND x >= 2) OR (x >= min_observed AND mz >= th_mz)
GROUP BY account_id
