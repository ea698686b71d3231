# seclake container image for the ECS Fargate task (infra/seclake.yaml).
# DuckDB is linked in (cgo, glibc); it needs no extensions at run time, so
# the image needs no network and no writable root (the task mounts /tmp).
#   docker build -t seclake .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -tags duckdb_arrow -trimpath -ldflags "-s -w" -o /out/seclake ./cmd/seclake

# distroless/cc: glibc, libstdc++ and CA certificates, nothing else.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/seclake /seclake
USER 65532:65532
ENV TMPDIR=/tmp SECLAKE_LOG_FORMAT=json
ENTRYPOINT ["/seclake"]
CMD ["--help"]
