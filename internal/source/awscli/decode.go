package awscli

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/inventory"
)

// The shapes below are the AWS CLI's JSON output (the API's field names), reduced to what the inventory keeps.

type cliTag struct{ Key, Value string }

func tags(ts []cliTag) map[string]string {
	if len(ts) == 0 {
		return nil
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[t.Key] = t.Value
	}
	return m
}

type cliVPCs struct {
	Vpcs []struct {
		VpcId     string
		OwnerId   string
		CidrBlock string
		State     string
		IsDefault bool
		Tags      []cliTag
	}
}

type cliFlowLogs struct {
	FlowLogs []struct {
		FlowLogId                string
		ResourceId               string
		FlowLogStatus            string
		TrafficType              string
		LogDestinationType       string
		LogDestination           string
		LogGroupName             string
		DeliverLogsStatus        string
		DeliverLogsErrorMessage  string
		DeliverLogsPermissionArn string
		LogFormat                string
		MaxAggregationInterval   int
		CreationTime             string
		DestinationOptions       *struct {
			FileFormat               string
			HiveCompatiblePartitions bool
			PerHourPartition         bool
		}
		Tags []cliTag
	}
}

type cliLogGroups struct {
	LogGroups []struct {
		LogGroupName    string `json:"logGroupName"`
		Arn             string `json:"arn"`
		RetentionInDays *int32 `json:"retentionInDays"`
		KmsKeyId        string `json:"kmsKeyId"`
		StoredBytes     int64  `json:"storedBytes"`
		CreationTime    int64  `json:"creationTime"`
	} `json:"logGroups"`
}

type cliSubnets struct {
	Subnets []struct {
		SubnetId         string
		VpcId            string
		CidrBlock        string
		AvailabilityZone string
		Tags             []cliTag
	}
}

type cliENIs struct {
	NetworkInterfaces []struct {
		NetworkInterfaceId string
		VpcId              string
		SubnetId           string
		Status             string
		InterfaceType      string
		// What owns it and which addresses and groups it has (flow-log enrichment).
		Description      string
		RequesterId      string
		RequesterManaged bool
		OwnerId          string
		Attachment       *struct {
			AttachmentId, InstanceId, InstanceOwnerId, Status string
			DeviceIndex                                       int32
		}
		PrivateIpAddress   string
		Association        *cliAssociation
		PrivateIpAddresses []struct {
			PrivateIpAddress string
			Association      *cliAssociation
		}
		Ipv6Addresses []struct{ Ipv6Address string }
		Groups        []struct{ GroupId string }
		TagSet        []cliTag
	}
}

type cliAssociation struct{ PublicIp, AllocationId, IpOwnerId string }

type cliIGWs struct {
	InternetGateways []struct {
		InternetGatewayId string
		Attachments       []struct{ VpcId, State string }
		Tags              []cliTag
	}
}

