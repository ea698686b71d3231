// Package extract applies entity extraction (internal/entity) to batches of
// event rows: it builds one Arrow string array per relevant column of the
// batch, runs the column-oriented extractor once, and writes the results
// back into each row's p_any_* list columns and nested entities column. The
// convert job calls it per batch and the extract job (backfill of existing
// partitions) per Parquet part, so both give identical rows.
//
// With a Redactor, personal data is then replaced in the rows (e-mail
// addresses anywhere in the text columns, IAM user names and the user part
// of IAM user ARNs) and in the extracted entities, consistently, so the
// redacted values stay joinable.
package extract

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/seclake/seclake/internal/entity"
	"github.com/seclake/seclake/schemas"
)

// ChunkRows is how many rows callers hand to one extraction call: it bounds
// the Arrow columns built at once. Results are per row, whatever the chunking.
const ChunkRows = 4096

// Extraction holds the extractor and the optional PII redactor.
type Extraction struct {
	Extractor *entity.Extractor
	Redactor  *entity.Redactor // nil keeps personal data as logged
	Mem       memory.Allocator // nil = Go allocator
}

type column[T any] struct {
	name string
	get  func(*T) string
}

// ctColumns are the CloudTrail columns the extractor reads. The raw
// user_identity JSON is not among them: the parser flattens it into the typed
// user_identity_* / session_* columns, which the extractor prefers (it skips
// user_identity whenever user_identity_arn is present), so copying it into
// Arrow would be wasted work.
var ctColumns = []column[schemas.CloudTrail]{
	{"event_source", func(r *schemas.CloudTrail) string { return r.EventSource }},
	{"vpc_endpoint_id", func(r *schemas.CloudTrail) string { return r.VPCEndpointID }},
	{"source_ip_address", func(r *schemas.CloudTrail) string { return r.SourceIPAddress }},
	{"user_agent", func(r *schemas.CloudTrail) string { return r.UserAgent }},
	{"recipient_account_id", func(r *schemas.CloudTrail) string { return r.RecipientAccountID }},
	{"vpc_endpoint_account_id", func(r *schemas.CloudTrail) string { return r.VPCEndpointAccountID }},
	{"user_identity_arn", func(r *schemas.CloudTrail) string { return r.UserIdentityARN }},
	{"user_identity_account_id", func(r *schemas.CloudTrail) string { return r.UserIdentityAccountID }},
	{"user_identity_access_key_id", func(r *schemas.CloudTrail) string { return r.UserIdentityAccessKeyID }},
	{"user_identity_principal_id", func(r *schemas.CloudTrail) string { return r.UserIdentityPrincipalID }},
	{"session_issuer_arn", func(r *schemas.CloudTrail) string { return r.SessionIssuerARN }},
	{"session_issuer_account_id", func(r *schemas.CloudTrail) string { return r.SessionIssuerAccountID }},
	{"session_source_identity", func(r *schemas.CloudTrail) string { return r.SessionSourceIdentity }},
	{"tls_client_provided_host_header", func(r *schemas.CloudTrail) string { return r.TLSClientProvidedHostHeader }},
	{"request_parameters", func(r *schemas.CloudTrail) string { return r.RequestParameters }},
	{"response_elements", func(r *schemas.CloudTrail) string { return r.ResponseElements }},
	{"additional_event_data", func(r *schemas.CloudTrail) string { return r.AdditionalEventData }},
	{"service_event_details", func(r *schemas.CloudTrail) string { return r.ServiceEventDetails }},
	{"resources", func(r *schemas.CloudTrail) string { return r.Resources }},
	{"error_message", func(r *schemas.CloudTrail) string { return r.ErrorMessage }},
}

