package estate

import (
	"fmt"
	"time"

	"github.com/flowguard/flowguard/internal/inventory"
)

// Snapshot returns the inventory of the estate, the input whose scan gives Result(o): the same accounts,
// regions, VPCs, tags and flow logs, decided by the same rolls, so a test can check what a scan of it must
// report. Differences: the snapshot holds no exceptions (a VPC Result marks EXCEPTED fails here, unless the
// scan is given an exceptions file), a VPC's internet exposure comes from an internet gateway attached to it,
// and a VPC has 0-3 network interfaces, not Result's 0-99 (which would make a 5,000-VPC file 60 MB). Every collection of every region counts as read.
func Snapshot(o Options) *inventory.Snapshot {
	o = o.withDefaults()
	snap := &inventory.Snapshot{Schema: inventory.SnapshotSchema, Source: inventory.SourceAWS,
		CollectedAt: time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)}
	buckets := map[string]bool{}
	for a := 0; a < o.Accounts; a++ {
		acct := AccountID(a)
		for r := 0; r < o.Regions; r++ {
			region := Regions[r]
			reg := &inventory.Region{AccountID: acct, Partition: "aws", Name: region,
				VPCs: []inventory.VPC{}, FlowLogs: []inventory.FlowLog{}}
			for v := 0; v < o.VPCs; v++ {
				addVPC(o, reg, a, r, v)
			}
			for _, fl := range reg.FlowLogs {
				if b := fl.BucketName(); b != "" && !buckets[b] {
					buckets[b] = true
					snap.Buckets = append(snap.Buckets, inventory.Bucket{Name: b, ARN: "arn:aws:s3:::" + b, AccountID: acct, State: inventory.BucketExists})
				}
			}
			snap.Regions = append(snap.Regions, reg)
		}
	}
	return snap
}

// addVPC adds VPC v of account a, region r, and what surrounds it, as vpcFindings decides it.
func addVPC(o Options, reg *inventory.Region, a, r, v int) {
	acct, region := reg.AccountID, reg.Name
	id := fmt.Sprintf("vpc-%06x%02x%09x", a, r, v)
	env := []string{"prod", "staging", "dev", "sandbox"}[roll("env", a, r, v)%4]
	team := []string{"payments", "identity", "data", "platform", "search", "mobile"}[roll("team", a, r, v)%6]
	tags := map[string]string{"Name": fmt.Sprintf("%s-%s-%d", team, env, v), "env": env, "team": team}
	if o.Hostile && r == 0 && v == 0 {
		for i, h := range HostileValues {
			tags[fmt.Sprintf("hostile%d", i)] = h
		}
		tags["Name"] = HostileValues[0]
	}
	vpc := inventory.VPC{ID: id, OwnerID: acct, CIDR: fmt.Sprintf("10.%d.0.0/16", v%256), State: "available", IsDefault: v == 0, Tags: tags}
	subnet := "subnet-" + id[4:]
	reg.Subnets = append(reg.Subnets, inventory.Subnet{ID: subnet, VPCID: id, CIDR: fmt.Sprintf("10.%d.0.0/24", v%256), AvailabilityZone: region + "a"})
	for i := 0; i < roll("eni", a, r, v)%4; i++ {
		reg.NetworkInterfaces = append(reg.NetworkInterfaces, inventory.NetworkInterface{ID: fmt.Sprintf("eni-%s%02x", id[4:], i),
			VPCID: id, SubnetID: subnet, Status: "in-use", Type: "interface"})
	}
	if roll("igw", a, r, v) < 35 {
		reg.InternetGateways = append(reg.InternetGateways, inventory.InternetGateway{ID: "igw-" + id[4:], AttachedVPCs: []string{id}})
	}
	if roll("shared", a, r, v) < 3 {
		vpc.OwnerID = AccountID((a + 1) % max(o.Accounts, 2))
		reg.VPCs = append(reg.VPCs, vpc)
		return
	}
	reg.VPCs = append(reg.VPCs, vpc)
	group := "/aws/vpc-flow-logs/" + id
	fl := inventory.FlowLog{ID: "fl-" + id[4:], ResourceID: id, ResourceType: inventory.ResourceTypeVPC, Status: inventory.FlowLogStatusActive,
		TrafficType: inventory.TrafficReject, DestinationType: inventory.DestinationCloudWatchLogs,
		Destination: "arn:aws:logs:" + region + ":" + acct + ":log-group:" + group, LogGroupName: group,
		DeliverLogsStatus: inventory.DeliverySuccess}
	if roll("dest", a, r, v) < 30 {
		fl.DestinationType, fl.Destination, fl.LogGroupName = inventory.DestinationS3, "arn:aws:s3:::flowlogs-"+acct+"-"+region, ""
	}
	failing := roll("fail", a, r, v) < failRate(a)
	var logs []inventory.FlowLog
	switch k := roll("kind", a, r, v); {
	case !failing:
		logs = []inventory.FlowLog{fl}
	case k < 50: // no flow log
	case k < 65:
		fl.DeliverLogsStatus, fl.DeliverLogsError = inventory.DeliveryFailed, "Access error"
		logs = []inventory.FlowLog{fl}
	case k < 80:
		fl.TrafficType = inventory.TrafficAccept
		logs = []inventory.FlowLog{fl}
	case k < 90:
		sub := fl
		sub.ResourceID, sub.ResourceType, sub.ID = subnet, inventory.ResourceTypeSubnet, "fl-s"+id[5:]
		reg.FlowLogs = append(reg.FlowLogs, sub)
	default:
		fl.Status = "INACTIVE"
		logs = []inventory.FlowLog{fl}
	}
	reg.FlowLogs = append(reg.FlowLogs, logs...)
	if len(logs) > 0 && logs[0].DestinationType == inventory.DestinationCloudWatchLogs {
		lg := inventory.LogGroup{Name: group, ARN: "arn:aws:logs:" + region + ":" + acct + ":log-group:" + group}
		switch k := roll("retention", a, r, v); {
		case k < 60:
			lg.RetentionDays = ptr[int32](400)
		case k < 90:
			lg.RetentionDays = ptr[int32](30)
		default:
			return // the log group is missing
		}
		reg.LogGroups = append(reg.LogGroups, lg)
	}
}
