#!/usr/bin/env bash
# make demo: the main job end to end on a local lake, no AWS account needed.
set -euo pipefail
SECLAKE=${1:?seclake binary}
DEMO=${2:?demo dir}
RAW="$DEMO/raw"
LAKE="$DEMO/lake"
rm -rf "$DEMO"
mkdir -p "$RAW"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. raw logs in the AWS delivery layout (project samples)"
cp -r testdata/raw/. "$RAW/"
(cd "$RAW" && find . -type f | sort | sed 's/^\.\//  /')

step "2. convert → partitioned zstd Parquet in $LAKE"
"$SECLAKE" convert --raw "$RAW" --lake "$LAKE" --log-level warn

step "3. the lake"
(cd "$LAKE" && find . -type f | sort | sed 's/^\.\//  /' | head -40)

q() { echo; echo "\$ seclake query \"$1\""; "$SECLAKE" query --lake "$LAKE" "$1"; }
step "4. queries (DuckDB over the lake)"
q "SELECT 'cloudtrail' AS source, count(*) AS events FROM cloudtrail UNION ALL SELECT 'vpcflow', count(*) FROM vpcflow UNION ALL SELECT 's3access', count(*) FROM s3access UNION ALL SELECT 'quarantine', count(*) FROM quarantine"
q "SELECT event_time, event_name, user_identity_type, user_identity_arn, source_ip_address, error_code FROM cloudtrail ORDER BY event_time"
q "SELECT srcaddr, dstaddr, dstport, action, bytes FROM vpcflow WHERE log_status = 'OK' ORDER BY bytes DESC"
q "SELECT event_time, remote_ip, operation, key, http_status, user_agent FROM s3access ORDER BY event_time"
q "SELECT counts.records_read, counts.records_written, counts.records_quarantined, counts.files_skipped FROM read_json('$LAKE/runs/convert/all/manifest.json')"
echo
echo "Lake written to $LAKE — try: $SECLAKE query --lake $LAKE \"SELECT * FROM cloudtrail LIMIT 5\""
