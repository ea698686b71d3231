#!/usr/bin/env bash
# make bench: convert throughput and memory against baselines measured in the same run.
#   1. ≥1 GB of uncompressed CloudTrail in .json.gz delivery files (generated, cached in bench/data)
#   2. baselines: single-core zcat of the same files (the decompression floor) and DuckDB's own
#      COPY (SELECT unnest(Records, max_depth := 2) FROM read_json(…)) TO … (FORMAT parquet, COMPRESSION zstd)
#   3. seclake convert: wall time, throughput, peak RSS; then 5 GB for peak RSS against input size
#   4. Go micro-benchmarks with their own same-run baselines (parsers, generator)
# BENCH_5G=0 skips the 5 GB run; BENCH_MICRO=0 skips the micro-benchmarks.
set -euo pipefail
SECLAKE=${1:?seclake binary}
ROOT=$(pwd)
DATA=${BENCH_DATA:-$ROOT/bench/data}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
MEASURE="$OUT/measure"
go build -o "$MEASURE" ./scripts/measure

gen() { # name days rate
	local dir="$DATA/$1"
	if [ ! -f "$dir/.complete" ]; then
		rm -rf "$dir"
		"$SECLAKE" generate --out "$dir" --days "$2" --accounts 3 --principals 40 --rate "$3" --seed 11 --sources cloudtrail >/dev/null
		touch "$dir/.complete"
	fi
	echo "$dir"
}
field() { sed -n 's/.*"'"$1"'":\([0-9.]*\).*/\1/p' "$2" | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "== corpus"
C1=$(gen ct-1g 1 36000)
find "$C1/AWSLogs" -name '*.json.gz' | sort > "$OUT/files1"
RAWBYTES=$(xargs cat < "$OUT/files1" | wc -c)
JSONBYTES=$(xargs zcat < "$OUT/files1" | wc -c)
echo "files: $(wc -l < "$OUT/files1"), gzip: $((RAWBYTES/1000000)) MB, uncompressed JSON: $((JSONBYTES/1000000)) MB"

echo "== baseline: zcat, single core"
"$MEASURE" -- bash -c "xargs zcat < '$OUT/files1' > /dev/null" 2> "$OUT/zcat"
ZCAT=$(field wall_s "$OUT/zcat")
echo "zcat: ${ZCAT}s ($(awk -v b="$JSONBYTES" -v s="$ZCAT" 'BEGIN{printf "%.0f", b/1e6/s}') MB/s)"

# DuckDB cannot infer one schema for heterogeneous CloudTrail without union_by_name (it fails with
# "unknown key"); maximum_depth = 3 keeps requestParameters/responseElements… as JSON, the shape seclake
# writes (the fair comparison); the second run infers full nested types.
duck() { # name extra-options
	"$MEASURE" -- "$SECLAKE" query --lake "$OUT/empty" --format csv \
		"COPY (SELECT unnest(Records, max_depth := 2) FROM read_json('$C1/AWSLogs/**/*.json.gz', maximum_object_size = 67108864, union_by_name = true$2)) TO '$OUT/duck.parquet' (FORMAT parquet, COMPRESSION zstd)" \
		> /dev/null 2> "$OUT/$1"
	rm -f "$OUT/duck.parquet"
	echo "duckdb ($1): $(field wall_s "$OUT/$1")s ($(awk -v b="$JSONBYTES" -v s="$(field wall_s "$OUT/$1")" 'BEGIN{printf "%.0f", b/1e6/s}') MB/s), peak RSS $(field max_rss_mib "$OUT/$1") MiB"
}
echo "== baseline: DuckDB COPY (SELECT unnest(Records, max_depth := 2) FROM read_json(…)) TO … (FORMAT parquet, COMPRESSION zstd)"
mkdir -p "$OUT/empty"
duck duck-json-depth3 ", maximum_depth = 3"
duck duck-full-types ""
DUCK=$(field wall_s "$OUT/duck-json-depth3")
DUCKFULL=$(field wall_s "$OUT/duck-full-types")

# Extraction's cost: runs without and with extraction alternate (EXTRACT_RUNS pairs, default 5),
# so load from elsewhere hits both alike; the medians of wall and CPU time are compared.
RUNS=${EXTRACT_RUNS:-5}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
cpu() { awk -v u="$(field user_s "$1")" -v s="$(field sys_s "$1")" 'BEGIN { printf "%.2f", u + s }'; }
for i in $(seq "$RUNS"); do
	for x in false true; do
		"$MEASURE" -- "$SECLAKE" convert --raw "$C1" --prefix AWSLogs/ --lake "$OUT/lake1$x" --log-level warn --json --extract=$x > "$OUT/conv1$x.json" 2> "$OUT/conv1$x.$i"
		echo "$(field wall_s "$OUT/conv1$x.$i") $(cpu "$OUT/conv1$x.$i") $(field max_rss_mib "$OUT/conv1$x.$i")" >> "$OUT/runs$x"
		[ "$i" = "$RUNS" ] || rm -rf "$OUT/lake1$x"
	done
done
CONV=$(cut -d' ' -f1 "$OUT/runsfalse" | median); CONVCPU=$(cut -d' ' -f2 "$OUT/runsfalse" | median)
CONVX=$(cut -d' ' -f1 "$OUT/runstrue" | median); CONVXCPU=$(cut -d' ' -f2 "$OUT/runstrue" | median)
RSS1=$(cut -d' ' -f3 "$OUT/runsfalse" | sort -n | tail -1)
echo "== seclake convert (1 GB), without entity extraction (--extract=false), median of $RUNS"
echo "seclake: ${CONV}s ($(awk -v b="$JSONBYTES" -v s="$CONV" 'BEGIN{printf "%.0f", b/1e6/s}') MB/s), ${CONVCPU} CPU s, peak RSS ${RSS1} MiB, $(field records_written "$OUT/conv1false.json") records, lake $(du -sm "$OUT/lake1false" | cut -f1) MB"
echo "== seclake convert (1 GB), with entity extraction (the default), median of $RUNS"
echo "seclake: ${CONVX}s ($(awk -v b="$JSONBYTES" -v s="$CONVX" 'BEGIN{printf "%.0f", b/1e6/s}') MB/s), ${CONVXCPU} CPU s, peak RSS $(cut -d' ' -f3 "$OUT/runstrue" | sort -n | tail -1) MiB, lake $(du -sm "$OUT/lake1true" | cut -f1) MB"
echo "   wall s (without, with): $(cut -d' ' -f1 "$OUT/runsfalse" | tr '\n' ' ')/ $(cut -d' ' -f1 "$OUT/runstrue" | tr '\n' ' ')"
rm -rf "$OUT/lake1false" "$OUT/lake1true"

RSS5=skipped
if [ "${BENCH_5G:-1}" != 0 ]; then
	echo "== seclake convert (5 GB)"
	C5=$(gen ct-5g 5 36000)
	"$MEASURE" -- "$SECLAKE" convert --raw "$C5" --prefix AWSLogs/ --lake "$OUT/lake5" --log-level warn --json --extract=false > "$OUT/conv5.json" 2> "$OUT/conv5"
	RSS5=$(field max_rss_mib "$OUT/conv5")
	echo "seclake: $(field wall_s "$OUT/conv5")s for $(($(field bytes_decompressed "$OUT/conv5.json" | cut -d. -f1)/1000000)) MB, peak RSS ${RSS5} MiB"
	rm -rf "$OUT/lake5"
fi

echo
echo "== convert ratios (same run)"
printf '%-46s %8s   %s\n' "throughput vs DuckDB, JSON depth 3 (goal ≥ 5×)" "$(ratio "$DUCK" "$CONV")×" "$DUCK s / $CONV s"
printf '%-46s %8s   %s\n' "throughput vs DuckDB, full types" "$(ratio "$DUCKFULL" "$CONV")×" "$DUCKFULL s / $CONV s"
printf '%-46s %8s   %s\n' "wall time vs single-core zcat (goal ≤ 2×)" "$(ratio "$CONV" "$ZCAT")×" "$CONV s / $ZCAT s"
printf '%-46s %8s   %s\n' "peak RSS 1 GB / 5 GB (goal ≤ 512 MiB)" "$RSS1 / $RSS5" "MiB"
printf '%-46s %8s   %s\n' "convert with extraction vs without (goal ≤ 1.25×)" "$(ratio "$CONVX" "$CONV")×" "$CONVX s / $CONV s, median wall"
printf '%-46s %8s   %s\n' "  the same in CPU time" "$(ratio "$CONVXCPU" "$CONVCPU")×" "$CONVXCPU s / $CONVCPU s"

if [ "${BENCH_MICRO:-1}" != 0 ]; then
	echo
	echo "== micro-benchmarks (x-baseline / x_encoding_json = speed-up over a baseline in the same run)"
	go test -run '^$' -bench . -benchtime 3x -cpu 1 ./internal/rawlog/cloudtrail ./internal/rawlog/vpcflow ./internal/rawlog/s3access ./internal/generate ./internal/entity 2>&1 | grep -E '^(Benchmark|ok|FAIL)'
fi
