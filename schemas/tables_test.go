package schemas

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite sql/athena/*.sql from the schemas")

func athenaPath(name string) string { return filepath.Join("..", "sql", "athena", name+".sql") }

// TestAthenaDDLMatchesSchema fails when sql/athena/<table>.sql and the
// Parquet schema disagree.
func TestAthenaDDLMatchesSchema(t *testing.T) {
	for _, tb := range Tables() {
		want := tb.DDL(DDLOptions{})
		path := athenaPath(tb.Name)
		if *update {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run go test ./schemas -update)", tb.Name, err)
		}
		if string(got) != want {
			t.Errorf("%s is stale: run go test ./schemas -update", path)
		}
		// Independent check: parse the committed column list back and compare
		// it with the Parquet schema's leaf columns by name and order.
		cols := parseDDLColumns(string(got))
		pcols := tb.Columns()
		if len(cols) != len(pcols) {
			t.Fatalf("%s: DDL has %d columns, Parquet schema %d", tb.Name, len(cols), len(pcols))
		}
		for i := range cols {
			if cols[i] != pcols[i] {
				t.Errorf("%s column %d: DDL %v, Parquet %v", tb.Name, i, cols[i], pcols[i])
			}
		}
	}
}

// TestAthenaEntitiesView keeps sql/athena/entities.sql in step with the
// schemas, like the table DDL.
func TestAthenaEntitiesView(t *testing.T) {
	want := "-- entities: every extracted entity of every event table (their entities lists, and the entities their typed columns hold).\n" +
		"-- Generated from schemas/ by `go test ./schemas -update`; do not edit.\n" +
		"CREATE OR REPLACE VIEW entities AS\n" + EntitiesView("athena", "seclake") + ";\n"
	path := athenaPath("entities")
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("%s is stale (%v): run go test ./schemas -update", path, err)
	}
	for _, tb := range []string{"cloudtrail", "vpcflow", "s3access"} {
		if !strings.Contains(want, `"seclake"."`+tb+`"`) {
			t.Errorf("view misses %s", tb)
		}
	}
}

var colRE = regexp.MustCompile("^  `([a-z0-9_]+)` (.+?),?$")

func parseDDLColumns(ddl string) []Column {
	body := ddl[strings.Index(ddl, "(\n")+2 : strings.Index(ddl, "\n)\nPARTITIONED")]
	var cols []Column
	for _, line := range strings.Split(body, "\n") {
		m := colRE.FindStringSubmatch(line)
		if m != nil {
			cols = append(cols, Column{Name: m[1], Type: m[2]})
		}
	}
	return cols
}

func TestColumnsAreSnakeCase(t *testing.T) {
	re := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	for _, tb := range Tables() {
		seen := map[string]bool{}
		for _, c := range tb.Columns() {
			if !re.MatchString(c.Name) {
				t.Errorf("%s.%s is not snake_case", tb.Name, c.Name)
			}
			if seen[c.Name] {
				t.Errorf("%s.%s repeated", tb.Name, c.Name)
			}
			seen[c.Name] = true
			for _, p := range tb.Partitions {
				if strings.EqualFold(p, c.Name) {
					t.Errorf("%s: column %s collides with partition %s", tb.Name, c.Name, p)
				}
			}
		}
		if (tb.HasEntities() || tb.Name == "quarantine") && (tb.Columns()[0].Name != "event_time" || tb.Columns()[0].Type != "timestamp") {
			t.Errorf("%s: first column must be event_time timestamp", tb.Name)
		}
	}
}

func TestDDLFilledForDeployment(t *testing.T) {
	tb, _ := Lookup("cloudtrail")
	ddl := tb.DDL(DDLOptions{Database: "sec", Location: "s3://lake/p", Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}, FromDay: "20260101"})
	for _, want := range []string{"`sec`.`cloudtrail`", "LOCATION 's3://lake/p/events/cloudtrail/'",
		"'projection.accountid.values' = '111122223333'", "'s3://lake/p/events/cloudtrail/region=${region}/accountId=${accountid}/eventDay=${eventday}/eventHour=${eventhour}/'",
		"'projection.eventday.range' = '20260101,NOW'"} {
		if !strings.Contains(ddl, want) {
			t.Errorf("DDL lacks %q:\n%s", want, ddl)
		}
	}
	if strings.Contains(ddl, "${accounts}") {
		t.Error("placeholder left in filled DDL")
	}
}
