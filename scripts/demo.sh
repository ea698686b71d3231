#!/usr/bin/env bash
# make demo: the main job end to end on a local lake, no AWS account needed.
#   1. generate 14 days of a 3-account AWS organization with labelled attacks (raw AWS delivery layout)
#   2. convert them into a partitioned zstd Parquet lake
#   3. summarise the lake and run a few DuckDB queries over it
#   6. detect anomalies day by day against 14-day baselines, print the top findings, score them against labels.json
#   7. write the weekly compliance reports (SOC 2, PCI DSS, GDPR) and print where they are
set -euo pipefail
SECLAKE=${1:?seclake binary}
DEMO=${2:?demo dir}
RAW="$DEMO/raw"
LAKE="$DEMO/lake"
DAYS=${DEMO_DAYS:-14}
RATE=${DEMO_RATE:-3000}
rm -rf "$DEMO"
mkdir -p "$DEMO"
start=$(date +%s)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
q() {
	printf '\n\033[2m-- %s\033[0m\n' "$1"
	"$SECLAKE" query --lake "$LAKE" "$2"
}

step "1. generate: $DAYS days, 3 accounts, ~$RATE benign CloudTrail events/hour, all attack scenarios → $RAW"
"$SECLAKE" generate --out "$RAW" --start 2026-10-01 --days "$DAYS" --accounts 3 --principals 40 --rate "$RATE" --seed 7 --attacks all
echo "raw layout, e.g.:"
(cd "$RAW" && find AWSLogs s3-access-logs -type f | sort | awk 'NR%20000==1' | head -4 | sed 's/^/  /')
echo "attack scenarios in labels.json: $(grep -o '"technique"' "$RAW/labels.json" | wc -l) (incl. legitimate rare events a detector must not flag)"

step "2. convert → $LAKE (partitioned zstd Parquet, quarantine, manifest last)"
"$SECLAKE" convert --raw "$RAW" --prefix AWSLogs/,s3-access-logs/ --lake "$LAKE" --log-level warn

