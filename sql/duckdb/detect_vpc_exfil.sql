-- Outbound bytes from a network interface to a public /24 it never talked to, far above its hourly baseline.
WITH g AS (
  SELECT interface_id, ip24(dstaddr) AS dst24, min(account_id) AS account_id, min(aws_region) AS region,
    sum(bytes) AS bytes, count(*) AS flows, list_sort(list(DISTINCT dstaddr), 'ASC', 'NULLS LAST') AS dsts, min(instance_id) AS instance,
    min(event_time) AS first_seen, max(event_time) AS last_seen,
    min_by(source_object || '#' || CAST(source_line AS VARCHAR), (event_time, source_object, source_line), 20) AS evidence
  FROM w_vpc
  WHERE (flow_direction = 'egress' OR (flow_direction IS NULL AND is_private_ip(srcaddr))) AND is_public_ip(dstaddr) AND interface_id IS NOT NULL
  GROUP BY interface_id, ip24(dstaddr)
),
s AS (
  SELECT g.*, st.median, st.mean, st.stddev, st.mad, st.samples FROM g
  LEFT JOIN b_stats st ON st.entity_kind = 'eni' AND st.entity = g.interface_id AND st.metric = 'bytes_out' AND st.hour_of_week = -1
)
SELECT 'exfil_vpc_bytes_out' AS detector, account_id || '|' || interface_id || '|' || dst24 AS subject, account_id, region,
  CASE WHEN instance IS NOT NULL THEN 'arn:aws:ec2:' || region || ':' || account_id || ':instance/' || instance ELSE interface_id END AS principal,
  CASE WHEN instance IS NOT NULL THEN 'Instance' ELSE 'NetworkInterface' END AS principal_type, NULL AS access_key, dsts AS source_ips, first_seen, last_seen,
  flows::BIGINT AS cnt, evidence, bytes::DOUBLE / greatest(coalesce(median, 0), 1e6) AS score, 'bytes_out' AS metric, bytes::DOUBLE AS observed,
  median AS expected, mean AS b_mean, stddev AS b_std, median AS b_median, mad AS b_mad, samples AS b_samples,
  format_bytes(bytes::BIGINT) || ' in ' || flows || ' flows to ' || array_to_string(dsts[1:3], ', ') ||
    ' from interface ' || interface_id || ', a destination never seen from this interface nor the organisation' AS detail
FROM s
WHERE bytes >= 500000000 AND bytes >= 10 * coalesce(median, 0)
  AND NOT EXISTS (SELECT 1 FROM b_seen b WHERE b.dim = 'eni_dst24' AND b.subject = s.interface_id AND b.value = s.dst24)
  AND NOT EXISTS (SELECT 1 FROM b_seen b WHERE b.dim = 'org_ip24' AND b.value = s.dst24)
