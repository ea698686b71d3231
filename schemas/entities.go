package schemas

import (
	"reflect"
	"strings"
)

// EntityLists are the per-event list columns of extracted entities, named
// p_any_* as in Panther and Security Lake conventions, so a query can ask
// "every event this key or IP appears in" with list_contains/contains. They
// are embedded (flattened) into every event table.
type EntityLists struct {
	PAnyIPAddresses  []string `parquet:"p_any_ip_addresses,optional,list"`
	PAnyAWSARNs      []string `parquet:"p_any_aws_arns,optional,list"`
	PAnyAccountIDs   []string `parquet:"p_any_aws_account_ids,optional,list"`
	PAnyAccessKeyIDs []string `parquet:"p_any_access_key_ids,optional,list"`
	PAnyPrincipals   []string `parquet:"p_any_principals,optional,list"`
	PAnyResourceIDs  []string `parquet:"p_any_resource_ids,optional,list"`
	PAnyS3Buckets    []string `parquet:"p_any_s3_buckets,optional,list"`
	PAnyKMSKeys      []string `parquet:"p_any_kms_keys,optional,list"`
	PAnyDomainNames  []string `parquet:"p_any_domain_names,optional,list"`
	PAnyEmails       []string `parquet:"p_any_emails,optional,list"`
}

// EntityRef is one entity of an event, in the event row's nested entities
// column. The entities table is the view that unnests these columns of all
// event tables (see Tables and the Athena DDL): it shares the events'
// partitions and parts, so convert and a backfill (seclake extract) rewrite
// one object, never two that could disagree.
type EntityRef struct {
	Kind       string  `parquet:"kind,dict"`
	Value      string  `parquet:"value"`
	Role       string  `parquet:"role,optional,dict"`
	Field      string  `parquet:"field,optional,dict"`
	Confidence float32 `parquet:"confidence"`
	Attr       string  `parquet:"attr,optional,dict"`
}

// Extracted is embedded in each event row: the list columns and the nested
// entities.
type Extracted struct {
	EntityLists
	Entities []EntityRef `parquet:"entities,optional,list"`
}

// Extraction returns the row's extraction fields for writing.
func (e *Extracted) Extraction() *Extracted { return e }

// EntitiesViewColumns are the columns of the entities view, after the
// source_table and event_id columns and before the partition columns.
var entitiesViewEventColumns = []string{"event_time", "source_object", "source_offset"}

// EntitiesView is the view that lists every extracted entity of every event
// table: (source_table, event_id, event_time, source_object, source_offset,
// kind, value, role, field, confidence, attr, region, accountId, eventDay,
// eventHour). event_id is CloudTrail's eventID, and "<object>#<line>" for
// flow and access log records. dialect is "athena" or "duckdb".
func EntitiesView(dialect, database string) string {
	q := func(s string) string {
		if dialect == "athena" {
			return strings.ToLower(s)
		}
		return `"` + s + `"`
	}
	var parts []string
	for _, t := range Tables() {
		if !t.HasEntities() {
			continue
		}
		id := "event_id"
		if t.Name != "cloudtrail" {
			id = "source_object || '#' || CAST(source_line AS VARCHAR)"
		}
		cols := []string{"'" + t.Name + "' AS source_table", id + " AS event_id"}
		cols = append(cols, entitiesViewEventColumns...)
		for _, f := range []string{"kind", "value", "role", "field", "confidence", "attr"} {
			cols = append(cols, "e."+f+" AS "+f)
		}
		for _, p := range t.Partitions {
			cols = append(cols, q(p))
		}
		from := t.Name
		if database != "" {
			from = "`" + database + "`.`" + t.Name + "`"
			if dialect == "athena" {
				from = `"` + database + `"."` + t.Name + `"`
			}
		}
		var sql string
		if dialect == "athena" {
			sql = "SELECT " + strings.Join(cols, ", ") + "\nFROM " + from + "\nCROSS JOIN UNNEST(entities) AS t(e)"
		} else {
			sql = "SELECT " + strings.Join(cols, ", ") + "\nFROM (SELECT *, unnest(entities) AS e FROM " + from + ")"
		}
		parts = append(parts, sql)
	}
	return strings.Join(parts, "\nUNION ALL\n")
}

// HasEntities reports whether the table's rows carry extracted entities.
func (t Table) HasEntities() bool {
	_, ok := reflect.New(reflect.TypeOf(t.Row)).Interface().(interface{ Extraction() *Extracted })
	return ok
}
