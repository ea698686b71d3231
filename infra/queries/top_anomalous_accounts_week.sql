-- name: seclake-top-anomalous-accounts-week
-- description: Accounts ranked by the findings of the last 7 days (weighted by severity).
-- tables: findings
SELECT account_id,
       count(*) AS findings,
       sum(severity) AS severity_total,
       max(severity) AS severity_max,
       count_if(severity_label IN ('high', 'critical')) AS high_or_critical,
       count(DISTINCT principal_arn) AS principals
FROM findings
WHERE eventday >= date_format(current_date - interval '7' day, '%Y%m%d')
  AND status <> 'suppressed'
GROUP BY account_id
ORDER BY severity_total DESC
LIMIT 20;