var vfColumns = []column[schemas.VPCFlow]{
	{"account_id", func(r *schemas.VPCFlow) string { return r.AccountID }},
	{"interface_id", func(r *schemas.VPCFlow) string { return r.InterfaceID }},
	{"srcaddr", func(r *schemas.VPCFlow) string { return r.SrcAddr }},
	{"dstaddr", func(r *schemas.VPCFlow) string { return r.DstAddr }},
	{"pkt_srcaddr", func(r *schemas.VPCFlow) string { return r.PktSrcAddr }},
	{"pkt_dstaddr", func(r *schemas.VPCFlow) string { return r.PktDstAddr }},
	{"vpc_id", func(r *schemas.VPCFlow) string { return r.VPCID }},
	{"subnet_id", func(r *schemas.VPCFlow) string { return r.SubnetID }},
	{"instance_id", func(r *schemas.VPCFlow) string { return r.InstanceID }},
	{"tgw_src_vpc_account_id", func(r *schemas.VPCFlow) string { return r.TGWSrcVPCAccountID }},
	{"tgw_dst_vpc_account_id", func(r *schemas.VPCFlow) string { return r.TGWDstVPCAccountID }},
	{"tgw_src_vpc_id", func(r *schemas.VPCFlow) string { return r.TGWSrcVPCID }},
	{"tgw_dst_vpc_id", func(r *schemas.VPCFlow) string { return r.TGWDstVPCID }},
	{"tgw_src_subnet_id", func(r *schemas.VPCFlow) string { return r.TGWSrcSubnetID }},
	{"tgw_dst_subnet_id", func(r *schemas.VPCFlow) string { return r.TGWDstSubnetID }},
	{"tgw_src_eni", func(r *schemas.VPCFlow) string { return r.TGWSrcENI }},
	{"tgw_dst_eni", func(r *schemas.VPCFlow) string { return r.TGWDstENI }},
	{"ecs_cluster_arn", func(r *schemas.VPCFlow) string { return r.ECSClusterARN }},
	{"ecs_container_instance_arn", func(r *schemas.VPCFlow) string { return r.ECSContainerInstanceARN }},
	{"ecs_task_definition_arn", func(r *schemas.VPCFlow) string { return r.ECSTaskDefinitionARN }},
	{"ecs_task_arn", func(r *schemas.VPCFlow) string { return r.ECSTaskARN }},
}

var s3Columns = []column[schemas.S3Access]{
	{"bucket", func(r *schemas.S3Access) string { return r.Bucket }},
	{"remote_ip", func(r *schemas.S3Access) string { return r.RemoteIP }},
	{"requester", func(r *schemas.S3Access) string { return r.Requester }},
	{"key", func(r *schemas.S3Access) string { return r.Key }},
	{"user_agent", func(r *schemas.S3Access) string { return r.UserAgent }},
	{"host_header", func(r *schemas.S3Access) string { return r.HostHeader }},
	{"access_point_arn", func(r *schemas.S3Access) string { return r.AccessPointARN }},
}

// CloudTrail fills the extraction columns of rows (and redacts, if set).
func (x *Extraction) CloudTrail(rows []schemas.CloudTrail) {
	apply(x, rows, ctColumns)
	if x.Redactor != nil {
		for i := range rows {
			redactCloudTrail(x.Redactor, &rows[i])
		}
	}
}

// VPCFlow fills the extraction columns of rows. Flow logs hold no personal
// data beyond addresses, so nothing is redacted.
func (x *Extraction) VPCFlow(rows []schemas.VPCFlow) { apply(x, rows, vfColumns) }

// S3Access fills the extraction columns of rows (and redacts, if set).
func (x *Extraction) S3Access(rows []schemas.S3Access) {
	apply(x, rows, s3Columns)
	if x.Redactor != nil {
		for i := range rows {
			r := &rows[i]
			r.Requester = x.Redactor.RedactText(redactUserARN(x.Redactor, r.Requester))
			r.Key = x.Redactor.RedactText(r.Key)
			r.RequestURI = x.Redactor.RedactText(r.RequestURI)
			redactExtracted(x.Redactor, &r.Extracted)
		}
	}
}

type extracted interface {
	Extraction() *schemas.Extracted
}

func apply[T any, P interface {
	*T
	extracted
}](x *Extraction, rows []T, cols []column[T]) {
	if x == nil || x.Extractor == nil || len(rows) == 0 {
		return
	}
	mem := x.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	arrs := make([]entity.Column, len(cols))
	for c, spec := range cols {
		b := array.NewStringBuilder(mem)
		b.Reserve(len(rows))
		size := 0
		for i := range rows {
			size += len(spec.get(&rows[i]))
		}
		b.ReserveData(size)
		nonNull := false
		for i := range rows {
			if v := spec.get(&rows[i]); v != "" {
				b.Append(v)
				nonNull = true
			} else {
				b.AppendNull()
			}
		}
		a := b.NewStringArray()
		b.Release()
		if !nonNull {
			a.Release()
			a = nil
		}
		arrs[c] = entity.Column{Name: spec.name, Values: a}
	}
	ents := x.Extractor.Extract(arrs, len(rows))
	for _, c := range arrs {
		if c.Values != nil {
			c.Values.Release()
		}
	}
	lists := entity.ListColumns(ents, len(rows))
	refs := make([]schemas.EntityRef, len(ents))
	start := 0
	for i := range rows {
		e := P(&rows[i]).Extraction()
		e.PAnyIPAddresses = lists.IPAddresses[i]
		e.PAnyAWSARNs = lists.ARNs[i]
		e.PAnyAccountIDs = lists.AccountIDs[i]
		e.PAnyAccessKeyIDs = lists.AccessKeyIDs[i]
		e.PAnyPrincipals = lists.Principals[i]
		e.PAnyResourceIDs = lists.ResourceIDs[i]
		e.PAnyS3Buckets = lists.S3Buckets[i]
		e.PAnyKMSKeys = lists.KMSKeys[i]
		e.PAnyDomainNames = lists.DomainNames[i]
		e.PAnyEmails = lists.Emails[i]
		end := start
		for end < len(ents) && int(ents[end].Row) == i {
			en := &ents[end]
			refs[end] = schemas.EntityRef{Kind: string(en.Kind), Value: en.Value, Role: en.Role, Field: en.Field, Confidence: en.Confidence, Attr: en.Attr}
			end++
		}
		if end > start {
			e.Entities = refs[start:end:end]
		} else {
			e.Entities = nil
		}
		start = end
	}
}

