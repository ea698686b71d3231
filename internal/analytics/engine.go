// Package analytics runs DuckDB in-process over a lake on the local file
// system. It is the only package that links DuckDB. DuckDB never reaches S3
// itself: for an S3 lake the caller mirrors the needed objects first
// (lake.Mirror) and points the engine at the mirror.
package analytics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/schemas"
)

// Engine is an in-memory DuckDB database with one view per lake table.
type Engine struct {
	db        *sql.DB
	root      string
	schemas   schemaCache
	committed *lake.Committed
}

// Options tune the engine.
type Options struct {
	Threads     int    // DuckDB threads; 0 = DuckDB's default (all cores)
	MemoryLimit string // e.g. "1GB"; "" = DuckDB's default
	// Tables limits the views created to these tables (and what the entities
	// view needs); nil creates all. A view over a table reads the footer of
	// every part at creation, so a query naming one table should not pay for
	// the others.
	Tables []string
	// Committed, when set, limits the views of the tables convert writes
	// (events, quarantine) to the parts that committed run manifests list
	// (lake.Committed; its store is the lake root mirrors). Without it the
	// views read every part under the table, committed or not.
	Committed *lake.Committed
	// Settings are extra SET statements run before the views are created
	// (e.g. "SET parquet_metadata_cache = true" for callers that query the
	// same parts many times).
	Settings []string
}

// ReferencedTables returns the lake tables (and the entities view) a SQL text
// names, for Options.Tables.
func ReferencedTables(sql string) []string {
	low := strings.ToLower(sql)
	out := []string{} // non-nil: a query naming no table needs no view
	names := []string{"entities"}
	for _, t := range schemas.Tables() {
		names = append(names, t.Name)
	}
	for _, n := range names {
		for i := 0; ; {
			k := strings.Index(low[i:], n)
			if k < 0 {
				break
			}
			a, b := i+k, i+k+len(n)
			if (a == 0 || !isIdent(low[a-1])) && (b == len(low) || !isIdent(low[b])) {
				out = append(out, n)
				break
			}
			i = b
		}
	}
	return out
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// Open starts DuckDB and creates the table views over the lake at root.
func Open(ctx context.Context, root string, opts Options) (*Engine, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("analytics: open duckdb: %w", err)
	}
	db.SetMaxOpenConns(1) // one connection: views and settings live on it
	e := &Engine{db: db, root: root, committed: opts.Committed}
	settings := []string{"SET TimeZone = 'UTC'", "SET autoinstall_known_extensions = false", "SET autoload_known_extensions = false"}
	if opts.Threads > 0 {
		settings = append(settings, fmt.Sprintf("SET threads = %d", opts.Threads))
	}
	if opts.MemoryLimit != "" {
		settings = append(settings, "SET memory_limit = "+QuoteLiteral(opts.MemoryLimit))
	}
	settings = append(settings, opts.Settings...)
	for _, s := range settings {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			return nil, fmt.Errorf("analytics: %s: %w", s, err)
		}
	}
	want := func(string) bool { return true }
	if opts.Tables != nil {
		set := map[string]bool{}
		for _, n := range opts.Tables {
			set[n] = true
		}
		want = func(n string) bool {
			if set[n] {
				return true
			}
			t, _ := schemas.Lookup(n)
			return set["entities"] && t.HasEntities()
		}
	}
	for _, t := range schemas.Tables() {
		if !want(t.Name) {
			continue
		}
		if err := e.createView(ctx, t); err != nil {
			db.Close()
			return nil, err
		}
	}
	if want("entities") {
		old, err := e.tablesWithout(ctx, "p_typed_entities")
		if err != nil {
			db.Close()
			return nil, err
		}
		view := schemas.EntitiesViewOf("duckdb", "", func(t string) bool { return old[t] })
		if _, err := db.ExecContext(ctx, "CREATE OR REPLACE VIEW entities AS "+view); err != nil {
			db.Close()
			return nil, fmt.Errorf("analytics: view entities: %w", err)
		}
	}
	return e, nil
}

// tablesWithout returns the event table views that lack column col (all
// their parts were written before it existed).
func (e *Engine) tablesWithout(ctx context.Context, col string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, t := range schemas.Tables() {
		if !t.HasEntities() {
			continue
		}
		var n int
		err := e.db.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?", t.Name, col).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("analytics: columns of %s: %w", t.Name, err)
		}
		out[t.Name] = n == 0
	}
	return out, nil
}

// Close releases DuckDB.
func (e *Engine) Close() error { return e.db.Close() }

// DB exposes the database for callers that run their own statements.
func (e *Engine) DB() *sql.DB { return e.db }

// Query runs one statement with bound arguments.
func (e *Engine) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return e.db.QueryContext(ctx, q, args...)
}

// hivePartitions are the partitions DuckDB sees as key=value folders (the
// quarantine's positional <source> folder is not one; its rows carry
// log_source instead).
func hivePartitions(t schemas.Table) []string {
	var out []string
	for _, p := range t.Partitions {
		if strings.Contains(t.Template, p+"=") {
			out = append(out, p)
		}
	}
	return out
}

// hiveTypes pins partition value types: accountId keeps leading zeros and
// eventDay stays text (YYYYMMDD) as in Athena.
func hiveTypes(parts []string) string {
	var kv []string
	for _, p := range parts {
		typ := "VARCHAR"
		if p == "eventHour" {
			typ = "INTEGER"
		}
		kv = append(kv, QuoteLiteral(p)+": "+typ)
	}
	return "{" + strings.Join(kv, ", ") + "}"
}

// CommittedTable reports whether a table's parts are committed by run
// manifests that readers can check (the tables convert writes).
func CommittedTable(t schemas.Table) bool {
	return strings.HasPrefix(t.Prefix, "events/") || strings.HasPrefix(t.Prefix, "quarantine/")
}

