package cli

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seclake/seclake/internal/analytics"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/schemas"
)

func runQuery(ctx context.Context, a *App, args []string) error {
	fs := newFlagSet(a, "query", `query --lake <dir|s3://b/p> [--format table|csv|json] "SQL"

Tables (views): `+tableNames()+`. Partition columns: region, accountId,
eventDay (YYYYMMDD text), eventHour (integer).`)
	var c common
	c.register(fs)
	format := fs.String("format", "table", "table|csv|json")
	cacheDir := fs.String("cache", "", "where an S3 lake is mirrored for DuckDB (default: user cache dir)")
	maxRows := fs.Int("max-rows", 0, "stop after this many rows (0 = all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("want exactly one SQL argument, got %d", fs.NArg())
	}
	switch *format {
	case "table", "csv", "json":
	default:
		return usageErr("--format %q: want table, csv or json", *format)
	}
	cfg, err := c.resolve(a, fs)
	if err != nil {
		return err
	}
	if strings.HasPrefix(cfg.Lake, "s3://") && cfg.S3.KMSKeyID == "" {
		cfg.S3.KMSKeyID = "read-only" // reads need no key; the store refuses writes only
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	store, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return err
	}
	root, err := a.localRoot(ctx, cfg, store, *cacheDir, tablePrefixes())
	if err != nil {
		return err
	}
	// Event and quarantine views read only the parts committed run manifests list.
	eng, err := analytics.Open(ctx, root, analytics.Options{Tables: analytics.ReferencedTables(fs.Arg(0)), Committed: lake.NewCommitted(store, committedCache(cfg, *cacheDir))})
	if err != nil {
		return err
	}
	defer eng.Close()
	rows, err := eng.Query(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	defer rows.Close()
	return writeRows(a.Stdout, rows, *format, *maxRows)
}

func tableNames() string {
	var n []string
	for _, t := range schemas.Tables() {
		n = append(n, t.Name)
	}
	return strings.Join(n, ", ")
}

// writeRows renders a result set.
func writeRows(w io.Writer, rows *sql.Rows, format string, maxRows int) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	var table [][]string
	var objs []map[string]any
	var cw *csv.Writer
	if format == "csv" {
		cw = csv.NewWriter(w)
		if err := cw.Write(cols); err != nil {
			return err
		}
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if maxRows > 0 && n >= maxRows {
			break
		}
		n++
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		switch format {
		case "json":
			o := make(map[string]any, len(cols))
			for i, c := range cols {
				o[c] = jsonValue(vals[i])
			}
			objs = append(objs, o)
		default:
			rec := make([]string, len(cols))
			for i := range vals {
				rec[i] = textValue(vals[i])
			}
			if cw != nil {
				if err := cw.Write(rec); err != nil {
					return err
				}
			} else {
				table = append(table, rec)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	switch format {
	case "csv":
		cw.Flush()
		return cw.Error()
	case "json":
		if objs == nil {
			objs = []map[string]any{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(objs)
	}
	return printTable(w, cols, table)
}

func textValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case []byte:
		if utf8.Valid(x) {
			return string(x)
		}
		return "\\x" + hex.EncodeToString(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case fmt.Stringer:
		return x.String()
	case []any, map[string]any:
		b, _ := json.Marshal(jsonValue(x))
		return string(b)
	}
	return fmt.Sprint(v)
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case []byte:
		if utf8.Valid(x) {
			return string(x)
		}
		return x // encoding/json writes base64
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = jsonValue(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e)
		}
		return out
	}
	return v
}

func printTable(w io.Writer, cols []string, rows [][]string) error {
	const maxWidth = 60
	width := make([]int, len(cols))
	for i, c := range cols {
		width[i] = utf8.RuneCountInString(c)
	}
	clip := func(s string) string {
		s = strings.NewReplacer("\n", "\\n", "\t", "\\t").Replace(s)
		if utf8.RuneCountInString(s) > maxWidth {
			r := []rune(s)
			return string(r[:maxWidth-1]) + "…"
		}
		return s
	}
	for _, r := range rows {
		for i := range r {
			r[i] = clip(r[i])
			width[i] = max(width[i], utf8.RuneCountInString(r[i]))
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		for i, c := range cells {
			if i > 0 {
				b.WriteString(" │ ")
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)))
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(cols)
	var sep []string
	for _, wd := range width {
		sep = append(sep, strings.Repeat("─", wd))
	}
	fmt.Fprintln(w, strings.Join(sep, "─┼─"))
	for _, r := range rows {
		line(r)
	}
	if len(rows) == 1 {
		fmt.Fprintln(w, "(1 row)")
	} else {
		fmt.Fprintf(w, "(%d rows)\n", len(rows))
	}
	return nil
}
