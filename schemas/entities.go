package schemas

import (
	"fmt"
	"reflect"
	"strings"
)

// EntityLists are the per-event list columns of extracted entities, named
// p_any_* as in Panther and Security Lake conventions, so a query can ask
// "every event this key or IP appears in" with list_contains/contains. They
// are embedded (flattened) into every event table.
type EntityLists struct {
	PAnyIPAddresses  []string `parquet:"p_any_ip_addresses,optional,list" parquet-element:",dict"`
	PAnyAWSARNs      []string `parquet:"p_any_aws_arns,optional,list" parquet-element:",dict"`
	PAnyAccountIDs   []string `parquet:"p_any_aws_account_ids,optional,list" parquet-element:",dict"`
	PAnyAccessKeyIDs []string `parquet:"p_any_access_key_ids,optional,list" parquet-element:",dict"`
	PAnyPrincipals   []string `parquet:"p_any_principals,optional,list" parquet-element:",dict"`
	PAnyResourceIDs  []string `parquet:"p_any_resource_ids,optional,list" parquet-element:",dict"`
	PAnyS3Buckets    []string `parquet:"p_any_s3_buckets,optional,list" parquet-element:",dict"`
	PAnyKMSKeys      []string `parquet:"p_any_kms_keys,optional,list" parquet-element:",dict"`
	PAnyDomainNames  []string `parquet:"p_any_domain_names,optional,list" parquet-element:",dict"`
	PAnyEmails       []string `parquet:"p_any_emails,optional,list" parquet-element:",dict"`
}

// EntityRef is one entity of an event, in the event row's nested entities
// column; entities a typed column holds as they are are not listed there
// (see Derived). The entities table is the view that unnests these columns
// of all event tables and adds the derived ones (see EntitiesView and the
// Athena DDL): it shares the events' partitions and parts, so convert and a
// backfill (seclake extract) rewrite one object, never two that could
// disagree.
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
	// TypedEntities is a bit set over the table's Derived list: bit i says
	// that extraction found entity Derived[i] of this row, which the entities
	// view derives from the typed column instead of reading it from
	// Entities.
	TypedEntities int32 `parquet:"p_typed_entities"`
}

// Extraction returns the row's extraction fields for writing.
func (e *Extracted) Extraction() *Extracted { return e }

// Derived is an entity that an event row's typed column holds as it is (its
// value is the column's value, or the account field of the ARN in it). Such
// an entity is not copied into the row's entities list: bit i of the row's
// p_typed_entities says extraction found entity Derived[i], and the entities
// view derives it from the column. Typed columns give nine of every ten
// entities of a CloudTrail event, so this halves what extraction adds to the
// lake and to the convert time. Anything else a typed column yields
// (e-mails and instance ids inside ARNs, a non-canonical IPv6 address, a
// host header with a port) stays in the entities list.
type Derived struct {
	Column string // the typed column; also the entity's field
	Kind   string // the entity kind; "" = by the ARN's service and resource (ARNKind)
	Role   string
	// Account: the value is the account field of the ARN in Column.
	Account bool
	// Session: the value is what follows the last '/' of Column (a role
	// session name: an SSO user's e-mail, an instance id), lower-cased when
	// Lower; Confidence is then that of a validated pattern.
	Session bool
	Lower   bool
	// Confidence is the entity's confidence; 0 means 1 (a typed field).
	Confidence float32
	// Attr is the column holding the entity's attr (address and user agent
	// classes); "" = none, except that access keys get their type from the
	// key's prefix (AccessKeyAttr).
	Attr string
}

// Entity kinds and roles named here (internal/entity defines them all; the
// extract tests check these against it).
const (
	kindAccount   = "aws_account_id"
	kindIP        = "ip_address"
	kindUA        = "user_agent"
	kindKey       = "access_key_id"
	kindDomain    = "domain_name"
	kindVPC       = "vpc_id"
	kindSubnet    = "subnet_id"
	kindENI       = "network_interface_id"
	kindInstance  = "instance_id"
	kindBucket    = "s3_bucket"
	kindObjectKey = "s3_object_key"
	kindEmail     = "email_address"
)

// sessionEmail is the e-mail a principal ARN's session name may be (SSO).
func sessionEmail(col, role string) Derived {
	return Derived{Column: col, Kind: kindEmail, Role: role, Session: true, Lower: true, Confidence: 0.9}
}

