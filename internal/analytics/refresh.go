package analytics

import (
	"context"
	"fmt"

	"github.com/seclake/seclake/schemas"
)

// RefreshView re-creates one table's view, after a caller wrote the table's
// first parts (a view over a table without parts is an empty stub).
func (e *Engine) RefreshView(ctx context.Context, table string) error {
	t, ok := schemas.Lookup(table)
	if !ok {
		return fmt.Errorf("analytics: no table %q", table)
	}
	return e.createView(ctx, t)
}
