-- One day's observed combinations (→ baselines/seen/eventDay=D/), the memory of the
-- first-seen detectors. Inputs: {{P}}ct_hours (CloudTrail grouped by hour, profile_ct.sql),
-- {{P}}vpc, {{P}}s3; a CloudTrail group stands for its events (count, first and last time).
WITH c AS (
  SELECT 'org_ip24' AS dim, '' AS subject, ip24 AS value, first_seen, last_seen, events FROM {{P}}ct_hours WHERE ip24 IS NOT NULL
  UNION ALL SELECT 'p_ip24', principal, ip24, first_seen, last_seen, events FROM {{P}}ct_hours WHERE ip24 IS NOT NULL AND principal IS NOT NULL
  UNION ALL SELECT 'p_region', principal, aws_region, first_seen, last_seen, events FROM {{P}}ct_hours WHERE principal IS NOT NULL AND aws_region IS NOT NULL
  UNION ALL SELECT 'p_ua', principal, ua_class, first_seen, last_seen, events FROM {{P}}ct_hours WHERE principal IS NOT NULL
  UNION ALL SELECT 'p_api', principal, event_name, first_seen, last_seen, events FROM {{P}}ct_hours WHERE principal IS NOT NULL AND event_name IS NOT NULL AND NOT is_error
  UNION ALL SELECT 'p_any', principal, '', first_seen, last_seen, events FROM {{P}}ct_hours WHERE principal IS NOT NULL
  UNION ALL SELECT 'key', '', access_key, first_seen, last_seen, events FROM {{P}}ct_hours WHERE access_key IS NOT NULL
  UNION ALL SELECT 'acct_region', account_id, aws_region, first_seen, last_seen, events FROM {{P}}ct_hours WHERE account_id IS NOT NULL AND aws_region IS NOT NULL
  UNION ALL SELECT 'org_ip24', '', ip24(dstaddr), event_time, event_time, 1 FROM {{P}}vpc WHERE is_public_ip(dstaddr)
  UNION ALL SELECT 'eni_dst24', interface_id, ip24(dstaddr), event_time, event_time, 1 FROM {{P}}vpc WHERE is_public_ip(dstaddr) AND interface_id IS NOT NULL
  UNION ALL SELECT 'org_ip24', '', ip24(remote_ip), event_time, event_time, 1 FROM {{P}}s3 WHERE is_public_ip(remote_ip)
  UNION ALL SELECT 's3_req_ip24', requester, ip24(remote_ip), event_time, event_time, 1 FROM {{P}}s3 WHERE requester IS NOT NULL AND ip24(remote_ip) IS NOT NULL
  UNION ALL SELECT 's3_req_bucket', requester, bucket, event_time, event_time, 1 FROM {{P}}s3 WHERE requester IS NOT NULL AND bucket IS NOT NULL
)
SELECT dim, subject, value, min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(events)::BIGINT AS events
FROM c GROUP BY ALL ORDER BY dim, subject, value
