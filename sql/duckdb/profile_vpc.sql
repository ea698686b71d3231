-- One day's VPC flow records ({{P}}vpc) grouped by hour and by what profile_hourly.sql and
-- profile_seen.sql read (→ {{P}}vpc_hours): a group holds its flows' count, bytes and first and
-- last time. Flow logs are the largest source by far (a busy ENI logs a record per connection
-- and minute); the profiles keep a table of these groups, not of the records.
SELECT date_trunc('hour', event_time) AS hour, account_id, interface_id,
  coalesce(action = 'REJECT', false) AS rejected,
  coalesce((flow_direction = 'egress' OR (flow_direction IS NULL AND is_private_ip(srcaddr))) AND is_public_ip(dstaddr), false) AS egress_public,
  coalesce(is_public_ip(dstaddr), false) AS dst_public,
  CASE WHEN is_public_ip(dstaddr) THEN ip24(dstaddr) END AS dst24,
  count(*) AS flows, sum(bytes) AS bytes, min(event_time) AS first_seen, max(event_time) AS last_seen
FROM {{P}}vpc GROUP BY ALL
