// Package defaults holds the names, paths and defaults that `flowguard fix` creates and `flowguard baseline`
// generates, so that the two agree: the SCP baseline protects exactly the log groups fix creates, and a VPC
// remediated by fix looks like a VPC deployed from the terraform or cloudformation baseline.
package defaults

import (
	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/inventory"
)

const (
	// LogGroupPrefix is where flow-log log groups live; the SCP denies deleting log groups under it.
	LogGroupPrefix = "/aws/vpc-flow-logs"
	// VPCPlaceholder is replaced by the VPC id in LogGroupTemplate.
	VPCPlaceholder = "{vpc-id}"
	// LogGroupTemplate names the log group of one VPC: one log group per VPC, under LogGroupPrefix.
	LogGroupTemplate = LogGroupPrefix + "/" + VPCPlaceholder

	// TrafficType is ALL, for fix and baseline alike. REJECT and ALL both satisfy the control (CIS AWS
	// Foundations, Security Hub EC2.6, AWS Config VPC_FLOW_LOGS_ENABLED) and REJECT is cheaper, but only ALL
	// records accepted connections — what incident response needs to tell what an attacker reached or sent
	// out, and what `flowguard logs report` analyses. REJECT stays one flag away (--traffic-type REJECT).
	TrafficType = inventory.TrafficAll

	// RetentionDays is the log group retention fix and baseline set: the minimum the retention check accepts.
	RetentionDays = engine.DefaultMinRetentionDays

	// DeliveryRoleName is the role vpc-flow-logs.amazonaws.com assumes to deliver to CloudWatch Logs.
	DeliveryRoleName = "flowguard-vpc-flow-logs"
	// BreakGlassRole is the role name the SCP baseline lets delete flow logs and their log groups.
	BreakGlassRole = "FlowLogsBreakGlass"
	// MaxAggregationInterval is the flow log aggregation interval in seconds (60 or 600).
	MaxAggregationInterval = 600
)