func (e *Engine) createView(ctx context.Context, t schemas.Table) error {
	var src string
	if e.committed != nil && CommittedTable(t) {
		keys, err := e.committed.Parts(ctx, t.Prefix)
		if err != nil {
			return fmt.Errorf("analytics: view %s: %w", t.Name, err)
		}
		paths, err := LocalParts(e.root, keys)
		if err != nil {
			return err
		}
		if len(paths) > 0 {
			if src, err = e.readParquet(t, paths); err != nil {
				return err
			}
		}
	} else {
		dir := filepath.Join(e.root, filepath.FromSlash(t.Prefix))
		has, err := hasParquet(dir)
		if err != nil {
			return fmt.Errorf("analytics: scan %s: %w", dir, err)
		}
		if has {
			glob := filepath.ToSlash(dir) + "/**/*.parquet"
			src = fmt.Sprintf("read_parquet(%s, hive_partitioning = true, hive_types = %s, union_by_name = true)",
				QuoteLiteral(glob), hiveTypes(hivePartitions(t)))
		}
	}
	var q string
	if src != "" {
		q = fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT * FROM %s", QuoteIdent(t.Name), src)
	} else {
		// An empty view with the table's columns, so queries work on a new lake.
		var cols []string
		for _, c := range duckColumns(t) {
			cols = append(cols, "CAST(NULL AS "+c[1]+") AS "+QuoteIdent(c[0]))
		}
		for _, p := range hivePartitions(t) {
			typ := "VARCHAR"
			if p == "eventHour" {
				typ = "INTEGER"
			}
			cols = append(cols, "CAST(NULL AS "+typ+") AS "+QuoteIdent(p))
		}
		q = fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT %s WHERE false", QuoteIdent(t.Name), strings.Join(cols, ", "))
	}
	if _, err := e.db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("analytics: view %s: %w", t.Name, err)
	}
	return nil
}

func hasParquet(dir string) (bool, error) {
	found := false
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return found, err
}

// duckColumns maps a table's Parquet columns to DuckDB types.
func duckColumns(t schemas.Table) [][2]string {
	s := parquet.SchemaOf(t.Row)
	var out [][2]string
	for _, f := range s.Fields() {
		out = append(out, [2]string{f.Name(), duckType(f)})
	}
	return out
}

func duckType(n parquet.Node) string {
	if !n.Leaf() && (n.Type().LogicalType() == nil || n.Type().LogicalType().Value == nil) {
		var fields []string
		for _, f := range n.Fields() {
			fields = append(fields, QuoteIdent(f.Name())+" "+duckType(f))
		}
		return "STRUCT(" + strings.Join(fields, ", ") + ")"
	}
	lt := n.Type().LogicalType()
	if lt != nil {
		switch lt.Value.(type) {
		case *format.ListType:
			return duckType(n.Fields()[0].Fields()[0]) + "[]"
		case *format.TimestampType:
			return "TIMESTAMPTZ"
		case *format.StringType, *format.JsonType, *format.EnumType:
			return "VARCHAR"
		}
	}
	switch n.Type().Kind() {
	case parquet.Boolean:
		return "BOOLEAN"
	case parquet.Int32:
		return "INTEGER"
	case parquet.Int64:
		return "BIGINT"
	case parquet.Double:
		return "DOUBLE"
	case parquet.Float:
		return "FLOAT"
	}
	return "BLOB"
}

// QuoteIdent quotes an SQL identifier for DuckDB. It is the one place
// identifiers are built into SQL text; values always go through ? binds.
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// QuoteLiteral quotes a string literal for the few places DuckDB accepts no
// bind parameter (view definitions, SET).
func QuoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// CreatePartitionView creates (or replaces) a temporary view named name over
// the given Parquet files or globs of lake table table, with the table's
// hive partition columns. Paths must exist (callers glob first); with none,
// the view is empty but has the table's columns, so SQL over it still binds.
// The detect job uses it to read exactly the partitions a window and its
// baseline need.
func (e *Engine) CreatePartitionView(ctx context.Context, name, table string, paths []string) error {
	t, ok := schemas.Lookup(table)
	if !ok {
		return fmt.Errorf("analytics: no table %q", table)
	}
	var q string
	if len(paths) > 0 {
		src, err := e.readParquet(t, paths)
		if err != nil {
			return err
		}
		q = fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS SELECT * FROM %s", QuoteIdent(name), src)
	} else {
		var cols []string
		for _, c := range duckColumns(t) {
			cols = append(cols, "CAST(NULL AS "+c[1]+") AS "+QuoteIdent(c[0]))
		}
		for _, p := range hivePartitions(t) {
			typ := "VARCHAR"
			if p == "eventHour" {
				typ = "INTEGER"
			}
			cols = append(cols, "CAST(NULL AS "+typ+") AS "+QuoteIdent(p))
		}
		q = fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS SELECT %s WHERE false", QuoteIdent(name), strings.Join(cols, ", "))
	}
	if _, err := e.db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("analytics: view %s: %w", name, err)
	}
	return nil
}

// Exec runs statements that return no rows (a script of several statements
// separated by semicolons is accepted).
func (e *Engine) Exec(ctx context.Context, q string, args ...any) error {
	_, err := e.db.ExecContext(ctx, q, args...)
	return err
}

// CopyParquet writes the result of query q to a zstd Parquet file at path
// (DuckDB's own writer; rows in the query's ORDER BY).
func (e *Engine) CopyParquet(ctx context.Context, q, path string) error {
	stmt := fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)", q, QuoteLiteral(filepath.ToSlash(path)))
	if _, err := e.db.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("analytics: copy to %s: %w", path, err)
	}
	return nil
}
