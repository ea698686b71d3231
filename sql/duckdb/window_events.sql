-- w_ev: the window's CloudTrail events (w_ct) with first-seen flags against the baseline (b_seen).
-- The payload columns (JSON text, raw user agent) are kept only for the events that a rule or a
-- detector reads them from (the event names of sensitive_rules.json and of the detectors that read them,
-- filled in by the job): they are
-- most of a row's bytes, and w_ev holds every CloudTrail event of the window.
CREATE OR REPLACE TEMP TABLE w_ev AS
SELECT w.* REPLACE (
    CASE WHEN {{PAYLOAD_EVENTS}} THEN w.request_parameters END AS request_parameters,
    CASE WHEN {{PAYLOAD_EVENTS}} THEN w.response_elements END AS response_elements,
    CASE WHEN {{PAYLOAD_EVENTS}} THEN w.additional_event_data END AS additional_event_data,
    CASE WHEN {{PAYLOAD_EVENTS}} THEN w.user_agent END AS user_agent),
  (w.ip_public AND so.value IS NULL) AS f_new_org_ip,
  (w.ip24 IS NOT NULL AND sp.value IS NULL) AS f_new_p_ip,
  -- Minimum history: a principal active on fewer than 3 baseline days has no profile of its own
  -- worth comparing user agents and APIs with; a user agent class then only counts when no
  -- principal of the organisation used it (its peers), and new APIs do not count.
  (h.subject IS NOT NULL AND su.value IS NULL AND (coalesce(ph.days, 0) >= 3 OR ou.value IS NULL)) AS f_new_ua,
  (h.subject IS NOT NULL AND sa.value IS NULL AND NOT w.is_error AND coalesce(ph.days, 0) >= 3) AS f_new_api,
  (h.subject IS NOT NULL AND sr.value IS NULL) AS f_new_region,
  (w.access_key LIKE 'AKIA%' AND sk.value IS NULL) AS f_new_key,
  (h.subject IS NULL) AS f_new_principal
FROM w_ct w
LEFT JOIN (SELECT value FROM b_seen WHERE dim = 'org_ip24') so ON so.value = w.ip24
LEFT JOIN (SELECT subject, value FROM b_seen WHERE dim = 'p_ip24') sp ON sp.subject = w.principal AND sp.value = w.ip24
LEFT JOIN (SELECT subject, value FROM b_seen WHERE dim = 'p_ua') su ON su.subject = w.principal AND su.value = w.ua_class
LEFT JOIN (SELECT subject, value FROM b_seen WHERE dim = 'p_api') sa ON sa.subject = w.principal AND sa.value = w.event_name
LEFT JOIN (SELECT subject, value FROM b_seen WHERE dim = 'p_region') sr ON sr.subject = w.principal AND sr.value = w.aws_region
LEFT JOIN (SELECT value FROM b_seen WHERE dim = 'key') sk ON sk.value = w.access_key
LEFT JOIN (SELECT subject FROM b_seen WHERE dim = 'p_any') h ON h.subject = w.principal
LEFT JOIN b_hist ph ON ph.principal = w.principal
LEFT JOIN b_org_ua ou ON ou.value = w.ua_class
WHERE w.principal IS NOT NULL;

-- sess: one row per (account, principal, source /24) of the window with its first-seen score.
-- Score (0–100, capped): new network for the organisation 40, and 20 more when the principal
-- is a workload or IAM user with a history of its own (role sessions other than SSO/federated
-- humans, IAM users: people travel, workload credentials do not), user agent class new for the principal 25,
-- offensive-tool user agent 20, long-term key never used before 20, principal with no
-- history 15, APIs new for the principal 5 each (≤ 20), ≥ 3 AccessDenied 10.
CREATE OR REPLACE TEMP TABLE sess AS
WITH g AS (
  SELECT account_id, principal, coalesce(ip24, '-') AS ip24,
    min(principal_type) AS principal_type,
    list_sort(list(DISTINCT ip) FILTER (ip IS NOT NULL), 'ASC', 'NULLS LAST') AS ips,
    list_sort(list(DISTINCT access_key) FILTER (access_key IS NOT NULL), 'ASC', 'NULLS LAST') AS keys,
    list_sort(list(DISTINCT aws_region) FILTER (aws_region IS NOT NULL), 'ASC', 'NULLS LAST') AS regions,
    min(event_time) AS first_seen, max(event_time) AS last_seen, count(*)::BIGINT AS cnt,
    count(*) FILTER (is_denied)::BIGINT AS denied,
    bool_or(f_new_org_ip) AS new_org_ip, bool_or(f_new_p_ip) AS new_p_ip,
    list_sort(list(DISTINCT ua_class) FILTER (f_new_ua), 'ASC', 'NULLS LAST') AS new_uas,
    list_sort(list(DISTINCT event_name) FILTER (f_new_api), 'ASC', 'NULLS LAST') AS new_apis,
    list_sort(list(DISTINCT access_key) FILTER (f_new_key), 'ASC', 'NULLS LAST') AS new_keys,
    bool_or(f_new_principal) AS new_principal,
    bool_or(ua_class = 'offensive_tool') AS offensive
    -- evidence (the first 20 events) is taken in detect_first_seen_session.sql for the sessions
    -- that become findings only: 20 ids for every session of the window are hundreds of MB
  FROM w_ev GROUP BY account_id, principal, coalesce(ip24, '-')
)
SELECT g.*,
  least(100, 40 * new_org_ip::INT
    + 20 * (new_org_ip AND NOT new_principal AND (principal_type = 'IAMUser' OR (principal LIKE '%:assumed-role/%' AND principal NOT LIKE '%/AWSReservedSSO\_%' ESCAPE '\')))::INT
    + 25 * (len(coalesce(new_uas, [])) > 0)::INT + 20 * offensive::INT
    + 20 * (len(coalesce(new_keys, [])) > 0)::INT + 15 * new_principal::INT
    + least(20, 5 * len(coalesce(new_apis, []))) + 10 * (denied >= 3)::INT)::DOUBLE AS score
FROM g;