// decodeInto adds the resources of f to r.
func decodeInto(r *inventory.Region, f file) error {
	data := mustJSON(f.raw)
	wrap := func(err error) error {
		return fmt.Errorf("%s: %s output: %w", f.path, kinds[f.kind].command, err)
	}
	switch f.kind {
	case kindVPCs:
		var out cliVPCs
		if err := json.Unmarshal(data, &out); err != nil {
			return wrap(err)
		}
		for _, v := range out.Vpcs {
			if v.VpcId == "" {
				return wrap(fmt.Errorf("a VPC without VpcId"))
			}
			r.VPCs = append(r.VPCs, inventory.VPC{ID: v.VpcId, OwnerID: v.OwnerId, CIDR: v.CidrBlock, State: v.State,
				IsDefault: v.IsDefault, Tags: tags(v.Tags)})
		}
	case kindFlowLogs:
		var out cliFlowLogs
		if err := json.Unmarshal(data, &out); err != nil {
			return wrap(err)
		}
		for _, x := range out.FlowLogs {
			if x.FlowLogId == "" || x.ResourceId == "" {
				return wrap(fmt.Errorf("a flow log without FlowLogId or ResourceId"))
			}
			fl := inventory.FlowLog{ID: x.FlowLogId, ResourceID: x.ResourceId, ResourceType: inventory.ResourceTypeOf(x.ResourceId),
				Status: x.FlowLogStatus, TrafficType: x.TrafficType, DestinationType: x.LogDestinationType,
				Destination: x.LogDestination, LogGroupName: x.LogGroupName, DeliverLogsStatus: x.DeliverLogsStatus,
				DeliverLogsError: x.DeliverLogsErrorMessage, DeliverLogsPermissionARN: x.DeliverLogsPermissionArn,
				LogFormat: x.LogFormat, MaxAggregationInterval: x.MaxAggregationInterval, Tags: tags(x.Tags)}
			// Older outputs have LogGroupName and no destination type: that is CloudWatch Logs.
			if fl.DestinationType == "" && fl.LogGroupName != "" {
				fl.DestinationType = inventory.DestinationCloudWatchLogs
			}
			if fl.LogGroupName == "" && fl.DestinationType == inventory.DestinationCloudWatchLogs {
				fl.LogGroupName = inventory.LogGroupFromARN(fl.Destination)
			}
			if o := x.DestinationOptions; o != nil {
				fl.FileFormat, fl.HiveCompatiblePartitions, fl.PerHourPartition = o.FileFormat, o.HiveCompatiblePartitions, o.PerHourPartition
			}
			if x.CreationTime != "" {
				t, err := parseTime(x.CreationTime)
				if err != nil {
					return wrap(fmt.Errorf("flow log %s CreationTime: %w", x.FlowLogId, err))
				}
				fl.CreatedAt = &t
			}
			r.FlowLogs = append(r.FlowLogs, fl)
		}
	case kindLogGroups:
		var out cliLogGroups
		if err := json.Unmarshal(data, &out); err != nil {
			return wrap(err)
		}
		for _, g := range out.LogGroups {
			if g.LogGroupName == "" {
				return wrap(fmt.Errorf("a log group without logGroupName"))
			}
			lg := inventory.LogGroup{Name: g.LogGroupName, ARN: strings.TrimSuffix(g.Arn, ":*"), RetentionDays: g.RetentionInDays,
				KMSKeyID: g.KmsKeyId, StoredBytes: g.StoredBytes}
			if g.CreationTime > 0 {
				t := time.UnixMilli(g.CreationTime).UTC()
				lg.CreatedAt = &t
			}
			r.LogGroups = append(r.LogGroups, lg)
		}
	case kindSubnets:
		var out cliSubnets
		if err := json.Unmarshal(data, &out); err != nil {
			return wrap(err)
		}
		for _, s := range out.Subnets {
			if s.SubnetId == "" {
				return wrap(fmt.Errorf("a subnet without SubnetId"))
			}
			r.Subnets = append(r.Subnets, inventory.Subnet{ID: s.SubnetId, VPCID: s.VpcId, CIDR: s.CidrBlock,
				AvailabilityZone: s.AvailabilityZone, Tags: tags(s.Tags)})
		}
	case kindENIs:
		var out cliENIs
		if err := json.Unmarshal(data, &out); err != nil {
			return wrap(err)
		}
		for _, n := range out.NetworkInterfaces {
			if n.NetworkInterfaceId == "" {
				return wrap(fmt.Errorf("a network interface without NetworkInterfaceId"))
			}
			ni := inventory.NetworkInterface{ID: n.NetworkInterfaceId, VPCID: n.VpcId,
				SubnetID: n.SubnetId, Status: n.Status, Type: n.InterfaceType}
			d := &ni.ENIDetails
			d.Description, d.RequesterID, d.RequesterManaged, d.OwnerID, d.Tags = n.Description, n.RequesterId, n.RequesterManaged, n.OwnerId, tags(n.TagSet)
			if a := n.Attachment; a != nil {
				d.Attachment = &inventory.ENIAttachment{ID: a.AttachmentId, InstanceID: a.InstanceId, InstanceOwnerID: a.InstanceOwnerId,
					DeviceIndex: a.DeviceIndex, Status: a.Status}
			}
			public := func(a *cliAssociation, private string) {
				if a != nil && a.PublicIp != "" && !slices.ContainsFunc(d.PublicIPs, func(p inventory.PublicIP) bool { return p.PublicIP == a.PublicIp }) {
					d.PublicIPs = append(d.PublicIPs, inventory.PublicIP{PublicIP: a.PublicIp, PrivateIP: private, AllocationID: a.AllocationId, IPOwnerID: a.IpOwnerId})
				}
			}
			if n.PrivateIpAddress != "" {
				d.PrivateIPs = append(d.PrivateIPs, n.PrivateIpAddress)
			}
			for _, p := range n.PrivateIpAddresses {
				if p.PrivateIpAddress != "" && p.PrivateIpAddress != n.PrivateIpAddress {
					d.PrivateIPs = append(d.PrivateIPs, p.PrivateIpAddress)
				}
				public(p.Association, p.PrivateIpAddress)
			}
			public(n.Association, n.PrivateIpAddress)
			for _, a := range n.Ipv6Addresses {
				d.IPv6Addresses = append(d.IPv6Addresses, a.Ipv6Address)
			}
			for _, g := range n.Groups {
				d.SecurityGroups = append(d.SecurityGroups, g.GroupId)
			}
			r.NetworkInterfaces = append(r.NetworkInterfaces, ni)
		}
	case kindTGWs, kindTGWAttachments:
		if err := decodeTGW(r, f.kind, data); err != nil {
			return wrap(err)
		}
	case kindIGWs:
		var out cliIGWs
		if err := json.Unmarshal(data, &out); err != nil {
			return wrap(err)
		}
		for _, g := range out.InternetGateways {
			if g.InternetGatewayId == "" {
				return wrap(fmt.Errorf("an internet gateway without InternetGatewayId"))
			}
			igw := inventory.InternetGateway{ID: g.InternetGatewayId, Tags: tags(g.Tags)}
			for _, a := range g.Attachments {
				if a.VpcId != "" {
					igw.AttachedVPCs = append(igw.AttachedVPCs, a.VpcId)
				}
			}
			r.InternetGateways = append(r.InternetGateways, igw)
		}
	}
	return nil
}

// parseTime reads the timestamps the AWS CLI prints (ISO 8601, with or without fraction, Z or +00:00).
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised timestamp %q", s)
}
