package fix

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/pagination"
	"github.com/flowguard/flowguard/internal/remediate/fix/policy"
	"github.com/flowguard/flowguard/internal/source/awsapi"
)

// clients hands out per-region API clients built from one config.
type clients struct {
	cfg  aws.Config
	ec2s perRegion[ec2.Client]
	logs perRegion[cloudwatchlogs.Client]
	iam  *iam.Client
}

func newClients(cfg aws.Config) *clients {
	return &clients{cfg: cfg,
		ec2s: perRegion[ec2.Client]{build: func(region string) *ec2.Client {
			return ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = region })
		}},
		logs: perRegion[cloudwatchlogs.Client]{build: func(region string) *cloudwatchlogs.Client {
			return cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.Region = region })
		}},
		iam: iam.NewFromConfig(cfg)}
}

func (c *clients) EC2(region string) *ec2.Client { return c.ec2s.get(region) }

func (c *clients) Logs(region string) *cloudwatchlogs.Client { return c.logs.get(region) }

// perRegion is one kind of client per region, built on first use and then shared.
type perRegion[C any] struct {
	build func(region string) *C
	mu    sync.Mutex
	m     map[string]*C
}

func (p *perRegion[C]) get(region string) *C {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cl := p.m[region]; cl != nil {
		return cl
	}
	if p.m == nil {
		p.m = map[string]*C{}
	}
	cl := p.build(region)
	p.m[region] = cl
	return cl
}

// CallerAccount returns the account of the credentials.
func CallerAccount(ctx context.Context, cfg aws.Config) (string, error) {
	id, err := awsapi.CallerIdentity(ctx, cfg)
	if err != nil {
		return "", err
	}
	return id.AccountID, nil
}

// regionState is what the plan needs to know about one region now: every flow log (one paginated pass) and
// the log groups the plan may reuse.
type regionState struct {
	FlowLogs  []inventory.FlowLog
	LogGroups map[string]inventory.LogGroup // by name; absent means it does not exist
	// GroupTags are the tags of the run's VPCs' log groups, read when a run is resumed.
	GroupTags map[string]map[string]string
	// Rules are the region's telemetry rules that make VPC flow logs; RulesNote what of them was not read.
	Rules     []inventory.TelemetryRule
	RulesNote string
}

func (rs *regionState) flowLogsOn(vpc string) []inventory.FlowLog {
	var out []inventory.FlowLog
	for _, f := range rs.FlowLogs {
		if f.ResourceID == vpc {
			out = append(out, f)
		}
	}
	return out
}

// describeFlowLogs reads every flow log of a region, or those of the given flow-log ids, through the scan's
// reader (awsapi.FlowLogs), so fix and scan see the same flow log the same way.
func describeFlowLogs(ctx context.Context, c *ec2.Client, ids []string, filters []ec2types.Filter) ([]inventory.FlowLog, error) {
	return awsapi.FlowLogs(ctx, c, ids, filters)
}

// passes applies the control to one flow log: ACTIVE, REJECT or ALL, delivery not FAILED, on the VPC itself.
func passes(f inventory.FlowLog) bool {
	if f.ResourceType == inventory.ResourceTypeTransitGateway {
		return passesTGW(f)
	}
	return f.ResourceType == inventory.ResourceTypeVPC && engine.Satisfies(f)
}

// describeLogGroups reads the log groups whose names start with prefix, keeping those keep accepts.
func describeLogGroups(ctx context.Context, c *cloudwatchlogs.Client, prefix string, into map[string]inventory.LogGroup) error {
	in := &cloudwatchlogs.DescribeLogGroupsInput{}
	if prefix != "" {
		in.LogGroupNamePrefix = aws.String(prefix)
	}
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, in, func(o *cloudwatchlogs.DescribeLogGroupsPaginatorOptions) { o.StopOnDuplicateToken = true })
	guard := pagination.New(0)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err == nil {
			err = guard.Next(page.NextToken)
		}
		if err != nil {
			return err
		}
		for _, g := range page.LogGroups {
			lg := awsapi.ConvertLogGroup(g)
			into[lg.Name] = lg
		}
	}
	return nil
}

// roleState is what IAM says about a delivery role.
type roleState struct {
	Name, ARN string
	Exists    bool
	// Managed is true when flowguard created the role (tag flowguard:managed=true); RunID names the run.
	Managed bool
	RunID   string
	Trust   policy.TrustInfo
	// Inline is the role's flowguard inline policy, when there is one.
	Inline *policy.Document
}

func getRole(ctx context.Context, c *iam.Client, name, policyName string) (roleState, error) {
	rs := roleState{Name: name}
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if isCode(err, "NoSuchEntity") {
		return rs, nil
	}
	if err != nil {
		return rs, fmt.Errorf("iam:GetRole %s: %w", name, err)
	}
	rs.Exists = true
	rs.ARN = aws.ToString(out.Role.Arn)
	for _, t := range out.Role.Tags {
		switch aws.ToString(t.Key) {
		case TagManaged:
			rs.Managed = aws.ToString(t.Value) == "true"
		case TagRunID:
			rs.RunID = aws.ToString(t.Value)
		}
	}
	if d, err := policy.Parse(aws.ToString(out.Role.AssumeRolePolicyDocument)); err == nil {
		rs.Trust = policy.ReadTrust(d)
	}
	if policyName != "" {
		pol, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policyName)})
		switch {
		case isCode(err, "NoSuchEntity"):
		case err != nil:
			return rs, fmt.Errorf("iam:GetRolePolicy %s/%s: %w", name, policyName, err)
		default:
			if d, err := policy.Parse(aws.ToString(pol.PolicyDocument)); err == nil {
				rs.Inline = &d
			}
		}
	}
	return rs, nil
}

// isCode reports whether err is an AWS API error with one of codes.
func isCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c || strings.EqualFold(ae.ErrorCode(), c) {
			return true
		}
	}
	return false
}

// apiMessage is the short form of an AWS error: "Code: message".
func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return err.Error()
}