func redactUserARN(r *entity.Redactor, arn string) string {
	if arn == "" {
		return arn
	}
	if strings.HasPrefix(arn, "arn:") && strings.Contains(arn, ":user/") { // arn:…:iam::acct:user/path/name
		return r.Apply(entity.IAMUserARN, arn)
	}
	return arn
}

func redactCloudTrail(r *entity.Redactor, row *schemas.CloudTrail) {
	if row.UserIdentityUserName != "" && (row.UserIdentityType == "IAMUser" || row.UserIdentityType == "") {
		row.UserIdentityUserName = r.Apply(entity.IAMUserName, row.UserIdentityUserName)
	} else {
		row.UserIdentityUserName = r.RedactText(row.UserIdentityUserName)
	}
	row.UserIdentityARN = r.RedactText(redactUserARN(r, row.UserIdentityARN))
	row.UserIdentityPrincipalID = r.RedactText(row.UserIdentityPrincipalID)
	row.SessionSourceIdentity = r.RedactText(row.SessionSourceIdentity)
	for _, p := range []*string{&row.UserIdentity, &row.RequestParameters, &row.ResponseElements, &row.AdditionalEventData,
		&row.ServiceEventDetails, &row.Resources, &row.ErrorMessage, &row.Unmapped} {
		*p = redactUserNameKeys(r, r.RedactText(*p))
	}
	redactExtracted(r, &row.Extracted)
}

// redactUserNameKeys replaces the string values of "userName" keys in a JSON
// document (IAM APIs name users there) and the user part of IAM user ARNs
// inside it, with the same hashes as the typed columns.
func redactUserNameKeys(r *entity.Redactor, s string) string {
	const key = `"userName"`
	if !strings.Contains(s, key) && !strings.Contains(s, ":user/") {
		return s
	}
	var b strings.Builder
	i := 0
	for {
		k := strings.Index(s[i:], key)
		if k < 0 {
			break
		}
		j := i + k + len(key)
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
			j++
		}
		if j >= len(s) || s[j] != ':' {
			b.WriteString(s[i : i+k+len(key)])
			i = i + k + len(key)
			continue
		}
		j++
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
			j++
		}
		if j >= len(s) || s[j] != '"' {
			b.WriteString(s[i:j])
			i = j
			continue
		}
		end := j + 1
		for end < len(s) && s[end] != '"' {
			if s[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(s) {
			break
		}
		b.WriteString(s[i : j+1])
		b.WriteString(r.Apply(entity.IAMUserName, s[j+1:end]))
		i = end
	}
	b.WriteString(s[i:])
	out := b.String()
	// IAM user ARNs inside the text: arn:<partition>:iam::<acct>:user/<path/>name
	for from := 0; ; {
		k := strings.Index(out[from:], ":user/")
		if k < 0 {
			break
		}
		start := strings.LastIndex(out[:from+k], "arn:")
		end := from + k + len(":user/")
		for end < len(out) && out[end] != '"' && out[end] != ' ' && out[end] != ',' && out[end] != '\\' {
			end++
		}
		if start < 0 || end == from+k+len(":user/") || strings.ContainsAny(out[start:from+k], " \",\\{}") {
			from = end
			continue
		}
		red := r.Apply(entity.IAMUserARN, out[start:end])
		out = out[:start] + red + out[end:]
		from = start + len(red)
	}
	return out
}

func redactExtracted(r *entity.Redactor, e *schemas.Extracted) {
	for i, v := range e.PAnyEmails {
		e.PAnyEmails[i] = r.Apply(entity.EmailAddress, v)
	}
	for _, l := range [][]string{e.PAnyAWSARNs, e.PAnyPrincipals} {
		for i, v := range l {
			l[i] = r.RedactText(redactUserARN(r, v))
		}
	}
	for i := range e.Entities {
		en := &e.Entities[i]
		switch entity.Kind(en.Kind) {
		case entity.EmailAddress:
			en.Value = r.Apply(entity.EmailAddress, en.Value)
		case entity.IAMUserARN:
			en.Value = r.Apply(entity.IAMUserARN, en.Value)
		default:
			en.Value = r.RedactText(en.Value)
		}
	}
}
