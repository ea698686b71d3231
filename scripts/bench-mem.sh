#!/usr/bin/env bash
# make bench-mem: convert ≥5 GB of uncompressed CloudTrail in one run, then
# detect its last day against the four days before it, cold (the daily
# baseline profiles are computed in that run too) and warm (the daily path),
# and check the peak RSS of convert and of both detects against a limit
# (MEM_LIMIT_MIB, default 512); detect runs with its default --memory-limit.
# Opt-in: not part of make test.
# The corpus is generated once into the git-ignored bench/data (the same one
# make bench uses). EXTRACT=false converts without entities; DETECT=false
# skips detect.
set -euo pipefail
SECLAKE=${1:?seclake binary}
ROOT=$(pwd)
DATA=${BENCH_DATA:-$ROOT/bench/data}
LIMIT=${MEM_LIMIT_MIB:-512}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
go build -o "$OUT/measure" ./scripts/measure
dir="$DATA/ct-5g"
if [ ! -f "$dir/.complete" ]; then
	rm -rf "$dir"
	"$SECLAKE" generate --out "$dir" --days 5 --accounts 3 --principals 40 --rate 36000 --seed 11 --sources cloudtrail >/dev/null
	touch "$dir/.complete"
fi
field() { sed -n 's/.*"'"$1"'": *\([0-9.]*\).*/\1/p' "$2" | tail -1; }
check() { # name rss
	awk -v r="$2" -v l="$LIMIT" 'BEGIN { exit !(r <= l) }' || { echo "$1: peak RSS $2 MiB is over ${LIMIT} MiB" >&2; FAILED=1; }
}
FAILED=0
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$OUT/measure" -- "$SECLAKE" convert --raw "$dir" --prefix AWSLogs/ --lake "$OUT/lake" --log-level warn --json \
	--extract="${EXTRACT:-true}" > "$OUT/conv.json" 2> "$OUT/conv.err" || { cat "$OUT/conv.err"; exit 1; }
RSS=$(field max_rss_mib "$OUT/conv.err")
MB=$(($(field bytes_decompressed "$OUT/conv.json" | cut -d. -f1) / 1000000))
echo "convert (extract=${EXTRACT:-true}): ${MB} MB of CloudTrail, $(field records_written "$OUT/conv.json") records in $(field wall_s "$OUT/conv.err")s, peak RSS ${RSS} MiB (limit ${LIMIT} MiB)"
check convert "$RSS"
if [ "${DETECT:-true}" = true ]; then
	# The corpus covers 2026-10-01 .. 2026-10-05: score the last day against the four before it.
	"$OUT/measure" -- "$SECLAKE" detect --lake "$OUT/lake" --from 2026-10-05T00:00:00Z --to 2026-10-06T00:00:00Z \
		--baseline-days 4 --top 0 --log-level warn --json > "$OUT/det.json" 2> "$OUT/det.err" || { cat "$OUT/det.err"; exit 1; }
	RSS=$(field max_rss_mib "$OUT/det.err")
	echo "detect (cold, 4 baseline days computed): $(field findings "$OUT/det.json") findings in $(field wall_s "$OUT/det.err")s, peak RSS ${RSS} MiB (limit ${LIMIT} MiB)"
	check "detect (cold)" "$RSS"
	"$OUT/measure" -- "$SECLAKE" detect --lake "$OUT/lake" --from 2026-10-05T00:00:00Z --to 2026-10-06T00:00:00Z \
		--baseline-days 4 --top 0 --log-level warn --json > "$OUT/det.json" 2> "$OUT/det.err" || { cat "$OUT/det.err"; exit 1; }
	RSS=$(field max_rss_mib "$OUT/det.err")
	echo "detect (warm, the daily path): $(field findings "$OUT/det.json") findings in $(field wall_s "$OUT/det.err")s, peak RSS ${RSS} MiB (limit ${LIMIT} MiB)"
	check "detect (warm)" "$RSS"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$FAILED"
