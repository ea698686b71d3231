package entity

import (
	"slices"
	"strings"
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

// ListColumns folds entities (as returned by Extract, any order) into the
// per-row list columns of a batch of rows rows. Entities with Row outside
// [0, rows) are ignored.
func ListColumns(ents []Entity, rows int) Lists {
	l := Lists{
		IPAddresses: make([][]string, rows), ARNs: make([][]string, rows), AccountIDs: make([][]string, rows),
		AccessKeyIDs: make([][]string, rows), Principals: make([][]string, rows),
		ResourceIDs: make([][]string, rows), S3Buckets: make([][]string, rows), KMSKeys: make([][]string, rows),
		DomainNames: make([][]string, rows), Emails: make([][]string, rows),
	}
	for _, e := range ents {
		r := int(e.Row)
		if r < 0 || r >= rows {
			continue
		}
		if strings.HasPrefix(e.Value, "arn:") {
			l.ARNs[r] = append(l.ARNs[r], e.Value)
		}
		var dst [][]string
		switch e.Kind {
		case IPAddress:
			dst = l.IPAddresses
		case AccountID:
			dst = l.AccountIDs
		case AccessKeyID:
			dst = l.AccessKeyIDs
		case IAMUserARN, IAMRoleARN, AssumedRoleARN, FederatedPrincipal, SSOPrincipal, Root:
			dst = l.Principals
		case VPCID, SubnetID, SecurityGroupID, NetworkInterfaceID, InstanceID, AMIID, SnapshotID, VolumeID:
			dst = l.ResourceIDs
		case S3Bucket:
			dst = l.S3Buckets
		case KMSKey:
			dst = l.KMSKeys
		case DomainName:
			dst = l.DomainNames
		case EmailAddress:
			dst = l.Emails
		default:
			continue
		}
		dst[r] = append(dst[r], e.Value)
	}
	for _, col := range [][][]string{l.IPAddresses, l.ARNs, l.AccountIDs, l.AccessKeyIDs, l.Principals,
		l.ResourceIDs, l.S3Buckets, l.KMSKeys, l.DomainNames, l.Emails} {
		for r, v := range col {
			if len(v) > 1 {
				slices.Sort(v)
				col[r] = slices.Compact(v)
			}
		}
	}
	return l
}
