-- The reference for TestProfilesFromHourGroups: sql/duckdb/profile_seen.sql as it was written before it
-- read CloudTrail grouped by hour ({{P}}ct_hours), event by event from {{P}}ct.
-- One day's observed combinations (→ baselines/seen/eventDay=D/), the memory of the
-- first-seen detectors. Inputs: {{P}}ct, {{P}}vpc, {{P}}s3.
WITH c AS (
  SELECT 'org_ip24' AS dim, '' AS subject, ip24 AS value, event_time FROM {{P}}ct WHERE ip24 IS NOT NULL
  UNION ALL SELECT 'p_ip24', principal, ip24, event_time FROM {{P}}ct WHERE ip24 IS NOT NULL AND principal IS NOT NULL
  UNION ALL SELECT 'p_region', principal, aws_region, event_time FROM {{P}}ct WHERE principal IS NOT NULL AND aws_region IS NOT NULL
  UNION ALL SELECT 'p_ua', principal, ua_class, event_time FROM {{P}}ct WHERE principal IS NOT NULL
  UNION ALL SELECT 'p_api', principal, event_name, event_time FROM {{P}}ct WHERE principal IS NOT NULL AND event_name IS NOT NULL AND NOT is_error
  UNION ALL SELECT 'p_any', principal, '', event_time FROM {{P}}ct WHERE principal IS NOT NULL
  UNION ALL SELECT 'key', '', access_key, event_time FROM {{P}}ct WHERE access_key IS NOT NULL
  UNION ALL SELECT 'acct_region', account_id, aws_region, event_time FROM {{P}}ct WHERE account_id IS NOT NULL AND aws_region IS NOT NULL
  UNION ALL SELECT 'org_ip24', '', ip24(dstaddr), event_time FROM {{P}}vpc WHERE is_public_ip(dstaddr)
  UNION ALL SELECT 'eni_dst24', interface_id, ip24(dstaddr), event_time FROM {{P}}vpc WHERE is_public_ip(dstaddr) AND interface_id IS NOT NULL
  UNION ALL SELECT 'org_ip24', '', ip24(remote_ip), event_time FROM {{P}}s3 WHERE is_public_ip(remote_ip)
  UNION ALL SELECT 's3_req_ip24', requester, ip24(remote_ip), event_time FROM {{P}}s3 WHERE requester IS NOT NULL AND ip24(remote_ip) IS NOT NULL
  UNION ALL SELECT 's3_req_bucket', requester, bucket, event_time FROM {{P}}s3 WHERE requester IS NOT NULL AND bucket IS NOT NULL
)
SELECT dim, subject, value, min(event_time) AS first_seen, max(event_time) AS last_seen, count(*)::BIGINT AS events
FROM c GROUP BY ALL ORDER BY dim, subject, value
