-- Normalised CloudTrail rows: src_ct (a view over the partitions wanted) → the columns
-- every profile and detector uses. {{SRC}} is replaced by the source view name.
SELECT
  event_time,
  coalesce(event_id, source_object || '#' || CAST(source_offset AS VARCHAR)) AS event_id,
  event_source, event_name,
  coalesce(aws_region, region) AS aws_region,
  coalesce(recipient_account_id, "accountId") AS account_id,
  principal_of(user_identity_arn, user_identity_type, user_identity_invoked_by) AS principal,
  user_identity_type AS principal_type,
  user_identity_account_id AS principal_account,
  user_identity_user_name AS user_name,
  user_identity_access_key_id AS access_key,
  source_ip_address AS ip,
  ip24(source_ip_address) AS ip24,
  is_public_ip(source_ip_address) AS ip_public,
  ua_class(user_agent) AS ua_class,
  user_agent,
  error_code,
  error_code IS NOT NULL AS is_error,
  (error_code ILIKE '%AccessDenied%' OR error_code ILIKE '%Unauthorized%' OR error_code ILIKE '%Forbidden%') AS is_denied,
  NOT coalesce(read_only, false) AS is_write,
  session_mfa_authenticated AS mfa,
  request_parameters, response_elements, additional_event_data
FROM {{SRC}}
