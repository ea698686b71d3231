-- name: seclake-access-key-activity
-- description: Everything one access key did (last 7 days), in time order, from CloudTrail. Replace the key id.
-- tables: cloudtrail
SELECT event_time, recipient_account_id, aws_region, event_source, event_name, error_code,
       source_ip_address, user_agent, user_identity_arn, request_parameters
FROM cloudtrail
WHERE eventday >= date_format(current_date - interval '7' day, '%Y%m%d')
  AND (user_identity_access_key_id = 'AKIAEXAMPLEEXAMPLE00' OR contains(p_any_access_key_ids, 'AKIAEXAMPLEEXAMPLE00'))
ORDER BY event_time;
