package schemas

import "time"

// VPCFlow is one VPC (or Transit Gateway) flow log record as stored in
// events/vpcflow/. Fields absent from the delivered format, or written as "-"
// by AWS (NODATA/SKIPDATA rows), are NULL. Header fields this version does not
// know are kept in Unmapped as a JSON object of name → raw value.
type VPCFlow struct {
	EventTime               time.Time  `parquet:"event_time,timestamp(microsecond)"`
	Version                 *int32     `parquet:"version,optional"`
	AccountID               string     `parquet:"account_id,optional,dict"`
	InterfaceID             string     `parquet:"interface_id,optional,dict"`
	SrcAddr                 string     `parquet:"srcaddr,optional,dict"`
	DstAddr                 string     `parquet:"dstaddr,optional,dict"`
	SrcPort                 *int32     `parquet:"srcport,optional"`
	DstPort                 *int32     `parquet:"dstport,optional"`
	Protocol                *int32     `parquet:"protocol,optional"`
	Packets                 *int64     `parquet:"packets,optional"`
	Bytes                   *int64     `parquet:"bytes,optional"`
	StartTime               *time.Time `parquet:"start_time,optional,timestamp(microsecond)"`
	EndTime                 *time.Time `parquet:"end_time,optional,timestamp(microsecond)"`
	Action                  string     `parquet:"action,optional,dict"`
	LogStatus               string     `parquet:"log_status,optional,dict"`
	VPCID                   string     `parquet:"vpc_id,optional,dict"`
	SubnetID                string     `parquet:"subnet_id,optional,dict"`
	InstanceID              string     `parquet:"instance_id,optional,dict"`
	TCPFlags                *int32     `parquet:"tcp_flags,optional"`
	Type                    string     `parquet:"type,optional,dict"`
	PktSrcAddr              string     `parquet:"pkt_srcaddr,optional,dict"`
	PktDstAddr              string     `parquet:"pkt_dstaddr,optional,dict"`
	Region                  string     `parquet:"aws_region,optional,dict"`
	AZID                    string     `parquet:"az_id,optional,dict"`
	SublocationType         string     `parquet:"sublocation_type,optional,dict"`
	SublocationID           string     `parquet:"sublocation_id,optional,dict"`
	PktSrcAWSService        string     `parquet:"pkt_src_aws_service,optional,dict"`
	PktDstAWSService        string     `parquet:"pkt_dst_aws_service,optional,dict"`
	FlowDirection           string     `parquet:"flow_direction,optional,dict"`
	TrafficPath             *int32     `parquet:"traffic_path,optional"`
	ECSClusterARN           string     `parquet:"ecs_cluster_arn,optional,dict"`
	ECSClusterName          string     `parquet:"ecs_cluster_name,optional,dict"`
	ECSContainerInstanceARN string     `parquet:"ecs_container_instance_arn,optional,dict"`
	ECSContainerInstanceID  string     `parquet:"ecs_container_instance_id,optional,dict"`
	ECSContainerID          string     `parquet:"ecs_container_id,optional,dict"`
	ECSSecondContainerID    string     `parquet:"ecs_second_container_id,optional,dict"`
	ECSServiceName          string     `parquet:"ecs_service_name,optional,dict"`
	ECSTaskDefinitionARN    string     `parquet:"ecs_task_definition_arn,optional,dict"`
	ECSTaskARN              string     `parquet:"ecs_task_arn,optional,dict"`
	ECSTaskID               string     `parquet:"ecs_task_id,optional,dict"`
	RejectReason            string     `parquet:"reject_reason,optional,dict"`
	ResourceType            string     `parquet:"resource_type,optional,dict"`
	TGWID                   string     `parquet:"tgw_id,optional,dict"`
	TGWAttachmentID         string     `parquet:"tgw_attachment_id,optional,dict"`
	TGWSrcVPCAccountID      string     `parquet:"tgw_src_vpc_account_id,optional,dict"`
	TGWDstVPCAccountID      string     `parquet:"tgw_dst_vpc_account_id,optional,dict"`
	TGWSrcVPCID             string     `parquet:"tgw_src_vpc_id,optional,dict"`
	TGWDstVPCID             string     `parquet:"tgw_dst_vpc_id,optional,dict"`
	TGWSrcSubnetID          string     `parquet:"tgw_src_subnet_id,optional,dict"`
	TGWDstSubnetID          string     `parquet:"tgw_dst_subnet_id,optional,dict"`
	TGWSrcENI               string     `parquet:"tgw_src_eni,optional,dict"`
	TGWDstENI               string     `parquet:"tgw_dst_eni,optional,dict"`
	TGWSrcAZID              string     `parquet:"tgw_src_az_id,optional,dict"`
	TGWDstAZID              string     `parquet:"tgw_dst_az_id,optional,dict"`
	TGWPairAttachmentID     string     `parquet:"tgw_pair_attachment_id,optional,dict"`
	PacketsLostNoRoute      *int64     `parquet:"packets_lost_no_route,optional"`
	PacketsLostBlackhole    *int64     `parquet:"packets_lost_blackhole,optional"`
	PacketsLostMTUExceeded  *int64     `parquet:"packets_lost_mtu_exceeded,optional"`
	PacketsLostTTLExpired   *int64     `parquet:"packets_lost_ttl_expired,optional"`
	Unmapped                string     `parquet:"unmapped,optional"`
	Extracted
	SrcAddrClass    string `parquet:"srcaddr_class,optional,dict"`
	DstAddrClass    string `parquet:"dstaddr_class,optional,dict"`
	PktSrcAddrClass string `parquet:"pkt_srcaddr_class,optional,dict"`
	PktDstAddrClass string `parquet:"pkt_dstaddr_class,optional,dict"`
	SourceObject    string `parquet:"source_object,dict"`
	SourceOffset    int64  `parquet:"source_offset"`
	SourceLine      int64  `parquet:"source_line"` // 1-based line in the decompressed object
}

// Time is the event time used for partitioning and sorting.
func (r *VPCFlow) Time() time.Time { return r.EventTime }
