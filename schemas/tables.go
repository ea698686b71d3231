// Package schemas is the single source of truth for the lake's tables: the Go
// row types (with their Parquet tags) define the Parquet schema, and the
// Athena DDL in sql/athena/ is generated from them (`go test ./schemas -update`)
// and checked against them by the tests.
package schemas

import (
	"fmt"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

func isLogical[V format.LogicalTypeValue](lt *format.LogicalType) bool {
	_, ok := lt.Value.(V)
	return ok
}

// Table describes one lake table.
type Table struct {
	Name        string // table and view name
	Prefix      string // key prefix under the lake root, ending in "/"
	Description string
	Row         any      // zero value of the row type
	Partitions  []string // partition columns in path order
	// Template is the partition path template below Prefix, in Athena
	// storage.location.template syntax.
	Template string
}

// EventPartitions are the partition keys of event tables, as in Amazon
// Security Lake with eventHour below eventDay.
var eventPartitions = []string{"region", "accountId", "eventDay", "eventHour"}

const eventTemplate = "region=${region}/accountId=${accountid}/eventDay=${eventday}/eventHour=${eventhour}"

// Tables lists the lake's tables in a fixed order.
func Tables() []Table {
	return []Table{
		{Name: "cloudtrail", Prefix: "events/cloudtrail/", Row: CloudTrail{}, Partitions: eventPartitions, Template: eventTemplate,
			Description: "CloudTrail management and data events"},
		{Name: "vpcflow", Prefix: "events/vpcflow/", Row: VPCFlow{}, Partitions: eventPartitions, Template: eventTemplate,
			Description: "VPC and Transit Gateway flow log records"},
		{Name: "s3access", Prefix: "events/s3access/", Row: S3Access{}, Partitions: eventPartitions, Template: eventTemplate,
			Description: "S3 server access log records"},
		{Name: "quarantine", Prefix: "quarantine/", Row: Quarantine{}, Partitions: []string{"source", "eventDay"},
			Template:    "${source}/eventDay=${eventday}",
			Description: "records that could not be converted, with the raw bytes and the error"},
		{Name: "findings", Prefix: "findings/", Row: Finding{}, Partitions: []string{"eventDay"},
			Template:    "eventDay=${eventday}",
			Description: "detection findings (OCSF Detection Finding 2004 shape), one row per finding_id and day"},
		{Name: "baseline_hourly", Prefix: "baselines/hourly/", Row: BaselineHourly{}, Partitions: []string{"eventDay"},
			Template:    "eventDay=${eventday}",
			Description: "per entity and hour: API, write, error calls, distinct APIs and regions, VPC bytes out, S3 GET bytes (detect baselines)"},
		{Name: "baseline_seen", Prefix: "baselines/seen/", Row: BaselineSeen{}, Partitions: []string{"eventDay"},
			Template:    "eventDay=${eventday}",
			Description: "combinations seen per day (principal x IP prefix, region, user agent class, API; access keys; destinations) for first-seen detection"},
		{Name: "baseline_stats", Prefix: "baselines/stats/", Row: BaselineStat{}, Partitions: []string{"eventDay"},
			Template:    "eventDay=${eventday}",
			Description: "count, mean, stddev, median and MAD per entity, metric and hour of week over each detect run's baseline range"},
	}
}

// Lookup finds a table by name.
func Lookup(name string) (Table, bool) {
	for _, t := range Tables() {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// Column is one top-level column with its Athena (Hive) type.
type Column struct {
	Name string
	Type string
}

// Columns derives the Athena columns of a table from its Parquet schema.
func (t Table) Columns() []Column {
	s := parquet.SchemaOf(t.Row)
	cols := make([]Column, 0, len(s.Fields()))
	for _, f := range s.Fields() {
		cols = append(cols, Column{Name: f.Name(), Type: hiveType(f)})
	}
	return cols
}

func hiveType(n parquet.Node) string {
	if lt := n.Type().LogicalType(); lt != nil && isLogical[*format.ListType](lt) {
		elem := n.Fields()[0].Fields()[0] // list → repeated group → element
		return "array<" + hiveType(elem) + ">"
	}
	if !n.Leaf() {
		var parts []string
		for _, f := range n.Fields() {
			parts = append(parts, f.Name()+":"+hiveType(f))
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	}
	lt := n.Type().LogicalType()
	switch {
	case lt != nil && isLogical[*format.TimestampType](lt):
		return "timestamp"
	case lt != nil && (isLogical[*format.StringType](lt) || isLogical[*format.JsonType](lt) || isLogical[*format.EnumType](lt)):
		return "string"
	}
	switch n.Type().Kind() {
	case parquet.Boolean:
		return "boolean"
	case parquet.Int32:
		return "int"
	case parquet.Int64:
		return "bigint"
	case parquet.Float:
		return "float"
	case parquet.Double:
		return "double"
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return "binary"
	}
	panic(fmt.Sprintf("schemas: no Athena type for %s", n.Type()))
}

// DDLOptions fill the deployment-specific parts of the DDL.
type DDLOptions struct {
	Database string   // default "seclake"
	Location string   // s3://bucket/prefix of the lake, no trailing slash
	Accounts []string // values for accountId partition projection
	Regions  []string // values for region partition projection
	FromDay  string   // first eventDay, YYYYMMDD
}

// DDL renders CREATE EXTERNAL TABLE for Athena with partition projection.
// With zero options it renders the template committed in sql/athena/, with
// ${…} placeholders for the deployment values.
func (t Table) DDL(o DDLOptions) string {
	db := o.Database
	if db == "" {
		db = "seclake"
	}
	loc := o.Location
	if loc == "" {
		loc = "${lake_location}"
	}
	accounts := strings.Join(o.Accounts, ",")
	if accounts == "" {
		accounts = "${accounts}"
	}
	regions := strings.Join(o.Regions, ",")
	if regions == "" {
		regions = "${regions}"
	}
	from := o.FromDay
	if from == "" {
		from = "${first_day}"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "-- %s: %s.\n-- Generated from schemas/ by `go test ./schemas -update`; do not edit.\n", t.Name, t.Description)
	fmt.Fprintf(&b, "CREATE EXTERNAL TABLE IF NOT EXISTS `%s`.`%s` (\n", db, t.Name)
	cols := t.Columns()
	for i, c := range cols {
		sep := ","
		if i == len(cols)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  `%s` %s%s\n", c.Name, c.Type, sep)
	}
	b.WriteString(")\nPARTITIONED BY (\n")
	for i, p := range t.Partitions {
		sep := ","
		if i == len(t.Partitions)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  `%s` string%s\n", strings.ToLower(p), sep)
	}
	b.WriteString(")\nSTORED AS PARQUET\n")
	fmt.Fprintf(&b, "LOCATION '%s/%s'\n", loc, t.Prefix)
	b.WriteString("TBLPROPERTIES (\n")
	props := t.Properties(DDLOptions{Location: loc, Accounts: []string{accounts}, Regions: []string{regions}, FromDay: from})
	for i, p := range props {
		sep := ","
		if i == len(props)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  '%s' = '%s'%s\n", p.Key, p.Value, sep)
	}
	b.WriteString(");\n")
	return b.String()
}

// Property is one table property (TBLPROPERTIES / Glue table parameter).
type Property struct{ Key, Value string }

// Properties are the table's properties: compression and partition
// projection, in DDL order. The Athena DDL and the CloudFormation Glue
// tables (infra/) both render these.
func (t Table) Properties(o DDLOptions) []Property {
	regions, accounts, from, loc := strings.Join(o.Regions, ","), strings.Join(o.Accounts, ","), o.FromDay, o.Location
	ps := []Property{{"parquet.compression", "ZSTD"}, {"projection.enabled", "true"}}
	add := func(k, v string) { ps = append(ps, Property{k, v}) }
	for _, p := range t.Partitions {
		lp := strings.ToLower(p)
		switch p {
		case "region":
			add("projection."+lp+".type", "enum")
			add("projection."+lp+".values", regions)
		case "accountId":
			add("projection."+lp+".type", "enum")
			add("projection."+lp+".values", accounts)
		case "source":
			add("projection."+lp+".type", "enum")
			add("projection."+lp+".values", "cloudtrail,vpcflow,s3access,unknown")
		case "eventDay":
			add("projection."+lp+".type", "date")
			add("projection."+lp+".format", "yyyyMMdd")
			add("projection."+lp+".range", from+",NOW")
			add("projection."+lp+".interval", "1")
			add("projection."+lp+".interval.unit", "DAYS")
		case "eventHour":
			add("projection."+lp+".type", "integer")
			add("projection."+lp+".range", "0,23")
			add("projection."+lp+".digits", "2")
		}
	}
	add("storage.location.template", loc+"/"+t.Prefix+t.Template+"/")
	return ps
}
