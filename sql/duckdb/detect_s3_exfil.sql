-- S3 GET volume by a requester from a source /24 it never used (S3 server access logs).
WITH g AS (
  SELECT requester, ip24(remote_ip) AS ip24, min("accountId") AS account_id, min(bucket) AS bucket,
    count(*) FILTER (operation = 'REST.GET.OBJECT') AS gets, coalesce(sum(bytes_sent) FILTER (operation = 'REST.GET.OBJECT'), 0) AS bytes,
    count(DISTINCT bucket) AS buckets, list_sort(list(DISTINCT remote_ip), 'ASC', 'NULLS LAST') AS ips,
    min(event_time) AS first_seen, max(event_time) AS last_seen,
    min_by(source_object || '#' || CAST(source_line AS VARCHAR), (event_time, source_object, source_line), 20) AS evidence
  FROM w_s3 WHERE requester IS NOT NULL AND is_public_ip(remote_ip) GROUP BY requester, ip24(remote_ip)
)
SELECT 'exfil_s3_new_source' AS detector, account_id || '|' || requester || '|' || ip24 AS subject, account_id, NULL AS region,
  requester AS principal, NULL AS principal_type, NULL AS access_key, ips AS source_ips, first_seen, last_seen, gets::BIGINT AS cnt, evidence,
  bytes::DOUBLE AS score, 's3_get_bytes' AS metric, bytes::DOUBLE AS observed,
  (SELECT max(median) FROM b_stats s WHERE s.entity_kind = 's3_requester' AND s.entity = g.requester AND s.metric = 's3_get_bytes' AND s.hour_of_week = -1) AS expected,
  gets || ' objects (' || format_bytes(bytes::BIGINT) || ') from ' || buckets || ' bucket(s) incl. ' || bucket AS detail
FROM g
WHERE gets >= 20 AND bytes >= 50000000
  AND NOT EXISTS (SELECT 1 FROM b_seen b WHERE b.dim = 's3_req_ip24' AND b.subject = g.requester AND b.value = g.ip24)
