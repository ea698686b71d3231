-- One day's observed combinations (→ baselines/seen/eventDay=D/), the memory of the
-- first-seen detectors. Inputs: {{P}}ct_hours (CloudTrail grouped by hour, profile_ct.sql),
-- {{P}}vpc_hours and {{P}}s3_hours (profile_vpc.sql, profile_s3.sql); a group stands for its
-- events, flows or requests (count, first and last time).
WITH c AS (
  SELECT 'org_ip24' AS dim, '' AS subject, ip24 AS value, first_seen, last_seen, events FROM {{P}}ct_hours WHERE ip24 IS NOT NULL
  UNION ALL SELECT 'p_ip24', principal, ip24, first_seen, last_seen, events FROM {{P}}ct_hours WHERE ip24 IS NOT NULL AND principal IS NOT NULL
  UNION ALL SELECT 'p_region', principal, aws_region, first_seen, last_seen, events FROM {{P}}ct_hours WHERE principal IS NOT NULL AND aws_region IS NOT NULL
  UNION ALL SELECT 'p_ua', principal, ua_class, first_seen, last_seen, events FROM {{P}}ct_hours WHERE principal IS NOT NULL
  UNION ALL SELECT 'p_api', principal, event_name, first_seen, last_seen, events FROM {{P}}ct_hours WHERE principal IS NOT NULL AND event_name IS NOT NULL AND NOT is_error
  UNION ALL SELECT 'p_any', principal, '', first_seen, last_seen, events FROM {{P}}ct_hours WHERE principal IS NOT NULL
  UNION ALL SELECT 'key', '', access_key, first_seen, last_seen, events FROM {{P}}ct_hours WHERE access_key IS NOT NULL
  UNION ALL SELECT 'acct_region', account_id, aws_region, first_seen, last_seen, events FROM {{P}}ct_hours WHERE account_id IS NOT NULL AND aws_region IS NOT NULL
  UNION ALL SELECT 'org_ip24', '', dst24, first_seen, last_seen, flows FROM {{P}}vpc_hours WHERE dst_public
  UNION ALL SELECT 'eni_dst24', interface_id, dst24, first_seen, last_seen, flows FROM {{P}}vpc_hours WHERE dst_public AND interface_id IS NOT NULL
  UNION ALL SELECT 'org_ip24', '', remote24, first_seen, last_seen, requests FROM {{P}}s3_hours WHERE remote_public
  UNION ALL SELECT 's3_req_ip24', requester, remote24, first_seen, last_seen, requests FROM {{P}}s3_hours WHERE requester IS NOT NULL AND remote24 IS NOT NULL
  UNION ALL SELECT 's3_req_bucket', requester, bucket, first_seen, last_seen, requests FROM {{P}}s3_hours WHERE requester IS NOT NULL AND bucket IS NOT NULL
)
SELECT dim, subject, value, min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(events)::BIGINT AS events
FROM c GROUP BY ALL ORDER BY dim, subject, value
