package graph

import (
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/inventory"
)

// The node types and relations, by name, for the builder.
var (
	TAccount, TRegion, TReadError, TVPC, TSubnet, TNetworkInterface, TInternetGateway *Type
	TFlowLog, TLogGroup, TBucket, TTag                                                *Type

	rAccountRegion, rAccountVPC                                                 *Relation
	rRegionAccount, rRegionVPC, rRegionFlowLog, rRegionLogGroup, rRegionReadErr *Relation
	rReadErrRegion                                                              *Relation
	rVPCFlowLog, rVPCOtherFlowLog, rVPCSubnet, rVPCENI, rVPCIGW, rVPCTag        *Relation
	rVPCRegion, rVPCAccount                                                     *Relation
	rSubnetVPC, rSubnetFlowLog, rSubnetENI, rSubnetTag                          *Relation
	rENIVPC, rENISubnet, rENIFlowLog                                            *Relation
	rIGWVPC, rIGWTag                                                            *Relation
	rFlowLogLogGroup, rFlowLogBucket, rFlowLogVPC, rFlowLogTag, rFlowLogRegion  *Relation
	rLogGroupFlowLog, rLogGroupRegion, rBucketFlowLog                           *Relation
)

// Default is the schema flowguard's graphs use.
var Default = newSchema()

// nameField is the index of "name" in every type's Fields (the Asset fields come first).
const nameField = 5

// tag is the object behind a Tag node.
type tag struct{ Key, Value string }

// account is the object behind an Account node.
type account struct{ ID, Partition string }

