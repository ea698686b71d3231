-- One day's S3 server access records ({{P}}s3) grouped by hour and by what profile_hourly.sql
-- and profile_seen.sql read (→ {{P}}s3_hours): a group holds its requests' count, bytes sent and
-- first and last time, so the profiles keep a table of groups, not of requests.
SELECT date_trunc('hour', event_time) AS hour, "accountId", bucket, requester, operation,
  coalesce(http_status >= 400, false) AS failed,
  coalesce(is_public_ip(remote_ip), false) AS remote_public, ip24(remote_ip) AS remote24,
  count(*) AS requests, sum(bytes_sent) AS bytes_sent, min(event_time) AS first_seen, max(event_time) AS last_seen
FROM {{P}}s3 GROUP BY ALL
