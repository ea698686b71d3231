package vpcflow

import (
	"net/netip"
	"strings"
)

// col identifies the destination column of one flow log field.
type col uint8

const (
	colUnknown col = iota // kept in Unmapped
	colVersion
	colAccountID
	colInterfaceID
	colSrcAddr
	colDstAddr
	colSrcPort
	colDstPort
	colProtocol
	colPackets
	colBytes
	colStart
	colEnd
	colAction
	colLogStatus
	colVPCID
	colSubnetID
	colInstanceID
	colTCPFlags
	colType
	colPktSrcAddr
	colPktDstAddr
	colRegion
	colAZID
	colSublocationType
	colSublocationID
	colPktSrcAWSService
	colPktDstAWSService
	colFlowDirection
	colTrafficPath
	colECSClusterARN
	colECSClusterName
	colECSContainerInstanceARN
	colECSContainerInstanceID
	colECSContainerID
	colECSSecondContainerID
	colECSServiceName
	colECSTaskDefinitionARN
	colECSTaskARN
	colECSTaskID
	colRejectReason
	colResourceType
	colTGWID
	colTGWAttachmentID
	colTGWSrcVPCAccountID
	colTGWDstVPCAccountID
	colTGWSrcVPCID
	colTGWDstVPCID
	colTGWSrcSubnetID
	colTGWDstSubnetID
	colTGWSrcENI
	colTGWDstENI
	colTGWSrcAZID
	colTGWDstAZID
	colTGWPairAttachmentID
	colPacketsLostNoRoute
	colPacketsLostBlackhole
	colPacketsLostMTUExceeded
	colPacketsLostTTLExpired
	numCols
)

// fieldNames maps every documented flow log field name (VPC v2–v8, ECS,
// Transit Gateway) to its column.
var fieldNames = map[string]col{
	"version":                    colVersion,
	"account-id":                 colAccountID,
	"interface-id":               colInterfaceID,
	"srcaddr":                    colSrcAddr,
	"dstaddr":                    colDstAddr,
	"srcport":                    colSrcPort,
	"dstport":                    colDstPort,
	"protocol":                   colProtocol,
	"packets":                    colPackets,
	"bytes":                      colBytes,
	"start":                      colStart,
	"end":                        colEnd,
	"action":                     colAction,
	"log-status":                 colLogStatus,
	"vpc-id":                     colVPCID,
	"subnet-id":                  colSubnetID,
	"instance-id":                colInstanceID,
	"tcp-flags":                  colTCPFlags,
	"type":                       colType,
	"pkt-srcaddr":                colPktSrcAddr,
	"pkt-dstaddr":                colPktDstAddr,
	"region":                     colRegion,
	"az-id":                      colAZID,
	"sublocation-type":           colSublocationType,
	"sublocation-id":             colSublocationID,
	"pkt-src-aws-service":        colPktSrcAWSService,
	"pkt-dst-aws-service":        colPktDstAWSService,
	"flow-direction":             colFlowDirection,
	"traffic-path":               colTrafficPath,
	"ecs-cluster-arn":            colECSClusterARN,
	"ecs-cluster-name":           colECSClusterName,
	"ecs-container-instance-arn": colECSContainerInstanceARN,
	"ecs-container-instance-id":  colECSContainerInstanceID,
	"ecs-container-id":           colECSContainerID,
	"ecs-second-container-id":    colECSSecondContainerID,
	"ecs-service-name":           colECSServiceName,
	"ecs-task-definition-arn":    colECSTaskDefinitionARN,
	"ecs-task-arn":               colECSTaskARN,
	"ecs-task-id":                colECSTaskID,
	"reject-reason":              colRejectReason,
	"resource-type":              colResourceType,
	"tgw-id":                     colTGWID,
	"tgw-attachment-id":          colTGWAttachmentID,
	"tgw-src-vpc-account-id":     colTGWSrcVPCAccountID,
	"tgw-dst-vpc-account-id":     colTGWDstVPCAccountID,
	"tgw-src-vpc-id":             colTGWSrcVPCID,
	"tgw-dst-vpc-id":             colTGWDstVPCID,
	"tgw-src-subnet-id":          colTGWSrcSubnetID,
	"tgw-dst-subnet-id":          colTGWDstSubnetID,
	"tgw-src-eni":                colTGWSrcENI,
	"tgw-dst-eni":                colTGWDstENI,
	"tgw-src-az-id":              colTGWSrcAZID,
	"tgw-dst-az-id":              colTGWDstAZID,
	"tgw-pair-attachment-id":     colTGWPairAttachmentID,
	"packets-lost-no-route":      colPacketsLostNoRoute,
	"packets-lost-blackhole":     colPacketsLostBlackhole,
	"packets-lost-mtu-exceeded":  colPacketsLostMTUExceeded,
	"packets-lost-ttl-expired":   colPacketsLostTTLExpired,
}

