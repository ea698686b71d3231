package entity

import (
	"slices"
)

// Lists are the per-row list columns written on each event table. Each field
// is indexed by row; a row's list is sorted and holds distinct values (nil
// when empty). Which kinds feed which column:
//
//	p_any_ip_addresses     ip_address
//	p_any_aws_arns         every entity whose value is an ARN ("arn:…"), any kind
//	p_any_aws_account_ids  aws_account_id
//	p_any_access_key_ids   access_key_id
//	p_any_principals       iam_user_arn, iam_role_arn, assumed_role_arn, federated_principal,
//	                       sso_principal, root
//	p_any_resource_ids     vpc_id, subnet_id, security_group_id, network_interface_id,
//	                       instance_id, ami_id, snapshot_id, volume_id
//	p_any_s3_buckets       s3_bucket
//	p_any_kms_keys         kms_key (ARN, key id or alias, as found)
//	p_any_domain_names     domain_name
//	p_any_emails           email_address
//
// user_agent, s3_object_key, secret, ssm_parameter and lambda_function_arn
// values are only in the entities table (the ARN forms also in
// p_any_aws_arns).
type Lists struct {
	IPAddresses  [][]string
	ARNs         [][]string
	AccountIDs   [][]string
	AccessKeyIDs [][]string
	Principals   [][]string
	ResourceIDs  [][]string
	S3Buckets    [][]string
	KMSKeys      [][]string
	DomainNames  [][]string
	Emails       [][]string
}

// ListColumnNames are the column names of Lists' fields, in field order.
var ListColumnNames = []string{"p_any_ip_addresses", "p_any_aws_arns", "p_any_aws_account_ids",
	"p_any_access_key_ids", "p_any_principals", "p_any_resource_ids", "p_any_s3_buckets", "p_any_kms_keys",
	"p_any_domain_names", "p_any_emails"}

// ListColumns folds entities (as returned by Extract: sorted by row; any
// other order is sorted first) into the per-row list columns of a batch of
// rows rows. Entities with Row outside [0, rows) are ignored. The per-row
// lists share one backing array per column (few allocations per batch).
func ListColumns(ents []Entity, rows int) Lists {
	if !slices.IsSortedFunc(ents, func(a, b Entity) int { return int(a.Row) - int(b.Row) }) {
		ents = slices.Clone(ents)
		slices.SortStableFunc(ents, func(a, b Entity) int { return int(a.Row) - int(b.Row) })
	}
	var l Lists
	cols := [...]*[][]string{&l.IPAddresses, &l.ARNs, &l.AccountIDs, &l.AccessKeyIDs, &l.Principals,
		&l.ResourceIDs, &l.S3Buckets, &l.KMSKeys, &l.DomainNames, &l.Emails}
	var n [len(cols)]int
	dst := make([][2]int8, len(ents)) // list columns of each entity
	for i := range ents {
		dst[i] = listsOf(&ents[i])
		for _, c := range dst[i] {
			if c >= 0 {
				n[c]++
			}
		}
	}
	bufs := [len(cols)][]string{}
	for c := range cols {
		*cols[c] = make([][]string, rows)
		bufs[c] = make([]string, 0, n[c])
	}
	for i := 0; i < len(ents); {
		r := int(ents[i].Row)
		j := i
		for j < len(ents) && int(ents[j].Row) == r {
			j++
		}
		if r < 0 || r >= rows {
			i = j
			continue
		}
		var start [len(cols)]int
		for c := range cols {
			start[c] = len(bufs[c])
		}
		for k := i; k < j; k++ {
			for _, c := range dst[k] {
				if c >= 0 {
					bufs[c] = append(bufs[c], ents[k].Value)
				}
			}
		}
		for c := range cols {
			if seg := bufs[c][start[c]:]; len(seg) > 0 {
				// Extract's order (kind, value) leaves single-kind lists
				// sorted already; only mixed ones need sorting.
				if !slices.IsSorted(seg) {
					slices.Sort(seg)
				}
				seg = slices.Compact(seg)
				bufs[c] = bufs[c][:start[c]+len(seg)]
				(*cols[c])[r] = seg[:len(seg):len(seg)]
			}
		}
		i = j
	}
	return l
}

// RowLists is ListColumns for the entities of one row (sorted by Kind,
// Value, Role, as a Tuple's are; Row is ignored), in ListColumnNames order,
// with one backing array for all the lists.
func RowLists(ents []Entity) [10][]string {
	var out [10][]string
	var n [10]int
	total := 0
	for i := range ents {
		for _, c := range listsOf(&ents[i]) {
			if c >= 0 {
				n[c]++
				total++
			}
		}
	}
	if total == 0 {
		return out
	}
	buf := make([]string, 0, total)
	for c := range out {
		if n[c] == 0 {
			continue
		}
		start := len(buf)
		for i := range ents {
			if l := listsOf(&ents[i]); l[0] == int8(c) || l[1] == int8(c) {
				buf = append(buf, ents[i].Value)
			}
		}
		seg := buf[start:]
		if !slices.IsSorted(seg) {
			slices.Sort(seg)
		}
		seg = slices.Compact(seg)
		buf = buf[:start+len(seg)]
		out[c] = seg[:len(seg):len(seg)]
	}
	return out
}

// ListsOf returns the indexes (in Lists field and ListColumnNames order) of
// the list columns an entity goes to; -1 for none.
func ListsOf(e *Entity) [2]int8 { return listsOf(e) }

// Array returns the lists of row i in ListColumnNames order.
func (l *Lists) Array(i int) [10][]string {
	return [10][]string{l.IPAddresses[i], l.ARNs[i], l.AccountIDs[i], l.AccessKeyIDs[i], l.Principals[i],
		l.ResourceIDs[i], l.S3Buckets[i], l.KMSKeys[i], l.DomainNames[i], l.Emails[i]}
}

// listsOf returns the indexes (in Lists field order) of the list columns an
// entity goes to; -1 for none.
func listsOf(e *Entity) [2]int8 {
	out := [2]int8{-1, -1}
	if v := e.Value; len(v) > 4 && v[0] == 'a' && v[:4] == "arn:" {
		out[1] = 1
	}
	if r, ok := kindRank[e.Kind]; ok {
		out[0] = listOfRank[r]
	}
	return out
}

// listOfRank maps a kind rank (kindRanks) to its list column, -1 for none.
var listOfRank = func() []int8 {
	m := map[Kind]int8{IPAddress: 0, AccountID: 2, AccessKeyID: 3,
		IAMUserARN: 4, IAMRoleARN: 4, AssumedRoleARN: 4, FederatedPrincipal: 4, SSOPrincipal: 4, Root: 4,
		VPCID: 5, SubnetID: 5, SecurityGroupID: 5, NetworkInterfaceID: 5, InstanceID: 5, AMIID: 5,
		SnapshotID: 5, VolumeID: 5, S3Bucket: 6, KMSKey: 7, DomainName: 8, EmailAddress: 9}
	out := make([]int8, len(kindRanks))
	for i, k := range kindRanks {
		if c, ok := m[Kind(k)]; ok {
			out[i] = c
		} else {
			out[i] = -1
		}
	}
	return out
}()
