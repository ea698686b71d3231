-- Outbound bytes from a network interface to a public /24 it never talked to, far above its hourly baseline.
-- Sums per (interface, /24) first; the destination list and the evidence, which hold values per
-- group and cannot spill, are built only for the groups reported: a flow-heavy day has millions
-- of such groups and building lists for all of them ran DuckDB out of memory.
WITH f AS (
  SELECT *, ip24(dstaddr) AS dst24 FROM w_vpc
  WHERE (flow_direction = 'egress' OR (flow_direction IS NULL AND is_private_ip(srcaddr))) AND is_public_ip(dstaddr) AND interface_id IS NOT NULL
),
g AS (
  SELECT interface_id, dst24, min(account_id) AS account_id, min(aws_region) AS region,
    sum(bytes) AS bytes, count(*) AS flows, min(instance_id) AS instance,
    min(event_time) AS first_seen, max(event_time) AS last_seen
  FROM f GROUP BY interface_id, dst24
),
s AS (
  SELECT g.*, st.median, st.mean, st.stddev, st.mad, st.samples FROM g
  LEFT JOIN b_stats st ON st.entity_kind = 'eni' AND st.entity = g.interface_id AND st.metric = 'bytes_out' AND st.hour_of_week = -1
  WHERE g.bytes >= 500000000 AND g.bytes >= 10 * coalesce(st.median, 0)
    AND NOT EXISTS (SELECT 1 FROM b_seen b WHERE b.dim = 'eni_dst24' AND b.subject = g.interface_id AND b.value = g.dst24)
    AND NOT EXISTS (SELECT 1 FROM b_seen b WHERE b.dim = 'org_ip24' AND b.value = g.dst24)
),
l AS (
  SELECT interface_id, dst24, list_sort(list(DISTINCT dstaddr), 'ASC', 'NULLS LAST') AS dsts,
    min_by(source_object || '#' || CAST(source_line AS VARCHAR), (event_time, source_object, source_line), 20) AS evidence
  FROM f WHERE EXISTS (SELECT 1 FROM s WHERE s.interface_id = f.interface_id AND s.dst24 = f.dst24)
  GROUP BY interface_id, dst24
)
SELECT 'exfil_vpc_bytes_out' AS detector, account_id || '|' || interface_id || '|' || dst24 AS subject, account_id, region,
  CASE WHEN instance IS NOT NULL THEN 'arn:aws:ec2:' || region || ':' || account_id || ':instance/' || instance ELSE interface_id END AS principal,
  CASE WHEN instance IS NOT NULL THEN 'Instance' ELSE 'NetworkInterface' END AS principal_type, NULL AS access_key, dsts AS source_ips, first_seen, last_seen,
  flows::BIGINT AS cnt, evidence, bytes::DOUBLE / greatest(coalesce(median, 0), 1e6) AS score, 'bytes_out' AS metric, bytes::DOUBLE AS observed,
  median AS expected, mean AS b_mean, stddev AS b_std, median AS b_median, mad AS b_mad, samples AS b_samples,
  format_bytes(bytes::BIGINT) || ' in ' || flows || ' flows to ' || array_to_string(dsts[1:3], ', ') ||
    ' from interface ' || interface_id || ', a destination never seen from this interface nor the organisation' AS detail
FROM s JOIN l USING (interface_id, dst24)