// Derived lists the entities the table's typed columns give as they are, in
// bit order (at most 31). Tables without entities have none. Only columns
// set in most rows are here: the view builds every entry for every row, and
// rare ones (transit gateway and ECS columns, VPC endpoint accounts, access
// points) cost less listed. The bit order is stored in the lake: add new
// entries at the end of a table's list, never reorder or remove one.
func (t Table) Derived() []Derived {
	arn := func(col, role string) []Derived {
		return []Derived{{Column: col, Role: role}, {Column: col, Kind: kindAccount, Role: role, Account: true}}
	}
	switch t.Name {
	case "cloudtrail":
		d := []Derived{
			{Column: "source_ip_address", Kind: kindIP, Role: "source_ip", Attr: "source_ip_class"},
			{Column: "user_agent", Kind: kindUA, Role: "client", Attr: "user_agent_class"},
			{Column: "recipient_account_id", Kind: kindAccount, Role: "recipient"},
			{Column: "user_identity_account_id", Kind: kindAccount, Role: "actor"},
			{Column: "user_identity_access_key_id", Kind: kindKey, Role: "actor"},
			{Column: "session_issuer_account_id", Kind: kindAccount, Role: "issuer"},
			{Column: "tls_client_provided_host_header", Kind: kindDomain, Role: "target"},
		}
		d = append(d, arn("user_identity_arn", "actor")...)
		d = append(d, sessionEmail("user_identity_arn", "actor"))
		return append(d, arn("session_issuer_arn", "issuer")...)
	case "vpcflow":
		return []Derived{
			{Column: "account_id", Kind: kindAccount, Role: "owner"},
			{Column: "interface_id", Kind: kindENI, Role: "target"},
			{Column: "srcaddr", Kind: kindIP, Role: "source_ip", Attr: "srcaddr_class"},
			{Column: "dstaddr", Kind: kindIP, Role: "dest_ip", Attr: "dstaddr_class"},
			{Column: "pkt_srcaddr", Kind: kindIP, Role: "source_ip", Attr: "pkt_srcaddr_class"},
			{Column: "pkt_dstaddr", Kind: kindIP, Role: "dest_ip", Attr: "pkt_dstaddr_class"},
			{Column: "vpc_id", Kind: kindVPC, Role: "target"},
			{Column: "subnet_id", Kind: kindSubnet, Role: "target"},
			{Column: "instance_id", Kind: kindInstance, Role: "target"},
		}
	case "s3access":
		d := []Derived{
			{Column: "bucket", Kind: kindBucket, Role: "target"},
			{Column: "remote_ip", Kind: kindIP, Role: "source_ip", Attr: "remote_ip_class"},
			{Column: "key", Kind: kindObjectKey, Role: "target"},
			{Column: "user_agent", Kind: kindUA, Role: "client", Attr: "user_agent_class"},
			{Column: "host_header", Kind: kindDomain, Role: "target"},
		}
		d = append(d, arn("requester", "actor")...)
		return append(d, sessionEmail("requester", "actor"))
	}
	return nil
}

// ARNKind is the kind the entities view gives a typed ARN column's value:
// by its service (third field) and the start of its resource (sixth field),
// as the SQL of ARNKindSQL does. Extraction sets a Derived bit for an ARN
// only when its own kind agrees.
func ARNKind(arn string) string {
	svc, res := splitPart(arn, 3), splitPart(arn, 6)
	switch {
	case svc == "iam" && res == "root":
		return "root"
	case svc == "iam" && strings.HasPrefix(res, "user/"):
		return "iam_user_arn"
	case svc == "iam" && strings.HasPrefix(res, "role/"):
		return "iam_role_arn"
	case svc == "sts" && strings.HasPrefix(res, "assumed-role/AWSReservedSSO"):
		return "sso_principal"
	case svc == "sts" && strings.HasPrefix(res, "assumed-role/"):
		return "assumed_role_arn"
	case svc == "sts" && strings.HasPrefix(res, "federated-user/"):
		return "federated_principal"
	}
	return "arn"
}

