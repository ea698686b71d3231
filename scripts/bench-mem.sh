#!/usr/bin/env bash
# make bench-mem: convert ≥5 GB of uncompressed CloudTrail in one run and check
# its peak RSS against a limit (MEM_LIMIT_MIB, default 512). Opt-in: not part
# of make test. The corpus is generated once into the git-ignored bench/data
# (the same one make bench uses). EXTRACT=false converts without entities.
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
"$OUT/measure" -- "$SECLAKE" convert --raw "$dir" --prefix AWSLogs/ --lake "$OUT/lake" --log-level warn --json \
	--extract="${EXTRACT:-true}" > "$OUT/conv.json" 2> "$OUT/conv.err" || { cat "$OUT/conv.err"; exit 1; }
field() { sed -n 's/.*"'"$1"'":\([0-9.]*\).*/\1/p' "$2" | tail -1; }
RSS=$(field max_rss_mib "$OUT/conv.err")
MB=$(($(field bytes_decompressed "$OUT/conv.json" | cut -d. -f1) / 1000000))
echo "convert (extract=${EXTRACT:-true}): ${MB} MB of CloudTrail, $(field records_written "$OUT/conv.json") records in $(field wall_s "$OUT/conv.err")s, peak RSS ${RSS} MiB (limit ${LIMIT} MiB)"
awk -v r="$RSS" -v l="$LIMIT" 'BEGIN { exit !(r <= l) }' || { echo "peak RSS ${RSS} MiB is over ${LIMIT} MiB" >&2; exit 1; }
