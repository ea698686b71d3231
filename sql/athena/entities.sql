-- entities: every extracted entity of every event table (their entities lists, and the entities their typed columns hold).
-- Generated from schemas/ by `go test ./schemas -update`; do not edit.
CREATE OR REPLACE VIEW entities AS
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, e.kind AS kind, e.value AS value, e.role AS role, e.field AS field, e.confidence AS confidence, e.attr AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
CROSS JOIN UNNEST(entities) AS t(e)
UNION ALL
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, 'ip_address' AS kind, "source_ip_address" AS value, 'source_ip' AS role, 'source_ip_address' AS field, CAST(1 AS real) AS confidence, "source_ip_class" AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
WHERE bitwise_and(p_typed_entities, 1) <> 0
UNION ALL
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, 'user_agent' AS kind, "user_agent" AS value, 'client' AS role, 'user_agent' AS field, CAST(1 AS real) AS confidence, "user_agent_class" AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
WHERE bitwise_and(p_typed_entities, 2) <> 0
UNION ALL
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, "recipient_account_id" AS value, 'recipient' AS role, 'recipient_account_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
WHERE bitwise_and(p_typed_entities, 4) <> 0
UNION ALL
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, "vpc_endpoint_account_id" AS value, 'owner' AS role, 'vpc_endpoint_account_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
WHERE bitwise_and(p_typed_entities, 8) <> 0
UNION ALL
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, "user_identity_account_id" AS value, 'actor' AS role, 'user_identity_account_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
WHERE bitwise_and(p_typed_entities, 16) <> 0
UNION ALL
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, 'access_key_id' AS kind, "user_identity_access_key_id" AS value, 'actor' AS role, 'user_identity_access_key_id' AS field, CAST(1 AS real) AS confidence, CASE WHEN substr("user_identity_access_key_id", 2, 1) = 'K' THEN 'long_term' ELSE 'temporary' END AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
WHERE bitwise_and(p_typed_entities, 32) <> 0
UNION ALL
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, "session_issuer_account_id" AS value, 'issuer' AS role, 'session_issuer_account_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
WHERE bitwise_and(p_typed_entities, 64) <> 0
UNION ALL
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, 'domain_name' AS kind, "tls_client_provided_host_header" AS value, 'target' AS role, 'tls_client_provided_host_header' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
WHERE bitwise_and(p_typed_entities, 128) <> 0
UNION ALL
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, CASE WHEN split_part("user_identity_arn", ':', 3) = 'iam' AND split_part("user_identity_arn", ':', 6) = 'root' THEN 'root' WHEN split_part("user_identity_arn", ':', 3) = 'iam' AND split_part("user_identity_arn", ':', 6) LIKE 'user/%' THEN 'iam_user_arn' WHEN split_part("user_identity_arn", ':', 3) = 'iam' AND split_part("user_identity_arn", ':', 6) LIKE 'role/%' THEN 'iam_role_arn' WHEN split_part("user_identity_arn", ':', 3) = 'sts' AND split_part("user_identity_arn", ':', 6) LIKE 'assumed-role/AWSReservedSSO%' THEN 'sso_principal' WHEN split_part("user_identity_arn", ':', 3) = 'sts' AND split_part("user_identity_arn", ':', 6) LIKE 'assumed-role/%' THEN 'assumed_role_arn' WHEN split_part("user_identity_arn", ':', 3) = 'sts' AND split_part("user_identity_arn", ':', 6) LIKE 'federated-user/%' THEN 'federated_principal' ELSE 'arn' END AS kind, "user_identity_arn" AS value, 'actor' AS role, 'user_identity_arn' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
WHERE bitwise_and(p_typed_entities, 256) <> 0
UNION ALL
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, split_part("user_identity_arn", ':', 5) AS value, 'actor' AS role, 'user_identity_arn' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
WHERE bitwise_and(p_typed_entities, 512) <> 0
UNION ALL
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, 'email_address' AS kind, lower(element_at(split("user_identity_arn", '/'), -1)) AS value, 'actor' AS role, 'user_identity_arn' AS field, CAST(0.9 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
WHERE bitwise_and(p_typed_entities, 1024) <> 0
UNION ALL
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, 'instance_id' AS kind, element_at(split("user_identity_arn", '/'), -1) AS value, 'actor' AS role, 'user_identity_arn' AS field, CAST(0.9 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
WHERE bitwise_and(p_typed_entities, 2048) <> 0
UNION ALL
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, CASE WHEN split_part("session_issuer_arn", ':', 3) = 'iam' AND split_part("session_issuer_arn", ':', 6) = 'root' THEN 'root' WHEN split_part("session_issuer_arn", ':', 3) = 'iam' AND split_part("session_issuer_arn", ':', 6) LIKE 'user/%' THEN 'iam_user_arn' WHEN split_part("session_issuer_arn", ':', 3) = 'iam' AND split_part("session_issuer_arn", ':', 6) LIKE 'role/%' THEN 'iam_role_arn' WHEN split_part("session_issuer_arn", ':', 3) = 'sts' AND split_part("session_issuer_arn", ':', 6) LIKE 'assumed-role/AWSReservedSSO%' THEN 'sso_principal' WHEN split_part("session_issuer_arn", ':', 3) = 'sts' AND split_part("session_issuer_arn", ':', 6) LIKE 'assumed-role/%' THEN 'assumed_role_arn' WHEN split_part("session_issuer_arn", ':', 3) = 'sts' AND split_part("session_issuer_arn", ':', 6) LIKE 'federated-user/%' THEN 'federated_principal' ELSE 'arn' END AS kind, "session_issuer_arn" AS value, 'issuer' AS role, 'session_issuer_arn' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
WHERE bitwise_and(p_typed_entities, 4096) <> 0
UNION ALL
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, split_part("session_issuer_arn", ':', 5) AS value, 'issuer' AS role, 'session_issuer_arn' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
WHERE bitwise_and(p_typed_entities, 8192) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, e.kind AS kind, e.value AS value, e.role AS role, e.field AS field, e.confidence AS confidence, e.attr AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
CROSS JOIN UNNEST(entities) AS t(e)
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, "account_id" AS value, 'owner' AS role, 'account_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 1) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'network_interface_id' AS kind, "interface_id" AS value, 'target' AS role, 'interface_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 2) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'ip_address' AS kind, "srcaddr" AS value, 'source_ip' AS role, 'srcaddr' AS field, CAST(1 AS real) AS confidence, "srcaddr_class" AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 4) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'ip_address' AS kind, "dstaddr" AS value, 'dest_ip' AS role, 'dstaddr' AS field, CAST(1 AS real) AS confidence, "dstaddr_class" AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 8) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'ip_address' AS kind, "pkt_srcaddr" AS value, 'source_ip' AS role, 'pkt_srcaddr' AS field, CAST(1 AS real) AS confidence, "pkt_srcaddr_class" AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 16) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'ip_address' AS kind, "pkt_dstaddr" AS value, 'dest_ip' AS role, 'pkt_dstaddr' AS field, CAST(1 AS real) AS confidence, "pkt_dstaddr_class" AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 32) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'vpc_id' AS kind, "vpc_id" AS value, 'target' AS role, 'vpc_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 64) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'subnet_id' AS kind, "subnet_id" AS value, 'target' AS role, 'subnet_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 128) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'instance_id' AS kind, "instance_id" AS value, 'target' AS role, 'instance_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 256) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, "tgw_src_vpc_account_id" AS value, 'owner' AS role, 'tgw_src_vpc_account_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 512) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, "tgw_dst_vpc_account_id" AS value, 'owner' AS role, 'tgw_dst_vpc_account_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 1024) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'vpc_id' AS kind, "tgw_src_vpc_id" AS value, 'target' AS role, 'tgw_src_vpc_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 2048) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'vpc_id' AS kind, "tgw_dst_vpc_id" AS value, 'target' AS role, 'tgw_dst_vpc_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 4096) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'subnet_id' AS kind, "tgw_src_subnet_id" AS value, 'target' AS role, 'tgw_src_subnet_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 8192) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'subnet_id' AS kind, "tgw_dst_subnet_id" AS value, 'target' AS role, 'tgw_dst_subnet_id' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 16384) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'network_interface_id' AS kind, "tgw_src_eni" AS value, 'target' AS role, 'tgw_src_eni' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 32768) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'network_interface_id' AS kind, "tgw_dst_eni" AS value, 'target' AS role, 'tgw_dst_eni' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 65536) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, CASE WHEN split_part("ecs_cluster_arn", ':', 3) = 'iam' AND split_part("ecs_cluster_arn", ':', 6) = 'root' THEN 'root' WHEN split_part("ecs_cluster_arn", ':', 3) = 'iam' AND split_part("ecs_cluster_arn", ':', 6) LIKE 'user/%' THEN 'iam_user_arn' WHEN split_part("ecs_cluster_arn", ':', 3) = 'iam' AND split_part("ecs_cluster_arn", ':', 6) LIKE 'role/%' THEN 'iam_role_arn' WHEN split_part("ecs_cluster_arn", ':', 3) = 'sts' AND split_part("ecs_cluster_arn", ':', 6) LIKE 'assumed-role/AWSReservedSSO%' THEN 'sso_principal' WHEN split_part("ecs_cluster_arn", ':', 3) = 'sts' AND split_part("ecs_cluster_arn", ':', 6) LIKE 'assumed-role/%' THEN 'assumed_role_arn' WHEN split_part("ecs_cluster_arn", ':', 3) = 'sts' AND split_part("ecs_cluster_arn", ':', 6) LIKE 'federated-user/%' THEN 'federated_principal' ELSE 'arn' END AS kind, "ecs_cluster_arn" AS value, 'target' AS role, 'ecs_cluster_arn' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 131072) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, split_part("ecs_cluster_arn", ':', 5) AS value, 'target' AS role, 'ecs_cluster_arn' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 262144) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, CASE WHEN split_part("ecs_container_instance_arn", ':', 3) = 'iam' AND split_part("ecs_container_instance_arn", ':', 6) = 'root' THEN 'root' WHEN split_part("ecs_container_instance_arn", ':', 3) = 'iam' AND split_part("ecs_container_instance_arn", ':', 6) LIKE 'user/%' THEN 'iam_user_arn' WHEN split_part("ecs_container_instance_arn", ':', 3) = 'iam' AND split_part("ecs_container_instance_arn", ':', 6) LIKE 'role/%' THEN 'iam_role_arn' WHEN split_part("ecs_container_instance_arn", ':', 3) = 'sts' AND split_part("ecs_container_instance_arn", ':', 6) LIKE 'assumed-role/AWSReservedSSO%' THEN 'sso_principal' WHEN split_part("ecs_container_instance_arn", ':', 3) = 'sts' AND split_part("ecs_container_instance_arn", ':', 6) LIKE 'assumed-role/%' THEN 'assumed_role_arn' WHEN split_part("ecs_container_instance_arn", ':', 3) = 'sts' AND split_part("ecs_container_instance_arn", ':', 6) LIKE 'federated-user/%' THEN 'federated_principal' ELSE 'arn' END AS kind, "ecs_container_instance_arn" AS value, 'target' AS role, 'ecs_container_instance_arn' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 524288) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, split_part("ecs_container_instance_arn", ':', 5) AS value, 'target' AS role, 'ecs_container_instance_arn' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 1048576) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, CASE WHEN split_part("ecs_task_definition_arn", ':', 3) = 'iam' AND split_part("ecs_task_definition_arn", ':', 6) = 'root' THEN 'root' WHEN split_part("ecs_task_definition_arn", ':', 3) = 'iam' AND split_part("ecs_task_definition_arn", ':', 6) LIKE 'user/%' THEN 'iam_user_arn' WHEN split_part("ecs_task_definition_arn", ':', 3) = 'iam' AND split_part("ecs_task_definition_arn", ':', 6) LIKE 'role/%' THEN 'iam_role_arn' WHEN split_part("ecs_task_definition_arn", ':', 3) = 'sts' AND split_part("ecs_task_definition_arn", ':', 6) LIKE 'assumed-role/AWSReservedSSO%' THEN 'sso_principal' WHEN split_part("ecs_task_definition_arn", ':', 3) = 'sts' AND split_part("ecs_task_definition_arn", ':', 6) LIKE 'assumed-role/%' THEN 'assumed_role_arn' WHEN split_part("ecs_task_definition_arn", ':', 3) = 'sts' AND split_part("ecs_task_definition_arn", ':', 6) LIKE 'federated-user/%' THEN 'federated_principal' ELSE 'arn' END AS kind, "ecs_task_definition_arn" AS value, 'target' AS role, 'ecs_task_definition_arn' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 2097152) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, split_part("ecs_task_definition_arn", ':', 5) AS value, 'target' AS role, 'ecs_task_definition_arn' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 4194304) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, CASE WHEN split_part("ecs_task_arn", ':', 3) = 'iam' AND split_part("ecs_task_arn", ':', 6) = 'root' THEN 'root' WHEN split_part("ecs_task_arn", ':', 3) = 'iam' AND split_part("ecs_task_arn", ':', 6) LIKE 'user/%' THEN 'iam_user_arn' WHEN split_part("ecs_task_arn", ':', 3) = 'iam' AND split_part("ecs_task_arn", ':', 6) LIKE 'role/%' THEN 'iam_role_arn' WHEN split_part("ecs_task_arn", ':', 3) = 'sts' AND split_part("ecs_task_arn", ':', 6) LIKE 'assumed-role/AWSReservedSSO%' THEN 'sso_principal' WHEN split_part("ecs_task_arn", ':', 3) = 'sts' AND split_part("ecs_task_arn", ':', 6) LIKE 'assumed-role/%' THEN 'assumed_role_arn' WHEN split_part("ecs_task_arn", ':', 3) = 'sts' AND split_part("ecs_task_arn", ':', 6) LIKE 'federated-user/%' THEN 'federated_principal' ELSE 'arn' END AS kind, "ecs_task_arn" AS value, 'target' AS role, 'ecs_task_arn' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 8388608) <> 0
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, split_part("ecs_task_arn", ':', 5) AS value, 'target' AS role, 'ecs_task_arn' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
WHERE bitwise_and(p_typed_entities, 16777216) <> 0
UNION ALL
SELECT 's3access' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, e.kind AS kind, e.value AS value, e.role AS role, e.field AS field, e.confidence AS confidence, e.attr AS attr, region, accountid, eventday, eventhour
FROM "seclake"."s3access"
CROSS JOIN UNNEST(entities) AS t(e)
UNION ALL
SELECT 's3access' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 's3_bucket' AS kind, "bucket" AS value, 'target' AS role, 'bucket' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."s3access"
WHERE bitwise_and(p_typed_entities, 1) <> 0
UNION ALL
SELECT 's3access' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'ip_address' AS kind, "remote_ip" AS value, 'source_ip' AS role, 'remote_ip' AS field, CAST(1 AS real) AS confidence, "remote_ip_class" AS attr, region, accountid, eventday, eventhour
FROM "seclake"."s3access"
WHERE bitwise_and(p_typed_entities, 2) <> 0
UNION ALL
SELECT 's3access' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 's3_object_key' AS kind, "key" AS value, 'target' AS role, 'key' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."s3access"
WHERE bitwise_and(p_typed_entities, 4) <> 0
UNION ALL
SELECT 's3access' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'user_agent' AS kind, "user_agent" AS value, 'client' AS role, 'user_agent' AS field, CAST(1 AS real) AS confidence, "user_agent_class" AS attr, region, accountid, eventday, eventhour
FROM "seclake"."s3access"
WHERE bitwise_and(p_typed_entities, 8) <> 0
UNION ALL
SELECT 's3access' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'domain_name' AS kind, "host_header" AS value, 'target' AS role, 'host_header' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."s3access"
WHERE bitwise_and(p_typed_entities, 16) <> 0
UNION ALL
SELECT 's3access' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, CASE WHEN split_part("requester", ':', 3) = 'iam' AND split_part("requester", ':', 6) = 'root' THEN 'root' WHEN split_part("requester", ':', 3) = 'iam' AND split_part("requester", ':', 6) LIKE 'user/%' THEN 'iam_user_arn' WHEN split_part("requester", ':', 3) = 'iam' AND split_part("requester", ':', 6) LIKE 'role/%' THEN 'iam_role_arn' WHEN split_part("requester", ':', 3) = 'sts' AND split_part("requester", ':', 6) LIKE 'assumed-role/AWSReservedSSO%' THEN 'sso_principal' WHEN split_part("requester", ':', 3) = 'sts' AND split_part("requester", ':', 6) LIKE 'assumed-role/%' THEN 'assumed_role_arn' WHEN split_part("requester", ':', 3) = 'sts' AND split_part("requester", ':', 6) LIKE 'federated-user/%' THEN 'federated_principal' ELSE 'arn' END AS kind, "requester" AS value, 'actor' AS role, 'requester' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."s3access"
WHERE bitwise_and(p_typed_entities, 32) <> 0
UNION ALL
SELECT 's3access' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, split_part("requester", ':', 5) AS value, 'actor' AS role, 'requester' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."s3access"
WHERE bitwise_and(p_typed_entities, 64) <> 0
UNION ALL
SELECT 's3access' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'email_address' AS kind, lower(element_at(split("requester", '/'), -1)) AS value, 'actor' AS role, 'requester' AS field, CAST(0.9 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."s3access"
WHERE bitwise_and(p_typed_entities, 128) <> 0
UNION ALL
SELECT 's3access' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'instance_id' AS kind, element_at(split("requester", '/'), -1) AS value, 'actor' AS role, 'requester' AS field, CAST(0.9 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."s3access"
WHERE bitwise_and(p_typed_entities, 256) <> 0
UNION ALL
SELECT 's3access' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, CASE WHEN split_part("access_point_arn", ':', 3) = 'iam' AND split_part("access_point_arn", ':', 6) = 'root' THEN 'root' WHEN split_part("access_point_arn", ':', 3) = 'iam' AND split_part("access_point_arn", ':', 6) LIKE 'user/%' THEN 'iam_user_arn' WHEN split_part("access_point_arn", ':', 3) = 'iam' AND split_part("access_point_arn", ':', 6) LIKE 'role/%' THEN 'iam_role_arn' WHEN split_part("access_point_arn", ':', 3) = 'sts' AND split_part("access_point_arn", ':', 6) LIKE 'assumed-role/AWSReservedSSO%' THEN 'sso_principal' WHEN split_part("access_point_arn", ':', 3) = 'sts' AND split_part("access_point_arn", ':', 6) LIKE 'assumed-role/%' THEN 'assumed_role_arn' WHEN split_part("access_point_arn", ':', 3) = 'sts' AND split_part("access_point_arn", ':', 6) LIKE 'federated-user/%' THEN 'federated_principal' ELSE 'arn' END AS kind, "access_point_arn" AS value, 'target' AS role, 'access_point_arn' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."s3access"
WHERE bitwise_and(p_typed_entities, 512) <> 0
UNION ALL
SELECT 's3access' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, 'aws_account_id' AS kind, split_part("access_point_arn", ':', 5) AS value, 'target' AS role, 'access_point_arn' AS field, CAST(1 AS real) AS confidence, CAST(NULL AS varchar) AS attr, region, accountid, eventday, eventhour
FROM "seclake"."s3access"
WHERE bitwise_and(p_typed_entities, 1024) <> 0;
