package fix

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// Formats of the AWS identifiers fix reads from a saved scan (--from) or a journal. Anything else is refused
// before it can reach a log-group name, a plan or an API call.
var (
	accountRE  = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE   = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	vpcIDRE    = regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`)
	subnetIDRE = regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)
	eniIDRE    = regexp.MustCompile(`^eni-([0-9a-f]{8}|[0-9a-f]{17})$`)
	flowLogRE  = regexp.MustCompile(`^fl-([0-9a-f]{8}|[0-9a-f]{17})$`)
	tgwIDRE    = regexp.MustCompile(`^tgw-([0-9a-f]{8}|[0-9a-f]{17})$`)
	tgwAttRE   = regexp.MustCompile(`^tgw-attach-([0-9a-f]{8}|[0-9a-f]{17})$`)
	// A flow log's destination: a log group ARN, or an S3 bucket ARN with an optional prefix.
	logGroupARNRE = regexp.MustCompile(`^arn:aws(-[a-z]+)*:logs:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:log-group:[A-Za-z0-9_\-/.#]{1,512}(:\*)?$`)
	bucketARNRE   = regexp.MustCompile(`^arn:aws(-[a-z]+)*:s3:::[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/[A-Za-z0-9!\-_.*'()/=]*)?$`)
)

func validAccount(s string) bool { return accountRE.MatchString(s) }
func validRegion(s string) bool  { return len(s) <= 32 && regionRE.MatchString(s) }

// validLogGroupName is CloudWatch Logs' rule: 1 to 512 of A-Z a-z 0-9 _ - / . #.
var validLogGroupName = inventory.ValidLogGroupName

// validResourceID checks the id of a flow log's resource: a VPC, subnet, network interface, Transit Gateway
// or Transit Gateway attachment.
func validResourceID(s string) bool {
	return vpcIDRE.MatchString(s) || subnetIDRE.MatchString(s) || eniIDRE.MatchString(s) || tgwIDRE.MatchString(s) || tgwAttRE.MatchString(s)
}

// ValidateResult checks every identifier fix may read from a saved scan: accounts, regions, VPC, subnet,
// interface and flow-log ids, log group names and destination ARNs. name is the file, for the message. The
// first bad finding is reported with its index, check and the field at fault; the whole input is refused.
func ValidateResult(name string, r *finding.Result) error {
	for _, a := range r.Accounts {
		if !validAccount(a) {
			return fmt.Errorf("%s: accounts: %q is not a 12-digit AWS account id", name, a)
		}
	}
	for i, f := range r.Findings {
		if err := validateFinding(f); err != nil {
			return fmt.Errorf("%s: finding %d (%s %s): %w", name, i+1, clip(f.CheckID), clip(f.ResourceID), err)
		}
	}
	return nil
}

func validateFinding(f finding.Finding) error {
	// Accounts and regions are read from every finding (accounts to enter, --region narrowing).
	if !validAccount(f.AccountID) {
		return fmt.Errorf("account_id %q is not a 12-digit AWS account id", clip(f.AccountID))
	}
	if f.Region != "" && !validRegion(f.Region) {
		return fmt.Errorf("region %q is not an AWS region name", clip(f.Region))
	}
	switch f.ResourceType {
	case finding.ResourceVPC:
		if !vpcIDRE.MatchString(f.ResourceID) {
			return fmt.Errorf("resource_id %q is not a VPC id (vpc- and 8 or 17 hex digits)", clip(f.ResourceID))
		}
		if f.Region == "" {
			return fmt.Errorf("a VPC finding has no region")
		}
	case ResourceTransitGateway:
		if !tgwIDRE.MatchString(f.ResourceID) {
			return fmt.Errorf("resource_id %q is not a Transit Gateway id (tgw- and 8 or 17 hex digits)", clip(f.ResourceID))
		}
		if f.Region == "" {
			return fmt.Errorf("a Transit Gateway finding has no region")
		}
	case finding.ResourceLogGroup:
		if !validLogGroupName(f.ResourceID) {
			return fmt.Errorf("resource_id %q is not a log group name", clip(f.ResourceID))
		}
	case finding.ResourceAccount:
		if f.ResourceID != "" && !validAccount(f.ResourceID) {
			return fmt.Errorf("resource_id %q is not a 12-digit AWS account id", clip(f.ResourceID))
		}
	case finding.ResourceRegion:
		if f.ResourceID != "" && !validRegion(f.ResourceID) {
			return fmt.Errorf("resource_id %q is not an AWS region name", clip(f.ResourceID))
		}
	}
	ev := f.Evidence
	if ev.OwnerID != "" && !validAccount(ev.OwnerID) {
		return fmt.Errorf("evidence.owner_id %q is not a 12-digit AWS account id", clip(ev.OwnerID))
	}
	fla := [][]finding.FlowLogEvidence{ev.FlowLogs, ev.SubnetOrENIFlowLogs}
	for _, a := range ev.TransitGatewayAttachments {
		if !tgwAttRE.MatchString(a.ID) {
			return fmt.Errorf("evidence: %q is not a Transit Gateway attachment id", clip(a.ID))
		}
		fla = append(fla, a.FlowLogs)
	}
	for _, fls := range fla {
		for _, fl := range fls {
			if !flowLogRE.MatchString(fl.ID) {
				return fmt.Errorf("evidence: flow log id %q is not a flow log id (fl- and 8 or 17 hex digits)", clip(fl.ID))
			}
			if fl.ResourceID != "" && !validResourceID(fl.ResourceID) {
				return fmt.Errorf("evidence: flow log %s: resource_id %q is not a VPC, subnet, interface, Transit Gateway or attachment id", fl.ID, clip(fl.ResourceID))
			}
			if d := fl.Destination; d != "" && !validLogGroupName(d) && !logGroupARNRE.MatchString(d) && !bucketARNRE.MatchString(d) {
				return fmt.Errorf("evidence: flow log %s: destination %q is neither a log group nor a log group or S3 bucket ARN", fl.ID, clip(d))
			}
		}
	}
	for _, lg := range ev.LogGroups {
		if !validLogGroupName(lg.Name) {
			return fmt.Errorf("evidence: log group name %q is not 1 to 512 of A-Z a-z 0-9 _ - / . #", clip(lg.Name))
		}
		if lg.RetentionDays != nil && !validRetention(*lg.RetentionDays) {
			return fmt.Errorf("evidence: log group %s: retention_days %d is not a CloudWatch Logs retention", lg.Name, *lg.RetentionDays)
		}
	}
	return nil
}

// clip shortens a value for an error message, and makes control characters visible.
func clip(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}