// normName turns a header or format token into a field name: "${srcaddr}"
// and "srcaddr" both give "srcaddr"; "_" is accepted for "-".
func normName(tok string) string {
	tok = strings.TrimPrefix(tok, "${")
	tok = strings.TrimSuffix(tok, "}")
	return strings.ReplaceAll(strings.ToLower(tok), "_", "-")
}

// isNameToken reports whether tok can be a header field name.
func isNameToken(tok string) bool {
	tok = strings.TrimSuffix(strings.TrimPrefix(tok, "${"), "}")
	if tok == "" || tok[0] < 'a' || tok[0] > 'z' {
		return false
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Documented layouts recognised on headerless lines, by field count.
var (
	// v2Fields is the default format (version 2).
	v2Fields = strings.Fields("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status")
	// all v5 fields in the default order (AWS "all fields" selection).
	v5Fields = append(append([]string{}, v2Fields...), strings.Fields("vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path")...)
	v7Fields = append(append([]string{}, v5Fields...), strings.Fields("ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn ecs-container-instance-id ecs-container-id ecs-second-container-id ecs-service-name ecs-task-definition-arn ecs-task-arn ecs-task-id")...)
	v8Fields = append(append([]string{}, v7Fields...), "reject-reason")
	// Transit Gateway flow logs, default format (version 6).
	tgwFields = strings.Fields("version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service")
	// The custom v3 format of AWS's documented transit-gateway/middlebox
	// example (also recognised by Elastic's parser).
	v3TGWExampleFields = strings.Fields("version interface-id account-id vpc-id subnet-id instance-id srcaddr dstaddr srcport dstport protocol tcp-flags type pkt-srcaddr pkt-dstaddr action log-status")
	// all v3 and all v4 fields in the default order.
	v3Fields = v5Fields[:21]
	v4Fields = v5Fields[:25]
)

// knownLayouts lists the headerless layouts tried by field count. A line is
// given a layout only when every field fits the layout's value shapes.
var knownLayouts = func() map[int][]*layout {
	m := map[int][]*layout{}
	for _, f := range [][]string{v3TGWExampleFields, v3Fields, v4Fields, v5Fields, tgwFields, v7Fields, v8Fields} {
		l := newLayout(f, "documented "+layoutName(len(f)))
		m[len(f)] = append(m[len(f)], l)
	}
	return m
}()

func layoutName(n int) string {
	switch n {
	case 17:
		return "v3 transit-gateway example format"
	case 21:
		return "v3 all-fields format"
	case 25:
		return "v4 all-fields format"
	case 29:
		return "v5 all-fields format"
	case 36:
		return "transit gateway v6 default format"
	case 39:
		return "v7 (ECS) all-fields format"
	case 40:
		return "v8 all-fields format"
	}
	return "format"
}

// fits reports whether v is a plausible value for column c; it only guards
// headerless layout guessing, the parse itself checks numbers.
func fits(c col, v string) bool {
	if v == "-" {
		return true
	}
	switch c {
	case colVersion, colSrcPort, colDstPort, colProtocol, colPackets, colBytes, colStart, colEnd,
		colTCPFlags, colTrafficPath, colAccountID, colTGWSrcVPCAccountID, colTGWDstVPCAccountID,
		colPacketsLostNoRoute, colPacketsLostBlackhole, colPacketsLostMTUExceeded, colPacketsLostTTLExpired:
		for i := 0; i < len(v); i++ {
			if v[i] < '0' || v[i] > '9' {
				return false
			}
		}
		return true
	case colSrcAddr, colDstAddr, colPktSrcAddr, colPktDstAddr:
		_, err := netip.ParseAddr(v)
		return err == nil
	case colInterfaceID, colTGWSrcENI, colTGWDstENI:
		return strings.HasPrefix(v, "eni-")
	case colVPCID, colTGWSrcVPCID, colTGWDstVPCID:
		return strings.HasPrefix(v, "vpc-")
	case colSubnetID, colTGWSrcSubnetID, colTGWDstSubnetID:
		return strings.HasPrefix(v, "subnet-")
	case colInstanceID:
		return strings.HasPrefix(v, "i-")
	case colTGWID:
		return strings.HasPrefix(v, "tgw-")
	case colTGWAttachmentID, colTGWPairAttachmentID:
		return strings.HasPrefix(v, "tgw-attach-")
	case colAction:
		return v == "ACCEPT" || v == "REJECT"
	case colLogStatus:
		return v == "OK" || v == "NODATA" || v == "SKIPDATA"
	case colType:
		return v == "IPv4" || v == "IPv6" || v == "EFA"
	case colFlowDirection:
		return v == "ingress" || v == "egress"
	}
	return true
}
