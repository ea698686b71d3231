-- name: seclake-ec2-usage-anomalies
-- description: EC2 RunInstances per account, region and hour in the last 24 hours against the 14 days before (z-score); hours with z >= 3.
-- tables: cloudtrail
WITH hourly AS (
  SELECT recipient_account_id, aws_region, date_trunc('hour', event_time) AS hour, count(*) AS launches
  FROM cloudtrail
  WHERE eventday >= date_format(current_date - interval '15' day, '%Y%m%d')
    AND event_source = 'ec2.amazonaws.com' AND event_name = 'RunInstances' AND error_code IS NULL
  GROUP BY 1, 2, 3
),
baseline AS (
  SELECT recipient_account_id, aws_region, avg(launches) AS mean, stddev_samp(launches) AS sd, count(*) AS hours
  FROM hourly
  WHERE hour < current_timestamp - interval '24' hour
  GROUP BY 1, 2
)
SELECT h.recipient_account_id, h.aws_region, h.hour, h.launches, b.mean, b.sd,
       (h.launches - b.mean) / nullif(b.sd, 0) AS z
FROM hourly h
LEFT JOIN baseline b ON b.recipient_account_id = h.recipient_account_id AND b.aws_region = h.aws_region
WHERE h.hour >= current_timestamp - interval '24' hour
  AND (b.sd IS NULL OR (h.launches - b.mean) / nullif(b.sd, 0) >= 3)
ORDER BY z DESC NULLS FIRST;