func newSchema() *Schema {
	s := &Schema{byName: map[string]*Type{}, byRoot: map[string]*Type{}}
	add := func(name, root, doc string, coll inventory.Collection, rt string) *Type {
		t := &Type{Name: name, Root: root, Doc: doc, Collection: coll, ResourceType: rt, index: len(s.Types),
			fields: map[string]*Field{}, relations: map[string]*Relation{}}
		s.Types = append(s.Types, t)
		s.byName[name] = t
		if root != "" {
			s.byRoot[root] = t
		}
		return t
	}
	TAccount = add("Account", "accounts", "An AWS account that was scanned.", inventory.CollAccount, "AWS::Account")
	TRegion = add("Region", "regions", "One account in one region, as read.", inventory.CollRegions, "AWS::Region")
	TReadError = add("ReadError", "readErrors", "A collection that could not be read in a region.", "", "")
	TVPC = add("VPC", "vpcs", "An Amazon VPC as seen from the scanned account.", inventory.CollVPCs, "AWS::EC2::VPC")
	TSubnet = add("Subnet", "subnets", "A VPC subnet.", inventory.CollSubnets, "AWS::EC2::Subnet")
	TNetworkInterface = add("NetworkInterface", "networkInterfaces", "An elastic network interface.",
		inventory.CollNetworkInterfaces, "AWS::EC2::NetworkInterface")
	TInternetGateway = add("InternetGateway", "internetGateways", "An internet gateway.",
		inventory.CollInternetGateways, "AWS::EC2::InternetGateway")
	TFlowLog = add("FlowLog", "flowLogs", "An EC2 flow log (on a VPC, subnet, interface or transit gateway).",
		inventory.CollFlowLogs, "AWS::EC2::FlowLog")
	TLogGroup = add("LogGroup", "logGroups", "A CloudWatch Logs log group that flow logs deliver to.",
		inventory.CollLogGroups, "AWS::Logs::LogGroup")
	TBucket = add("Bucket", "buckets", "An S3 bucket that flow logs deliver to.", inventory.CollBuckets,
		"AWS::S3::Bucket")
	tgwTypes(add)
	TTag = add("Tag", "", "A resource tag (reach it through hasTag).", "", "")
	addNetworkTypes(add)

	field := func(t *Type, name string, k Kind, doc string, get func(*Node) Value) {
		f := &Field{Name: name, Kind: k, Doc: doc, get: get}
		t.Fields = append(t.Fields, f)
		t.fields[name] = f
	}
	rel := func(t *Type, name string, target *Type, many bool, doc string) *Relation {
		r := &Relation{Name: name, Target: target, Many: many, Doc: doc, index: len(t.Relations)}
		t.Relations = append(t.Relations, r)
		t.relations[name] = r
		return r
	}

	// Fields every type has, first and in the same order (the Asset interface).
	nameTag := func(n *Node, tags map[string]string) Value { return Str(tags["Name"]) }
	for _, t := range s.Types {
		field(t, "id", KindString, "identifier (VPC id, flow log id, log group name, account/region …)",
			func(n *Node) Value { return Str(n.ID) })
		field(t, "assetType", KindString, "the node type name", func(n *Node) Value { return Str(n.Type.Name) })
		field(t, "accountId", KindString, "the scanned account the node was read in",
			func(n *Node) Value { return Str(n.Account) })
		field(t, "region", KindString, "the region (null for global resources)",
			func(n *Node) Value { return Str(n.RegionName) })
		field(t, "arn", KindString, "the ARN, when it has one", arnOf)
		field(t, "name", KindString, "the Name tag, or the resource's own name", func(n *Node) Value {
			switch o := n.Obj.(type) {
			case *inventory.VPC:
				return nameTag(n, o.Tags)
			case *inventory.Subnet:
				return nameTag(n, o.Tags)
			case *inventory.InternetGateway:
				return nameTag(n, o.Tags)
			case *inventory.FlowLog:
				return nameTag(n, o.Tags)
			case *inventory.LogGroup:
				return Str(o.Name)
			case *inventory.Bucket:
				return Str(o.Name)
			case *inventory.Region:
				return Str(o.Name)
			case *tag:
				return Str(o.Key)
			}
			if v, ok := networkName(n); ok {
				return v
			}
			if v, ok := tgwName(n); ok {
				return v
			}
			return Null
		})
	}

	// Account
	field(TAccount, "partition", KindString, "aws, aws-cn, aws-us-gov", func(n *Node) Value {
		return Str(n.Obj.(*account).Partition)
	})
	field(TAccount, "regionCount", KindInt, "regions read", func(n *Node) Value { return Int(int64(len(n.rels[rAccountRegion.index]))) })
	field(TAccount, "vpcCount", KindInt, "VPCs in all regions", func(n *Node) Value { return Int(int64(len(n.rels[rAccountVPC.index]))) })
	rAccountRegion = rel(TAccount, "hasRegion", TRegion, true, "the account's regions")
	rAccountVPC = rel(TAccount, "hasVpc", TVPC, true, "the account's VPCs, all regions")
	derived[rAccountVPC] = []string{"vpcCount"}

	// Region
	region := func(n *Node) *inventory.Region { return n.Obj.(*inventory.Region) }
	field(TRegion, "partition", KindString, "aws, aws-cn, aws-us-gov", func(n *Node) Value { return Str(region(n).Partition) })
	field(TRegion, "complete", KindBool, "every collection was read", func(n *Node) Value { return Bool(len(region(n).Errors) == 0) })
	field(TRegion, "errorCount", KindInt, "collections that could not be read", func(n *Node) Value { return Int(int64(len(region(n).Errors))) })
	field(TRegion, "vpcCount", KindInt, "VPCs", func(n *Node) Value { return Int(int64(len(region(n).VPCs))) })
	field(TRegion, "flowLogCount", KindInt, "flow logs", func(n *Node) Value { return Int(int64(len(region(n).FlowLogs))) })
	rRegionAccount = rel(TRegion, "inAccount", TAccount, false, "the account")
	rRegionVPC = rel(TRegion, "hasVpc", TVPC, true, "the region's VPCs")
	rRegionFlowLog = rel(TRegion, "hasFlowLog", TFlowLog, true, "every flow log of the region")
	rRegionLogGroup = rel(TRegion, "hasLogGroup", TLogGroup, true, "the flow-log destination log groups found")
	rRegionReadErr = rel(TRegion, "hasReadError", TReadError, true, "collections that could not be read")
	derived[rRegionVPC] = []string{"vpcCount"}
	derived[rRegionFlowLog] = []string{"flowLogCount"}

	// ReadError
	rerr := func(n *Node) *inventory.ReadError { return n.Obj.(*inventory.ReadError) }
	field(TReadError, "collection", KindString, "vpcs, flow_logs, log_groups, … or all", func(n *Node) Value { return Str(string(rerr(n).Collection)) })
	field(TReadError, "operation", KindString, "the API call that failed", func(n *Node) Value { return Str(rerr(n).Operation) })
	field(TReadError, "code", KindString, "the error code (AccessDenied, Throttling, …)", func(n *Node) Value { return Str(rerr(n).Code) })
	field(TReadError, "message", KindString, "the error message", func(n *Node) Value { return Str(rerr(n).Message) })
	rReadErrRegion = rel(TReadError, "inRegion", TRegion, false, "the region")

	// VPC
	vpc := func(n *Node) *inventory.VPC { return n.Obj.(*inventory.VPC) }
	field(TVPC, "ownerId", KindString, "the owning account (another account for a VPC shared through RAM)",
		func(n *Node) Value { return Str(vpc(n).OwnerID) })
	field(TVPC, "isShared", KindBool, "owned by another account (shared into this one)", func(n *Node) Value {
		o := vpc(n).OwnerID
		return Bool(o != "" && o != n.Account)
	})
	field(TVPC, "cidrBlock", KindString, "the primary IPv4 CIDR", func(n *Node) Value { return Str(vpc(n).CIDR) })
	field(TVPC, "state", KindString, "available, pending", func(n *Node) Value { return Str(vpc(n).State) })
	field(TVPC, "isDefault", KindBool, "the region's default VPC", func(n *Node) Value { return Bool(vpc(n).IsDefault) })
	field(TVPC, "flowLogCount", KindInt, "flow logs whose resource is the VPC",
		func(n *Node) Value { return Int(int64(len(n.rels[rVPCFlowLog.index]))) })
	field(TVPC, "subnetCount", KindInt, "subnets", func(n *Node) Value { return Int(int64(len(n.rels[rVPCSubnet.index]))) })
	field(TVPC, "networkInterfaceCount", KindInt, "network interfaces (0: unused VPC)",
		func(n *Node) Value { return Int(int64(len(n.rels[rVPCENI.index]))) })
	field(TVPC, "internetExposed", KindBool, "an internet gateway is attached",
		func(n *Node) Value { return Bool(len(n.rels[rVPCIGW.index]) > 0) })
	field(TVPC, "flowLogsRead", KindBool, "the region's flow logs were read (false: hasFlowLog means nothing)",
		func(n *Node) Value { return Bool(n.Region == nil || n.Region.Read(inventory.CollFlowLogs)) })
	rVPCFlowLog = rel(TVPC, "hasFlowLog", TFlowLog, true, "flow logs whose resource is the VPC itself")
	rVPCOtherFlowLog = rel(TVPC, "hasSubnetOrEniFlowLog", TFlowLog, true,
		"flow logs on the VPC's subnets or network interfaces (they do not cover the VPC)")
	rVPCSubnet = rel(TVPC, "hasSubnet", TSubnet, true, "the VPC's subnets")
	rVPCENI = rel(TVPC, "hasNetworkInterface", TNetworkInterface, true, "the VPC's network interfaces")
	rVPCIGW = rel(TVPC, "hasInternetGateway", TInternetGateway, true, "attached internet gateways")
	rVPCTag = rel(TVPC, "hasTag", TTag, true, "tags")
	rVPCRegion = rel(TVPC, "inRegion", TRegion, false, "the account-region")
	rVPCAccount = rel(TVPC, "inAccount", TAccount, false, "the scanned account")
	derived[rVPCFlowLog] = []string{"flowLogCount"}

	// Subnet
	subnet := func(n *Node) *inventory.Subnet { return n.Obj.(*inventory.Subnet) }
	field(TSubnet, "vpcId", KindString, "the VPC", func(n *Node) Value { return Str(subnet(n).VPCID) })
	field(TSubnet, "cidrBlock", KindString, "the IPv4 CIDR", func(n *Node) Value { return Str(subnet(n).CIDR) })
	field(TSubnet, "availabilityZone", KindString, "the zone", func(n *Node) Value { return Str(subnet(n).AvailabilityZone) })
	rSubnetVPC = rel(TSubnet, "inVpc", TVPC, false, "the VPC")
	rSubnetFlowLog = rel(TSubnet, "hasFlowLog", TFlowLog, true, "flow logs whose resource is the subnet")
	rSubnetENI = rel(TSubnet, "hasNetworkInterface", TNetworkInterface, true, "interfaces in the subnet")
	rSubnetTag = rel(TSubnet, "hasTag", TTag, true, "tags")

	// NetworkInterface
	eni := func(n *Node) *inventory.NetworkInterface { return n.Obj.(*inventory.NetworkInterface) }
	field(TNetworkInterface, "vpcId", KindString, "the VPC", func(n *Node) Value { return Str(eni(n).VPCID) })
	field(TNetworkInterface, "subnetId", KindString, "the subnet", func(n *Node) Value { return Str(eni(n).SubnetID) })
	field(TNetworkInterface, "status", KindString, "in-use, available, …", func(n *Node) Value { return Str(eni(n).Status) })
	field(TNetworkInterface, "interfaceType", KindString, "interface, nat_gateway, …", func(n *Node) Value { return Str(eni(n).Type) })
	rENIVPC = rel(TNetworkInterface, "inVpc", TVPC, false, "the VPC")
	rENISubnet = rel(TNetworkInterface, "inSubnet", TSubnet, false, "the subnet")
	rENIFlowLog = rel(TNetworkInterface, "hasFlowLog", TFlowLog, true, "flow logs whose resource is the interface")
	addNetworkFields(field, rel)

	// InternetGateway
	igw := func(n *Node) *inventory.InternetGateway { return n.Obj.(*inventory.InternetGateway) }
	field(TInternetGateway, "attachedVpcCount", KindInt, "attached VPCs", func(n *Node) Value { return Int(int64(len(igw(n).AttachedVPCs))) })
	rIGWVPC = rel(TInternetGateway, "attachedTo", TVPC, true, "the VPCs it is attached to")
	rIGWTag = rel(TInternetGateway, "hasTag", TTag, true, "tags")

	// FlowLog
	fl := func(n *Node) *inventory.FlowLog { return n.Obj.(*inventory.FlowLog) }
	field(TFlowLog, "resourceId", KindString, "the VPC, subnet, interface or transit gateway logged",
		func(n *Node) Value { return Str(fl(n).ResourceID) })
	field(TFlowLog, "resourceType", KindString, "VPC, Subnet, NetworkInterface, TransitGateway, …", func(n *Node) Value {
		f := fl(n)
		if f.ResourceType != "" {
			return Str(f.ResourceType)
		}
		return Str(inventory.ResourceTypeOf(f.ResourceID))
	})
	field(TFlowLog, "flowLogStatus", KindString, "ACTIVE, …", func(n *Node) Value { return Str(fl(n).Status) })
	field(TFlowLog, "trafficType", KindString, "ALL, ACCEPT, REJECT", func(n *Node) Value { return Str(fl(n).TrafficType) })
	field(TFlowLog, "logDestinationType", KindString, "cloud-watch-logs, s3, kinesis-data-firehose",
		func(n *Node) Value { return Str(fl(n).DestinationType) })
	field(TFlowLog, "logDestination", KindString, "the destination ARN", func(n *Node) Value { return Str(fl(n).Destination) })
	field(TFlowLog, "logGroupName", KindString, "the log group (CloudWatch Logs destinations)", func(n *Node) Value {
		return Str(logGroupName(fl(n)))
	})
	field(TFlowLog, "bucketName", KindString, "the bucket (S3 destinations)", func(n *Node) Value { return Str(fl(n).BucketName()) })
	field(TFlowLog, "deliverLogsStatus", KindString, "SUCCESS, FAILED", func(n *Node) Value { return Str(fl(n).DeliverLogsStatus) })
	field(TFlowLog, "deliverLogsErrorMessage", KindString, "why delivery fails", func(n *Node) Value { return Str(fl(n).DeliverLogsError) })
	field(TFlowLog, "deliverLogsPermissionArn", KindString, "the delivery role", func(n *Node) Value { return Str(fl(n).DeliverLogsPermissionARN) })
	field(TFlowLog, "logFormat", KindString, "the record format", func(n *Node) Value { return Str(fl(n).LogFormat) })
	field(TFlowLog, "maxAggregationInterval", KindInt, "60 or 600 seconds", func(n *Node) Value {
		if i := fl(n).MaxAggregationInterval; i != 0 {
			return Int(int64(i))
		}
		return Null
	})
	field(TFlowLog, "fileFormat", KindString, "plain-text, parquet (S3)", func(n *Node) Value { return Str(fl(n).FileFormat) })
	field(TFlowLog, "hiveCompatiblePartitions", KindBool, "S3 option", func(n *Node) Value { return Bool(fl(n).HiveCompatiblePartitions) })
	field(TFlowLog, "perHourPartition", KindBool, "S3 option", func(n *Node) Value { return Bool(fl(n).PerHourPartition) })
	field(TFlowLog, "creationTime", KindString, "RFC 3339", func(n *Node) Value {
		if t := fl(n).CreatedAt; t != nil {
			return Str(t.UTC().Format(time.RFC3339))
		}
		return Null
	})
	rFlowLogLogGroup = rel(TFlowLog, "deliversTo", TLogGroup, false, "the destination log group, when found (null: missing or not CloudWatch)")
	rFlowLogBucket = rel(TFlowLog, "deliversToBucket", TBucket, false, "the destination bucket (S3 destinations)")
	rFlowLogVPC = rel(TFlowLog, "ofVpc", TVPC, false, "the VPC logged, or the VPC of the subnet or interface logged")
	rFlowLogRegion = rel(TFlowLog, "inRegion", TRegion, false, "the account-region")
	rFlowLogTag = rel(TFlowLog, "hasTag", TTag, true, "tags")

	// LogGroup
	lg := func(n *Node) *inventory.LogGroup { return n.Obj.(*inventory.LogGroup) }
	field(TLogGroup, "retentionInDays", KindInt, "days events are kept; null: never expire", func(n *Node) Value {
		if d := lg(n).RetentionDays; d != nil {
			return Int(int64(*d))
		}
		return Null
	})
	field(TLogGroup, "neverExpire", KindBool, "no retention set: events never expire",
		func(n *Node) Value { return Bool(lg(n).RetentionDays == nil) })
	field(TLogGroup, "kmsKeyId", KindString, "the KMS key", func(n *Node) Value { return Str(lg(n).KMSKeyID) })
	field(TLogGroup, "storedBytes", KindInt, "bytes stored", func(n *Node) Value { return Int(lg(n).StoredBytes) })
	rLogGroupFlowLog = rel(TLogGroup, "hasFlowLog", TFlowLog, true, "flow logs delivering to it")
	rLogGroupRegion = rel(TLogGroup, "inRegion", TRegion, false, "the account-region")

	// Bucket
	bk := func(n *Node) *inventory.Bucket { return n.Obj.(*inventory.Bucket) }
	field(TBucket, "state", KindString, "exists, missing, unknown", func(n *Node) Value { return Str(bk(n).State) })
	field(TBucket, "message", KindString, "why the state is unknown", func(n *Node) Value { return Str(bk(n).Message) })
	rBucketFlowLog = rel(TBucket, "hasFlowLog", TFlowLog, true, "flow logs delivering to it")

	deliveryFields(field)
	tgwSchema(field, rel)

	// Tag
	field(TTag, "key", KindString, "the tag key", func(n *Node) Value { return Str(n.Obj.(*tag).Key) })
	field(TTag, "value", KindString, "the tag value", func(n *Node) Value { return Str(n.Obj.(*tag).Value) })
	return s
}

