// Command gen writes infra/glue.yaml from schemas/ and infra/queries/.
// Run from the repository root: go run ./infra/gen
package main

import (
	"fmt"
	"os"

	"github.com/seclake/seclake/infra"
)

func main() {
	out, err := infra.GlueTemplate()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile("infra/glue.yaml", []byte(out), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
