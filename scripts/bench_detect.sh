#!/usr/bin/env bash
# make bench-detect: detect wall time and peak RSS over a 14-day baseline, 1M vs 10M events.
#   1. generate 15 days of a 3-account organisation (~50k principals, all attacks) at two rates:
#      ~1M and ~10M events (CloudTrail + VPC flow + S3 access), convert each into bench/lake-<n>
#      (cached: delete bench/lake-<n> to regenerate)
#   2. per lake: detect the last day with --baseline-days 14, cold (computes the 14 daily
#      baseline profiles) and warm (the daily path: profiles exist, only the window is scored)
#   3. the 10M/1M ratios of the same run (≤ 10 means no worse than linear)
set -euo pipefail
SECLAKE=${1:?seclake binary}
ROOT=$(pwd)
DATA=${BENCH_DATA:-$ROOT/bench}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
MEASURE="$OUT/measure"
go build -o "$MEASURE" ./scripts/measure
field() { sed -n 's/.*"'"$1"'":\([0-9.]*\).*/\1/p' "$2" | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

lake() { # name rate
	local dir="$DATA/lake-$1"
	if [ ! -f "$dir/.complete" ]; then
		rm -rf "$dir" "$DATA/raw-$1"
		"$SECLAKE" generate --out "$DATA/raw-$1" --start 2026-10-01 --days 15 --accounts 3 --principals 50000 --rate "$2" --seed 99 --attacks all >/dev/null
		"$SECLAKE" convert --raw "$DATA/raw-$1" --prefix AWSLogs/,s3-access-logs/ --lake "$dir" --extract=false --log-level warn >/dev/null
		rm -rf "$DATA/raw-$1"
		touch "$dir/.complete"
	fi
	echo "$dir"
}

declare -A WALL RSS
for spec in "1m 1570" "10m 15700"; do
	set -- $spec
	L=$(lake "$1" "$2")
	EVENTS=$("$SECLAKE" query --lake "$L" --format csv "SELECT (SELECT count(*) FROM cloudtrail) + (SELECT count(*) FROM vpcflow) + (SELECT count(*) FROM s3access)" | tail -1)
	PRINC=$("$SECLAKE" query --lake "$L" --format csv "SELECT count(DISTINCT user_identity_arn) FROM cloudtrail" | tail -1)
	echo "== $1: $EVENTS events, $PRINC distinct principals, $(du -sh "$L/events" | cut -f1) Parquet"
	for mode in cold warm; do
		if [ "$mode" = cold ]; then rm -rf "$L/baselines" "$L/findings" "$L/runs/detect-baseline"; fi
		"$MEASURE" -- "$SECLAKE" detect --lake "$L" --from 2026-10-15 --to 2026-10-16 --baseline-days 14 --top 0 --log-level warn > "$OUT/out" 2> "$OUT/m"
		WALL[$1-$mode]=$(field wall_s "$OUT/m"); RSS[$1-$mode]=$(field max_rss_mib "$OUT/m")
		printf '%-5s %-4s detect: %6.1f s wall, peak RSS %6.0f MiB   %s\n' "$1" "$mode" "${WALL[$1-$mode]}" "${RSS[$1-$mode]}" "$(head -1 "$OUT/out" | cut -c1-120)"
	done
done
echo "== ratios 10M/1M (same run): cold wall $(ratio "${WALL[10m-cold]}" "${WALL[1m-cold]}")x, warm wall $(ratio "${WALL[10m-warm]}" "${WALL[1m-warm]}")x, warm RSS $(ratio "${RSS[10m-warm]}" "${RSS[1m-warm]}")x"