// arnOf builds the ARN of a node from what the inventory holds.
func arnOf(n *Node) Value {
	part := n.Partition
	if part == "" {
		part = "aws"
	}
	switch o := n.Obj.(type) {
	case *account:
		return Str("arn:" + part + ":iam::" + o.ID + ":root")
	case *inventory.VPC:
		owner := o.OwnerID
		if owner == "" {
			owner = n.Account
		}
		return Str("arn:" + part + ":ec2:" + n.RegionName + ":" + owner + ":vpc/" + o.ID)
	case *inventory.Subnet:
		return Str("arn:" + part + ":ec2:" + n.RegionName + ":" + n.Account + ":subnet/" + o.ID)
	case *inventory.NetworkInterface:
		return Str("arn:" + part + ":ec2:" + n.RegionName + ":" + n.Account + ":network-interface/" + o.ID)
	case *inventory.InternetGateway:
		return Str("arn:" + part + ":ec2:" + n.RegionName + ":" + n.Account + ":internet-gateway/" + o.ID)
	case *inventory.FlowLog:
		return Str("arn:" + part + ":ec2:" + n.RegionName + ":" + n.Account + ":vpc-flow-log/" + o.ID)
	case *inventory.LogGroup:
		if o.ARN != "" {
			return Str(strings.TrimSuffix(o.ARN, ":*"))
		}
		return Str("arn:" + part + ":logs:" + n.RegionName + ":" + n.Account + ":log-group:" + o.Name)
	case *inventory.Bucket:
		if o.ARN != "" {
			return Str(o.ARN)
		}
		return Str("arn:" + part + ":s3:::" + o.Name)
	}
	v, _ := tgwARN(n, part)
	return v
}

// logGroupName is the flow log's destination log group. Only the inventory's LogGroupName counts, not a name
// parsed from the destination ARN: the collector reads exactly the log groups named there, so a name from
// anywhere else would point at a log group that was never looked up.
func logGroupName(f *inventory.FlowLog) string {
	if f.DestinationType != "" && f.DestinationType != inventory.DestinationCloudWatchLogs {
		return ""
	}
	return f.LogGroupName
}
