package entity

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/internal/rawlog/cloudtrail"
	"github.com/seclake/seclake/schemas"
)

const corpusDir = "/work/shared/corpus"

// stratusEvent is one CloudTrail event of the stratus-red-team corpus, as
// converted by the production parser.
type stratusEvent struct {
	File  string // base name
	Index int    // position in the file's top-level array
	Row   schemas.CloudTrail
}

// loadStratus parses every stratus-red-team file with the CloudTrail parser;
// it skips the test when the corpus is absent.
func loadStratus(t testing.TB) []stratusEvent {
	dir := filepath.Join(corpusDir, "stratus-red-team-detonation-logs")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Skipf("corpus absent: %s", dir)
	}
	sort.Strings(files)
	var out []stratusEvent
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f)
		idx := 0
		var p cloudtrail.Parser
		_, err = p.Parse(context.Background(), bytes.NewReader(data), rawlog.Object{Key: base}, rawlog.Sink[schemas.CloudTrail]{
			Row: func(r schemas.CloudTrail) error {
				out = append(out, stratusEvent{File: base, Index: idx, Row: r})
				idx++
				return nil
			},
			Bad: func(b rawlog.Bad) error { t.Errorf("%s: quarantined: %v", base, b.Err); return nil },
		})
		if err != nil {
			t.Fatalf("%s: %v", base, err)
		}
	}
	return out
}

// rowsToColumns turns rows of a schema struct into one Column per string
// field, named by its parquet tag.
func rowsToColumns[T any](t testing.TB, mem memory.Allocator, rows []T) []Column {
	typ := reflect.TypeFor[T]()
	var cols []Column
	for f := 0; f < typ.NumField(); f++ {
		sf := typ.Field(f)
		if sf.Type.Kind() != reflect.String {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("parquet"), ",")
		vals := make([]string, len(rows))
		for i := range rows {
			vals[i] = reflect.ValueOf(&rows[i]).Elem().Field(f).String()
		}
		cols = append(cols, StringColumn(mem, name, vals))
	}
	t.Cleanup(func() {
		for _, c := range cols {
			c.Values.Release()
		}
	})
	return cols
}
