-- AssumeRole into another account by a session from a network new to the organisation;
-- the chain (every account reached from the same source /24) is one finding.
WITH a AS (
  SELECT e.*, regexp_extract(json_extract_string(request_parameters, '$.roleArn'), 'arn:aws:iam::([0-9]{12}):', 1) AS target
  FROM w_ev e
  WHERE event_name IN ('AssumeRole', 'AssumeRoleWithWebIdentity') AND NOT is_error AND f_new_org_ip
)
SELECT 'lateral_cross_account_assume_role' AS detector, ip24 AS subject, min(account_id) AS account_id, min(aws_region) AS region,
  first(principal ORDER BY event_time, event_id) AS principal, first(principal_type ORDER BY event_time, event_id) AS principal_type,
  first(access_key ORDER BY event_time, event_id) AS access_key, list_sort(list(DISTINCT ip), 'ASC', 'NULLS LAST') AS source_ips,
  min(event_time) AS first_seen, max(event_time) AS last_seen, count(*)::BIGINT AS cnt,
  min_by(event_id, (event_time, event_id), 20) AS evidence,
  count(DISTINCT target)::DOUBLE AS score, 'accounts_reached' AS metric, count(DISTINCT target)::DOUBLE AS observed, 0::DOUBLE AS expected,
  count(*) || ' AssumeRole calls reaching account(s) ' || string_agg(DISTINCT target, ', ' ORDER BY target) || ' via ' ||
    string_agg(DISTINCT json_extract_string(request_parameters, '$.roleArn'), ', ' ORDER BY json_extract_string(request_parameters, '$.roleArn')) AS detail
FROM a
WHERE target <> '' AND target <> coalesce(principal_account, '')
GROUP BY ip24
