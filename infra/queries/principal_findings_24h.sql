-- name: seclake-findings-for-principal-24h
-- description: Findings for one principal (role, user or assumed-role ARN) in the last 24 hours. Replace the ARN.
-- tables: findings
SELECT finding_id, detector, title, severity, severity_label, score, account_id, region,
       access_key_id, source_ips, first_seen, last_seen, count, status, explanation, recommendation
FROM findings
WHERE eventday >= date_format(current_date - interval '1' day, '%Y%m%d')
  AND window_end >= current_timestamp - interval '24' hour
  AND principal_arn = 'arn:aws:iam::111122223333:role/EXAMPLE'
ORDER BY severity DESC, last_seen DESC;
