-- One day's CloudTrail ({{P}}ct) grouped by hour and by every column the profiles read
-- (→ {{P}}ct_hours, the CloudTrail input of profile_hourly.sql and profile_seen.sql): a
-- group holds its events' count and first and last time, which is all the profiles take
-- from single events. A day of a few principals is some 10 times fewer groups than
-- events, so the day's input of the two profiles stays small.
SELECT date_trunc('hour', event_time) AS hour, principal, access_key, account_id, aws_region,
  event_name, ip24, ua_class, is_error, is_denied, is_write,
  count(*) AS events, min(event_time) AS first_seen, max(event_time) AS last_seen
FROM {{P}}ct GROUP BY ALL
