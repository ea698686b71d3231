-- S3 GET volume by a requester from a source /24 it never used (S3 server access logs).
-- Counts per (requester, /24) first; the address list and the evidence are built only for the
-- groups reported (lists cannot spill, and a busy public bucket has many such groups).
WITH a AS (
  SELECT *, ip24(remote_ip) AS ip24 FROM w_s3 WHERE requester IS NOT NULL AND is_public_ip(remote_ip)
),
g AS (
  SELECT requester, ip24, min("accountId") AS account_id, min(bucket) AS bucket,
    count(*) FILTER (operation = 'REST.GET.OBJECT') AS gets, coalesce(sum(bytes_sent) FILTER (operation = 'REST.GET.OBJECT'), 0) AS bytes,
    count(DISTINCT bucket) AS buckets, min(event_time) AS first_seen, max(event_time) AS last_seen
  FROM a GROUP BY requester, ip24
  HAVING gets >= 20 AND bytes >= 50000000
),
s AS (
  SELECT * FROM g
  WHERE NOT EXISTS (SELECT 1 FROM b_seen b WHERE b.dim = 's3_req_ip24' AND b.subject = g.requester AND b.value = g.ip24)
),
l AS (
  SELECT requester, ip24, list_sort(list(DISTINCT remote_ip), 'ASC', 'NULLS LAST') AS ips,
    min_by(source_object || '#' || CAST(source_line AS VARCHAR), (event_time, source_object, source_line), 20) AS evidence
  FROM a WHERE EXISTS (SELECT 1 FROM s WHERE s.requester = a.requester AND s.ip24 = a.ip24)
  GROUP BY requester, ip24
)
SELECT 'exfil_s3_new_source' AS detector, account_id || '|' || requester || '|' || ip24 AS subject, account_id, NULL AS region,
  requester AS principal, NULL AS principal_type, NULL AS access_key, ips AS source_ips, first_seen, last_seen, gets::BIGINT AS cnt, evidence,
  bytes::DOUBLE AS score, 's3_get_bytes' AS metric, bytes::DOUBLE AS observed,
  (SELECT max(median) FROM b_stats st WHERE st.entity_kind = 's3_requester' AND st.entity = s.requester AND st.metric = 's3_get_bytes' AND st.hour_of_week = -1) AS expected,
  gets || ' objects (' || format_bytes(bytes::BIGINT) || ') from ' || buckets || ' bucket(s) incl. ' || bucket AS detail
FROM s JOIN l USING (requester, ip24)
