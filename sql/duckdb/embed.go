// Package duckdb embeds the DuckDB SQL of the detect job: macros, the daily
// baseline profiles, baseline statistics and the detectors. The files are run
// by jobs/detect through internal/analytics (the only package linking DuckDB).
package duckdb

import "embed"

// FS holds every *.sql and *.json file of this directory.
//
//go:embed *.sql *.json
var FS embed.FS
