// Package compliancesql embeds the compliance control mapping: which
// frameworks and controls a report covers and the DuckDB SQL whose results
// decide each control's status. The mapping is data; internal/compliance
// loads and evaluates it.
package compliancesql

import _ "embed"

// Controls is controls.yaml.
//
//go:embed controls.yaml
var Controls []byte
