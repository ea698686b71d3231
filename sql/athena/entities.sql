-- entities: every extracted entity of every event table (view over their nested entities columns).
-- Generated from schemas/ by `go test ./schemas -update`; do not edit.
CREATE OR REPLACE VIEW entities AS
SELECT 'cloudtrail' AS source_table, event_id AS event_id, event_time, source_object, source_offset, e.kind AS kind, e.value AS value, e.role AS role, e.field AS field, e.confidence AS confidence, e.attr AS attr, region, accountid, eventday, eventhour
FROM "seclake"."cloudtrail"
CROSS JOIN UNNEST(entities) AS t(e)
UNION ALL
SELECT 'vpcflow' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, e.kind AS kind, e.value AS value, e.role AS role, e.field AS field, e.confidence AS confidence, e.attr AS attr, region, accountid, eventday, eventhour
FROM "seclake"."vpcflow"
CROSS JOIN UNNEST(entities) AS t(e)
UNION ALL
SELECT 's3access' AS source_table, source_object || '#' || CAST(source_line AS VARCHAR) AS event_id, event_time, source_object, source_offset, e.kind AS kind, e.value AS value, e.role AS role, e.field AS field, e.confidence AS confidence, e.attr AS attr, region, accountid, eventday, eventhour
FROM "seclake"."s3access"
CROSS JOIN UNNEST(entities) AS t(e);