step "3. the lake"
echo "objects: $(find "$LAKE" -name '*.parquet' | wc -l) Parquet parts, $(du -sh "$LAKE" | cut -f1) (raw: $(du -sh "$RAW" | cut -f1))"
q "events, quarantine and partitions per table" \
"SELECT 'cloudtrail' AS table_name, count(*) AS records, count(DISTINCT (region, \"accountId\", \"eventDay\", \"eventHour\")) AS partitions FROM cloudtrail
 UNION ALL SELECT 'vpcflow', count(*), count(DISTINCT (region, \"accountId\", \"eventDay\", \"eventHour\")) FROM vpcflow
 UNION ALL SELECT 's3access', count(*), count(DISTINCT (region, \"accountId\", \"eventDay\", \"eventHour\")) FROM s3access
 UNION ALL SELECT 'quarantine', count(*), count(DISTINCT \"eventDay\") FROM quarantine"
q "the run manifest: every record accounted for" \
"SELECT counts.records_read, counts.records_written, counts.records_quarantined, counts.files_read, counts.files_skipped FROM read_json('$LAKE/runs/convert/all/manifest.json')"

step "4. questions an analyst asks (DuckDB SQL over the lake)"
q "who touched CloudTrail, GuardDuty or flow-log settings (defense evasion)" \
"SELECT event_time, \"accountId\", event_name, user_identity_arn, source_ip_address FROM cloudtrail
 WHERE event_name IN ('StopLogging','DeleteTrail','PutEventSelectors','DeleteFlowLogs','DeleteDetector','UpdateDetector') ORDER BY event_time LIMIT 10"
q "principals with the most AccessDenied errors" \
"SELECT user_identity_arn, count(*) AS denied, count(DISTINCT event_name) AS apis, count(DISTINCT source_ip_address) AS ips
 FROM cloudtrail WHERE error_code = 'AccessDenied' GROUP BY 1 ORDER BY denied DESC LIMIT 5"
q "root account and console logins without MFA" \
"SELECT event_time, \"accountId\", event_name, user_identity_type, source_ip_address, json_extract_string(additional_event_data, '\$.MFAUsed') AS mfa
 FROM cloudtrail WHERE user_identity_type = 'Root' OR (event_name = 'ConsoleLogin' AND json_extract_string(additional_event_data, '\$.MFAUsed') = 'No') ORDER BY event_time LIMIT 8"
q "largest outbound VPC flows to public addresses" \
"SELECT srcaddr, dstaddr, dstport, sum(bytes) AS bytes_out, count(*) AS flows FROM vpcflow
 WHERE flow_direction = 'egress' AND action = 'ACCEPT' AND NOT (dstaddr LIKE '10.%' OR dstaddr LIKE '172.%' OR dstaddr LIKE '192.168.%')
 GROUP BY ALL ORDER BY bytes_out DESC LIMIT 5"
q "S3 objects read per requester (exfiltration shows up here)" \
"SELECT requester, remote_ip, count(*) AS gets, sum(bytes_sent) AS bytes FROM s3access WHERE operation = 'REST.GET.OBJECT' GROUP BY ALL ORDER BY bytes DESC LIMIT 5"

step "5. entities extracted from every event (p_any_* columns and the entities view)"
KEY=$("$SECLAKE" query --lake "$LAKE" --format csv "SELECT value FROM entities WHERE kind = 'access_key_id' AND attr = 'long_term' GROUP BY value ORDER BY count(*) ASC, value LIMIT 1" | tail -1)
q "entity kinds found" \
"SELECT kind, count(*) AS mentions, count(DISTINCT value) AS distinct_values FROM entities GROUP BY kind ORDER BY mentions DESC LIMIT 12"
q "everything long-term access key $KEY did" \
"SELECT event_time, event_name, source_ip_address, error_code FROM cloudtrail WHERE list_contains(p_any_access_key_ids, '$KEY') ORDER BY event_time LIMIT 8"
q "user agents by class" \
"SELECT attr AS ua_class, count(*) AS events, any_value(value) AS example FROM entities WHERE kind = 'user_agent' GROUP BY attr ORDER BY events DESC"

step "6. detect: every day scored against its own baseline (first-seen, z / modified z, sensitive actions) → findings"
# DEMO_DETECT_FROM shortens the run (default: every day after the first, which only serves as baseline).
DFROM=${DEMO_DETECT_FROM:-2026-10-02}
DTO=$(date -u -d "2026-10-01 + $DAYS days" +%Y-%m-%d)
"$SECLAKE" detect --lake "$LAKE" --from "$DFROM" --to "$DTO" --baseline-days 14 --accounts "$RAW/accounts.json" --top 6 --log-level warn
q "findings per detector (findings/eventDay=…/ Parquet + JSONL; baselines/ hold the daily profiles)" \
"SELECT detector, attack_technique, count(DISTINCT finding_id) AS findings, max(severity) AS max_severity FROM findings GROUP BY ALL ORDER BY findings DESC LIMIT 12"
echo
echo "evaluation against the generator's labels (recall: scenarios found; precision: findings that match a scenario):"
"$SECLAKE" eval --lake "$LAKE" --labels "$RAW/labels.json" --from "$DFROM" --to "$DTO" | tail -1
PERIOD=${DEMO_PERIOD:-2026-W41}
step "7. compliance reports for $PERIOD (findings so far, log coverage and gaps, per-control evidence)"
"$SECLAKE" report --lake "$LAKE" --period "$PERIOD" --frameworks soc2,pci-dss,gdpr --now 2026-10-15T00:00:00Z --log-level warn | tee "$DEMO/report.out"
REPORT=$(grep '^report: ' "$DEMO/report.out" | head -1 | cut -d' ' -f2-)

echo
echo "demo finished in $(( $(date +%s) - start ))s. Lake: $LAKE — try: $SECLAKE query --lake $LAKE \"SELECT * FROM cloudtrail LIMIT 5\""
echo "report: $REPORT"
