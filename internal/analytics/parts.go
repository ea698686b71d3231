package analytics

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/parquet-go/parquet-go"

	"github.com/seclake/seclake/schemas"
)

// readParquet renders the read_parquet call over the given part files of
// table t.
//
// DuckDB's union_by_name reconciles parts whose schemas differ (a column
// added since older parts were written), but it pays for it at every scan:
// the reader of each file is bound and kept for the whole statement, some
// 40 MB per scan of a day's 144 CloudTrail parts, and a detector query
// scans its view several times (measured: 700 MB of RSS outside DuckDB's
// memory accounting for one day of the 1M bench lake). Without it DuckDB
// matches columns by name against the first file's schema, which is exact
// when every part has the same schema — the normal case, as parts are
// written from one Go type. So the parts' Parquet footers are compared
// first, and union_by_name is asked for only when they differ.
func (e *Engine) readParquet(t schemas.Table, paths []string) (string, error) {
	lits := make([]string, len(paths))
	first := ""
	uniform := true
	for i, p := range paths {
		lits[i] = QuoteLiteral(filepath.ToSlash(p))
		k, err := e.schemas.key(p)
		if err != nil {
			return "", err
		}
		if i == 0 {
			first = k
		} else if k != first {
			uniform = false
		}
	}
	union := ""
	if !uniform {
		union = ", union_by_name = true"
	}
	return fmt.Sprintf("read_parquet([%s], hive_partitioning = true, hive_types = %s%s)",
		strings.Join(lits, ", "), hiveTypes(hivePartitions(t)), union), nil
}

// schemaCache remembers the schema of each part (by path, size and
// modification time) so that views over the same parts read each footer once.
type schemaCache struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *schemaCache) key(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("analytics: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("analytics: %w", err)
	}
	id := fmt.Sprintf("%s\x00%d\x00%d", path, st.Size(), st.ModTime().UnixNano())
	c.mu.Lock()
	k, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return k, nil
	}
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return "", fmt.Errorf("analytics: read footer of %s: %w", path, err)
	}
	k = pf.Schema().String()
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]string{}
	}
	c.m[id] = k
	c.mu.Unlock()
	return k, nil
}

// LocalParts maps lake keys to the files under root that DuckDB reads,
// leaving out keys whose file is gone (a manifest of an earlier run can list
// a part that a later run of the same window replaced and deleted).
func LocalParts(root string, keys []string) ([]string, error) {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		p := filepath.Join(root, filepath.FromSlash(k))
		if _, err := os.Stat(p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("analytics: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}