// SessionName is what follows the last '/' of a principal ARN (all of it
// when there is none), as the view reads it.
func SessionName(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// ARNAccount is the account field of an ARN (its fifth field), as the view
// reads it.
func ARNAccount(arn string) string { return splitPart(arn, 5) }

// AccessKeyAttr is the attr the view gives an access key id: long_term for
// AKIA…, temporary otherwise (typed key columns hold AKIA/ASIA ids only).
func AccessKeyAttr(id string) string {
	if len(id) > 1 && id[1] == 'K' {
		return "long_term"
	}
	return "temporary"
}

// splitPart is SQL split_part(s, ':', n): the n-th (1-based) field, "" when
// there are fewer.
func splitPart(s string, n int) string {
	for i := 1; i < n; i++ {
		k := strings.IndexByte(s, ':')
		if k < 0 {
			return ""
		}
		s = s[k+1:]
	}
	if k := strings.IndexByte(s, ':'); k >= 0 {
		return s[:k]
	}
	return s
}

// arnKindSQL is ARNKind in SQL over the expression col.
func arnKindSQL(col string) string {
	svc, res := "split_part("+col+", ':', 3)", "split_part("+col+", ':', 6)"
	return "CASE WHEN " + svc + " = 'iam' AND " + res + " = 'root' THEN 'root'" +
		" WHEN " + svc + " = 'iam' AND " + res + " LIKE 'user/%' THEN 'iam_user_arn'" +
		" WHEN " + svc + " = 'iam' AND " + res + " LIKE 'role/%' THEN 'iam_role_arn'" +
		" WHEN " + svc + " = 'sts' AND " + res + " LIKE 'assumed-role/AWSReservedSSO%' THEN 'sso_principal'" +
		" WHEN " + svc + " = 'sts' AND " + res + " LIKE 'assumed-role/%' THEN 'assumed_role_arn'" +
		" WHEN " + svc + " = 'sts' AND " + res + " LIKE 'federated-user/%' THEN 'federated_principal'" +
		" ELSE 'arn' END"
}

// EntitiesViewColumns are the columns of the entities view, after the
// source_table and event_id columns and before the partition columns.
var entitiesViewEventColumns = []string{"event_time", "source_object", "source_offset"}

// EntitiesView is the view that lists every extracted entity of every event
// table: (source_table, event_id, event_time, source_object, source_offset,
// kind, value, role, field, confidence, attr, region, accountId, eventDay,
// eventHour). event_id is CloudTrail's eventID, and "<object>#<line>" for
// flow and access log records. For each table it reads the entities list
// and, for each Derived entity, the typed column of the rows whose
// p_typed_entities has its bit. dialect is "athena" or "duckdb".
func EntitiesView(dialect, database string) string {
	return EntitiesViewOf(dialect, database, nil)
}

// EntitiesViewOf is EntitiesView where listedOnly(table) reports the tables
// whose rows predate p_typed_entities (parts converted by an older version,
// not backfilled since): their rows list every entity, and the view reads
// only the list. nil means none.
func EntitiesViewOf(dialect, database string, listedOnly func(table string) bool) string {
	athena := dialect == "athena"
	q := func(s string) string {
		if athena {
			return strings.ToLower(s)
		}
		return `"` + s + `"`
	}
	floatType, null := "FLOAT", "VARCHAR"
	if athena {
		floatType, null = "real", "varchar"
	}
	rowType := "ROW(kind varchar, value varchar, role varchar, field varchar, confidence real, attr varchar)"
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
			if athena {
				cols = append(cols, "t."+f+" AS "+f)
			} else {
				cols = append(cols, "e."+f+" AS "+f)
			}
		}
		for _, p := range t.Partitions {
			cols = append(cols, q(p))
		}
		from := t.Name
		if database != "" {
			from = "`" + database + "`.`" + t.Name + "`"
			if athena {
				from = `"` + database + `"."` + t.Name + `"`
			}
		}
		derived := t.Derived()
		if listedOnly != nil && listedOnly(t.Name) {
			derived = nil
		}
		// One element per derived entity: the entity when its bit is set,
		// NULL otherwise; appended to the listed ones and unnested in one
		// scan of the table.
		var elems []string
		for i, d := range derived {
			col := `"` + d.Column + `"`
			kind, value, attr := "'"+d.Kind+"'", col, "CAST(NULL AS "+null+")"
			if d.Kind == "" {
				kind = arnKindSQL(col)
			}
			switch {
			case d.Account:
				value = "split_part(" + col + ", ':', 5)"
			case d.Session && athena:
				value = "element_at(split(" + col + ", '/'), -1)"
			case d.Session:
				value = "split(" + col + ", '/')[-1]"
			}
			if d.Lower {
				value = "lower(" + value + ")"
			}
			conf := "1"
			if d.Confidence != 0 {
				conf = fmt.Sprint(d.Confidence)
			}
			switch {
			case d.Attr != "":
				attr = `"` + d.Attr + `"`
			case d.Kind == kindKey:
				attr = "CASE WHEN substr(" + col + ", 2, 1) = 'K' THEN 'long_term' ELSE 'temporary' END"
			}
			if athena {
				elems = append(elems, fmt.Sprintf("CASE WHEN bitwise_and(p_typed_entities, %d) <> 0 THEN CAST(ROW(%s, %s, '%s', '%s', %s, %s) AS %s) END",
					1<<i, kind, value, d.Role, d.Column, conf, attr, rowType))
			} else {
				elems = append(elems, fmt.Sprintf("CASE WHEN (p_typed_entities & %d) <> 0 THEN {'kind': %s, 'value': %s, 'role': '%s', 'field': '%s', 'confidence': CAST(%s AS %s), 'attr': %s} END",
					1<<i, kind, value, d.Role, d.Column, conf, floatType, attr))
			}
		}
		list := "entities"
		if len(elems) > 0 {
			sep := ",\n    "
			if athena {
				list = "concat(coalesce(entities, CAST(ARRAY[] AS ARRAY(" + rowType + "))), ARRAY[\n    " + strings.Join(elems, sep) + "])"
			} else {
				list = "list_concat(entities, [\n    " + strings.Join(elems, sep) + "])"
			}
		}
		var sql string
		if athena {
			sql = "SELECT " + strings.Join(cols, ", ") + "\nFROM " + from + "\nCROSS JOIN UNNEST(" + list + ") AS t(kind, value, role, field, confidence, attr)\nWHERE t.kind IS NOT NULL"
		} else {
			sql = "SELECT " + strings.Join(cols, ", ") + "\nFROM (SELECT *, unnest(" + list + ") AS e FROM " + from + ")\nWHERE e IS NOT NULL"
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
