-- Hourly API behaviour of principals against their baseline: modified z-score
-- 0.6745·(x − median)/MAD (Iglewicz & Hoaglin). When MAD is 0 (more than half of the
-- baseline hours have the same value) the denominator falls back to 1.253314·meanAD
-- (mean absolute deviation), and when that is 0 too (a constant history) to
-- max(1, 0.1·median), so one unusual hour of an always-identical job still scores.
-- Minimum history: a principal with fewer than min_history_hours active baseline
-- hours is compared with its peers (all principals of its account) instead.
WITH obs AS (
  SELECT principal, account_id, date_trunc('hour', event_time) AS hour,
    count(*)::DOUBLE AS api_calls, count(*) FILTER (is_denied)::DOUBLE AS error_calls,
    count(DISTINCT event_name)::DOUBLE AS distinct_apis,
    list_sort(list(DISTINCT ip) FILTER (ip IS NOT NULL), 'ASC', 'NULLS LAST') AS ips,
    min(access_key) FILTER (access_key IS NOT NULL) AS access_key,
    min(principal_type) AS principal_type, min(aws_region) AS region,
    min(event_time) AS first_seen, max(event_time) AS last_seen
  FROM w_ev GROUP BY principal, account_id, date_trunc('hour', event_time)
),
long AS (
  UNPIVOT obs ON api_calls, error_calls, distinct_apis INTO NAME metric VALUE x
),
own AS (
  SELECT entity, account_id, metric, samples, mean, stddev, median, mad FROM b_stats
  WHERE entity_kind = 'principal' AND hour_of_week = -1
),
meanad AS (SELECT * FROM b_meanad), -- baseline_meanad.sql
peer AS (SELECT * FROM b_peer), -- baseline_peer.sql
scored AS (
  SELECT l.*, th.modified_z AS th_mz, th.z AS th_z, th.min_observed,
    (o.samples IS NOT NULL AND o.samples >= (SELECT min_history FROM detect_settings)) AS own_history,
    CASE WHEN o.samples >= (SELECT min_history FROM detect_settings) THEN o.mean ELSE p.mean END AS b_mean,
    CASE WHEN o.samples >= (SELECT min_history FROM detect_settings) THEN o.stddev ELSE p.stddev END AS b_std,
    CASE WHEN o.samples >= (SELECT min_history FROM detect_settings) THEN o.median ELSE p.median END AS b_median,
    CASE WHEN o.samples >= (SELECT min_history FROM detect_settings) THEN o.mad ELSE p.mad END AS b_mad,
    CASE WHEN o.samples >= (SELECT min_history FROM detect_settings) THEN ma.meanad ELSE p.meanad END AS b_meanad,
    CASE WHEN o.samples >= (SELECT min_history FROM detect_settings) THEN o.samples ELSE p.samples END AS b_samples
  FROM long l
  JOIN thresholds th ON th.account_type = acct_type(l.account_id)
  LEFT JOIN own o ON o.entity = l.principal AND o.account_id IS NOT DISTINCT FROM l.account_id AND o.metric = l.metric
  LEFT JOIN meanad ma ON ma.entity = l.principal AND ma.account_id IS NOT DISTINCT FROM l.account_id AND ma.metric = l.metric
  LEFT JOIN peer p ON p.account_id IS NOT DISTINCT FROM l.account_id AND p.metric = l.metric
),
z AS (
  SELECT *,
    CASE WHEN b_mad > 0 THEN 0.6745 * (x - b_median) / b_mad
         WHEN coalesce(b_meanad, 0) > 0 THEN (x - b_median) / (1.253314 * b_meanad)
         ELSE (x - coalesce(b_median, 0)) / greatest(1, 0.1 * coalesce(b_median, 0)) END AS mz,
    CASE WHEN b_std > 0 THEN (x - b_mean) / b_std ELSE (x - coalesce(b_mean, 0)) / greatest(1, 0.1 * coalesce(b_mean, 0)) END AS zs
  FROM scored WHERE b_samples IS NOT NULL
),
hits AS (
  SELECT * FROM z WHERE x >= min_observed AND mz >= th_mz AND zs >= th_z
),
agg AS (
SELECT 'volume_anomaly' AS detector, account_id || '|' || principal || '|' || metric AS subject,
  account_id, first(region ORDER BY mz DESC, hour) AS region, principal, min(principal_type) AS principal_type,
  first(access_key ORDER BY mz DESC, hour) AS access_key, first(ips ORDER BY mz DESC, hour) AS source_ips,
  min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(x)::BIGINT AS cnt, first(hour ORDER BY mz DESC, hour) AS ev_hour,
  max(mz) AS score, metric, max(x) AS observed, first(b_median ORDER BY mz DESC, hour) AS expected,
  first(b_mean ORDER BY mz DESC, hour) AS b_mean, first(b_std ORDER BY mz DESC, hour) AS b_std, first(b_median ORDER BY mz DESC, hour) AS b_median, first(b_mad ORDER BY mz DESC, hour) AS b_mad,
  first(b_samples ORDER BY mz DESC, hour) AS b_samples,
  'hour ' || strftime(first(hour ORDER BY mz DESC, hour), '%Y-%m-%d %H:00') || ' UTC, compared with ' ||
    CASE WHEN bool_and(own_history) THEN 'its own history' ELSE 'its peers in the account (too little history of its own)' END ||
    ', z ' || printf('%.1f', max(zs)) AS detail
FROM hits GROUP BY account_id, principal, metric
)
-- evidence: the first 20 events of the hour reported, taken for the findings only (20 ids for
-- every principal-hour of the window would be hundreds of MB)
SELECT agg.* EXCLUDE (ev_hour),
  (SELECT min_by(e.event_id, (e.event_time, e.event_id), 20) FROM w_ev e
   WHERE e.principal = agg.principal AND e.account_id IS NOT DISTINCT FROM agg.account_id AND date_trunc('hour', e.event_time) = agg.ev_hour) AS evidence
FROM agg
