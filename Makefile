# seclake — see README.md. Every target works on a fresh machine with Go and gcc.
GO        ?= go
TAGS      := duckdb_arrow
GOFLAGS_T := -tags $(TAGS)
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BIN       := $(CURDIR)/bin
SECLAKE   := $(BIN)/seclake
DEMO      := $(CURDIR)/demo

.PHONY: all build demo test test-short test-faults bench bench-mem bench-entity bench-detect lint lint-infra fuzz clean

all: build

build: $(SECLAKE)

$(SECLAKE): $(shell find cmd internal jobs schemas sql -name '*.go' -o -name '*.sql' 2>/dev/null) go.mod go.sum
	$(GO) build $(GOFLAGS_T) -o $@ ./cmd/seclake

# MinIO for the S3 integration tests, built once from its Go module and cached.
$(BIN)/minio:
	@mkdir -p $(BIN)
	GOBIN=$(BIN) $(GO) install github.com/minio/minio@$(MINIO_VERSION)

## demo: the main job end to end on a local lake (no AWS account needed)
demo: build
	@bash scripts/demo.sh "$(SECLAKE)" "$(DEMO)"

## test: unit tests + integration tests against a real MinIO, DuckDB and headless Chromium (report rendering), cfn-lint on infra/
test: $(BIN)/minio lint-infra
	SECLAKE_REQUIRE_MINIO=1 SECLAKE_REQUIRE_CFNLINT=1 SECLAKE_REQUIRE_CHROMIUM=1 SECLAKE_MINIO_BIN=$(BIN)/minio $(GO) test $(GOFLAGS_T) -count=1 -timeout 30m ./...

## test-faults: the fault and security tests alone (they also run in make test): crash/rerun
## (convert, extract, and detect at every put), S3 server faults through a loopback fault proxy,
## MinIO stopped mid-run, disk full / read-only lake (tmpfs, needs root; skipped otherwise),
## duplicates, 10k input mutations, SQL binding, planted secrets, SSE-KMS / Object Lock audit of a
## full pipeline run, IaC policy checks, two concurrent runs of one activation (lake lease), a
## 48-run scheduler soak (goroutines, heap, temp files).
FAULT_TESTS := UncommittedParts|ProxyFaults|MultipartUnderFaults|Crash|ExtractCrash|FailedRunReturns|ConvertS3|DiskFull|ReadOnly|Duplicate|Mutated|Hostile|SecretsNeverLogged|SecurityAudit|ConcurrentRuns|Soak|KilledMidRun|CancelMidQuery|LeaseLost
test-faults: $(BIN)/minio
	SECLAKE_REQUIRE_MINIO=1 SECLAKE_MINIO_BIN=$(BIN)/minio $(GO) test $(GOFLAGS_T) -count=1 -timeout 15m \
		-run '$(FAULT_TESTS)' -v ./jobs/convert ./jobs/extract ./jobs/detect ./jobs/report ./jobs/notify ./internal/cli ./internal/analytics ./internal/storage/... ./internal/testutil/... ./infra

test-short:
	$(GO) test $(GOFLAGS_T) -short ./...

## bench: throughput and memory against baselines measured in the same run
bench: build
	@bash scripts/bench.sh "$(SECLAKE)"

## lint-infra: CloudFormation templates (the state machines are checked by go test ./infra)
lint-infra:
	@command -v cfn-lint >/dev/null || { echo "cfn-lint is required: pip install cfn-lint (.ci/run installs it)"; exit 1; }
	cfn-lint infra/seclake.yaml infra/glue.yaml

## bench-mem: convert 5 GB of CloudTrail in one run, then detect its last day (cold and warm); fails if convert or either detect peaks over MEM_LIMIT_MIB (512)
bench-mem: build
	@bash scripts/bench-mem.sh "$(SECLAKE)"

lint:
	$(GO) vet $(GOFLAGS_T) ./...
	$(GO) run $(STATICCHECK) -tags $(TAGS) ./...

## fuzz: a short run of every fuzz target (FUZZTIME each)
FUZZTIME ?= 30s
FUZZ_TARGETS := ./internal/rawlog/cloudtrail:FuzzParse ./internal/rawlog/cloudtrail:FuzzString ./internal/rawlog/cloudtrail:FuzzTime \
	./internal/rawlog/vpcflow:FuzzParse ./internal/rawlog/s3access:FuzzParse ./internal/entity:FuzzExtract \
	./internal/extract:FuzzRedactUserNameKeys
fuzz:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "== $$pkg $$fn"; $(GO) test $(GOFLAGS_T) -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg || exit 1; done

clean:
	rm -rf $(DEMO) $(SECLAKE)

# Entity extraction benchmarks: extractor vs JSON-decode and regexp baselines
# (BenchmarkRatio prints x_vs_json / x_vs_regexp), convert with/without extract.
bench-entity:
	$(GO) test $(GOFLAGS_T) -run '^$$' -bench . -benchtime 2s ./internal/entity

# Detect: 14-day baseline over ~1M vs ~10M events (~50k principals), cold and warm,
# wall time and peak RSS with the 10M/1M ratios (data cached in bench/).
bench-detect: build
	@bash scripts/bench_detect.sh "$(SECLAKE)"
