-- A long-term access key (AKIA…) never seen in the baseline, used from a network new to the organisation.
SELECT 'access_key_first_use' AS detector, access_key AS subject,
  min(account_id) AS account_id, min(aws_region) AS region, min(principal) AS principal,
  min(principal_type) AS principal_type, access_key,
  list_sort(list(DISTINCT ip) FILTER (ip IS NOT NULL), 'ASC', 'NULLS LAST') AS source_ips,
  min(event_time) AS first_seen, max(event_time) AS last_seen, count(*)::BIGINT AS cnt,
  min_by(event_id, (event_time, event_id), 20) AS evidence,
  count(*)::DOUBLE AS score, 'events' AS metric, count(*)::DOUBLE AS observed, 0::DOUBLE AS expected,
  'access key ' || access_key || ' had no activity in the baseline and was first used from ' ||
    array_to_string(list_sort(list(DISTINCT ip) FILTER (ip IS NOT NULL), 'ASC', 'NULLS LAST')[1:3], ', ') AS detail
FROM w_ev
WHERE f_new_key
GROUP BY access_key
HAVING bool_or(f_new_org_ip)
