-- One principal calling APIs in many regions within an hour, most of them new for it.
-- The hours are counted first; their lists (new regions, source ips) are built only for
-- the principal-hours reported: list states are held outside DuckDB's memory limit, and
-- every principal-hour of a busy window holding its ips cost more than the rest of the query.
WITH h AS (
  SELECT account_id, principal, date_trunc('hour', event_time) AS hour,
    count(DISTINCT aws_region) AS regions, count(DISTINCT aws_region) FILTER (f_new_region) AS new_regions,
    min(principal_type) AS principal_type, min(access_key) FILTER (access_key IS NOT NULL) AS access_key,
    min(event_time) AS first_seen, max(event_time) AS last_seen, count(*)::BIGINT AS cnt
  FROM w_ev GROUP BY ALL
),
top AS (
  SELECT * FROM h
  QUALIFY regions >= 6 AND new_regions >= 4 AND row_number() OVER (PARTITION BY account_id, principal ORDER BY regions DESC, hour) = 1
),
lists AS (
  SELECT t.account_id, t.principal, t.hour,
    list_sort(list(DISTINCT e.aws_region) FILTER (e.f_new_region), 'ASC', 'NULLS LAST') AS new_list,
    list_sort(list(DISTINCT e.ip) FILTER (e.ip IS NOT NULL), 'ASC', 'NULLS LAST') AS ips
  FROM top t JOIN w_ev e ON e.account_id IS NOT DISTINCT FROM t.account_id AND e.principal IS NOT DISTINCT FROM t.principal
    AND date_trunc('hour', e.event_time) = t.hour
  GROUP BY ALL
)
SELECT 'discovery_many_regions' AS detector, top.account_id || '|' || top.principal AS subject, top.account_id, NULL AS region,
  top.principal, principal_type, access_key, l.ips AS source_ips, first_seen, last_seen, cnt,
  -- the first 20 events of the hour, for the findings only (not for every principal-hour)
  (SELECT min_by(e.event_id, (e.event_time, e.event_id), 20) FROM w_ev e
   WHERE e.account_id IS NOT DISTINCT FROM top.account_id AND e.principal = top.principal AND date_trunc('hour', e.event_time) = top.hour) AS evidence,
  regions::DOUBLE AS score, 'distinct_regions' AS metric, regions::DOUBLE AS observed,
  (SELECT max(median) FROM b_stats s WHERE s.entity_kind = 'principal' AND s.entity = top.principal AND s.metric = 'distinct_regions' AND s.hour_of_week = -1) AS expected,
  new_regions || ' of them new for it (' || array_to_string(l.new_list[1:8], ', ') || ')' AS detail
FROM top JOIN lists l ON l.account_id IS NOT DISTINCT FROM top.account_id AND l.principal IS NOT DISTINCT FROM top.principal AND l.hour = top.hour
