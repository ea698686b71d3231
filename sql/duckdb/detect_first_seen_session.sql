-- Activity from a network never seen in the organisation, scored with the other first-seen
-- signals of the same principal and /24 (see sess in window_events.sql).
WITH hit AS (
  SELECT sess.*, th.session_score AS th_score FROM sess JOIN thresholds th ON th.account_type = acct_type(sess.account_id)
  WHERE new_org_ip AND score >= th.session_score
),
ev AS ( -- the first 20 events of each such session
  SELECT h.account_id AS ev_account, h.principal AS ev_principal, h.ip24 AS ev_ip24, min_by(e.event_id, (e.event_time, e.event_id), 20) AS evidence
  FROM hit h JOIN w_ev e ON e.account_id IS NOT DISTINCT FROM h.account_id AND e.principal = h.principal AND coalesce(e.ip24, '-') = h.ip24
  GROUP BY ALL
)
SELECT 'first_seen_session' AS detector,
  account_id || '|' || principal || '|' || ip24 AS subject,
  account_id, regions[1] AS region, principal, principal_type, keys[1] AS access_key, ips AS source_ips,
  first_seen, last_seen, cnt, ev.evidence, score, 'session_score' AS metric, score AS observed, th_score AS expected,
  concat_ws('; ',
    CASE WHEN new_org_ip THEN 'source network ' || ip24 || '.0/24 never seen in the organisation' END,
    CASE WHEN len(coalesce(new_uas, [])) > 0 THEN 'user agent class ' || array_to_string(new_uas, ', ') || ' new for this principal' END,
    CASE WHEN offensive THEN 'offensive-tool user agent' END,
    CASE WHEN len(coalesce(new_keys, [])) > 0 THEN 'long-term access key ' || array_to_string(new_keys, ', ') || ' never used before' END,
    CASE WHEN new_principal THEN 'principal without any history' END,
    CASE WHEN len(coalesce(new_apis, [])) > 0 THEN len(new_apis) || ' APIs new for this principal (' || array_to_string(new_apis[1:6], ', ') || ')' END,
    CASE WHEN denied >= 3 THEN denied || ' access-denied errors' END) AS detail
FROM hit JOIN ev ON ev.ev_account IS NOT DISTINCT FROM hit.account_id AND ev.ev_principal = hit.principal AND ev.ev_ip24 = hit.ip24
