package awsapi

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/observabilityadmin"
	oatypes "github.com/aws/aws-sdk-go-v2/service/observabilityadmin/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/pagination"
)

// collectTransitGateways reads the region's Transit Gateways and their attachments, concurrently with the rest
// of the region (one paginated pass each, whatever the number of VPCs or attachments). Their flow logs are the
// region's flow logs, already read: no call per Transit Gateway.
func collectTransitGateways(ctx context.Context, g *sync.WaitGroup, c *ec2.Client, reg *inventory.Region,
	fail func(inventory.Collection, string, error)) {
	g.Go(func() {
		tgws, err := listTransitGateways(ctx, c)
		if err != nil {
			fail(inventory.CollTransitGateways, "ec2:DescribeTransitGateways", err)
			return
		}
		reg.TransitGateways = tgws
	})
	g.Go(func() {
		atts, err := listTransitGatewayAttachments(ctx, c)
		if err != nil {
			fail(inventory.CollTransitGatewayAttachments, "ec2:DescribeTransitGatewayAttachments", err)
			return
		}
		reg.TransitGatewayAttachments = atts
	})
}

// tgwPageSize is the largest page DescribeTransitGateways and DescribeTransitGatewayAttachments accept.
const tgwPageSize = 1000

func listTransitGateways(ctx context.Context, c *ec2.Client) ([]inventory.TransitGateway, error) {
	var out []inventory.TransitGateway
	p := ec2.NewDescribeTransitGatewaysPaginator(c, &ec2.DescribeTransitGatewaysInput{MaxResults: aws.Int32(tgwPageSize)},
		func(o *ec2.DescribeTransitGatewaysPaginatorOptions) { o.StopOnDuplicateToken = true })
	if err := pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage, func(page *ec2.DescribeTransitGatewaysOutput) *string { return page.NextToken }, func(page *ec2.DescribeTransitGatewaysOutput) {
		for _, t := range page.TransitGateways {
			out = append(out, inventory.TransitGateway{
				ID: aws.ToString(t.TransitGatewayId), ARN: aws.ToString(t.TransitGatewayArn), OwnerID: aws.ToString(t.OwnerId),
				State: string(t.State), Description: aws.ToString(t.Description), Tags: tagMap(t.Tags),
			})
		}
	}); err != nil {
		return nil, err
	}
	return out, nil
}

func listTransitGatewayAttachments(ctx context.Context, c *ec2.Client) ([]inventory.TransitGatewayAttachment, error) {
	var out []inventory.TransitGatewayAttachment
	p := ec2.NewDescribeTransitGatewayAttachmentsPaginator(c, &ec2.DescribeTransitGatewayAttachmentsInput{MaxResults: aws.Int32(tgwPageSize)},
		func(o *ec2.DescribeTransitGatewayAttachmentsPaginatorOptions) { o.StopOnDuplicateToken = true })
	if err := pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage, func(page *ec2.DescribeTransitGatewayAttachmentsOutput) *string { return page.NextToken }, func(page *ec2.DescribeTransitGatewayAttachmentsOutput) {
		for _, a := range page.TransitGatewayAttachments {
			out = append(out, inventory.TransitGatewayAttachment{
				ID: aws.ToString(a.TransitGatewayAttachmentId), TransitGatewayID: aws.ToString(a.TransitGatewayId),
				TransitGatewayOwnerID: aws.ToString(a.TransitGatewayOwnerId), ResourceType: string(a.ResourceType),
				ResourceID: aws.ToString(a.ResourceId), ResourceOwnerID: aws.ToString(a.ResourceOwnerId),
				State: string(a.State), Tags: tagMap(a.Tags),
			})
		}
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// maxTelemetryRules bounds the rules read per account-region and kind (a rule is one GetTelemetryRule call).
const maxTelemetryRules = 200

// collectTelemetryRules reads the CloudWatch telemetry rules that make VPC flow logs: the account's
// (ListTelemetryRules) and the organization's (ListTelemetryRulesForOrganization, answered only in the
// management or delegated administrator account), then one Get per rule that makes VPC flow logs (vpcRule)
// and the evaluation status when there is one. Rules only add evidence and keep fix from planning duplicates, so a failure (access denied,
// the service not offered in the region or the partition) is a note on the region, never a read error that
// would make a scan incomplete.
func collectTelemetryRules(ctx context.Context, g *sync.WaitGroup, c *observabilityadmin.Client, reg *inventory.Region) {
	g.Go(func() {
		rules, note := TelemetryRules(ctx, c)
		reg.TelemetryRules, reg.TelemetryRulesNote = rules, note
	})
}

// TelemetryRules reads the telemetry rules of c's account and region that make VPC flow logs (see
// collectTelemetryRules), with a note saying what could not be read ("" when everything was). fix reads them
// through it too.
func TelemetryRules(ctx context.Context, c *observabilityadmin.Client) ([]inventory.TelemetryRule, string) {
	scopes := []ruleScope{accountRules(c), organizationRules(c)}
	var (
		read = make([][]inventory.TelemetryRule, len(scopes))
		errs = make([]error, len(scopes))
		wg   sync.WaitGroup
	)
	for i, s := range scopes {
		wg.Go(func() {
			read[i], errs[i] = s.read(ctx)
		})
	}
	wg.Wait()
	var (
		rules []inventory.TelemetryRule
		notes []string
	)
	for i, s := range scopes {
		rules = append(rules, read[i]...)
		// An organization call answered "not for this caller" is a member account's normal answer.
		if err := errs[i]; err != nil && !(s.org && denied(err)) {
			notes = append(notes, s.name+" telemetry rules not read ("+telemetryError(err)+")")
		}
	}
	sort.Slice(rules, func(i, j int) bool {
		if rules[i].Organization != rules[j].Organization {
			return rules[i].Organization
		}
		return rules[i].Name < rules[j].Name
	})
	return rules, strings.Join(notes, "; ")
}

// ruleScope is the reading of one scope's telemetry rules: the account's (ListTelemetryRules,
// GetTelemetryEvaluationStatus, GetTelemetryRule) or the organization's (the same calls …ForOrganization).
// The two are the same three steps over parallel SDK types; read takes the steps, the scope only the calls.
type ruleScope struct {
	name string // "account", "organization"
	org  bool
	// list hands the summaries of every page to use.
	list func(ctx context.Context, use func([]oatypes.TelemetryRuleSummary)) error
	// status is the scope's telemetry evaluation status ("" when it cannot be read).
	status func(ctx context.Context) string
	// get reads one rule by ARN or name.
	get func(ctx context.Context, id string) (inventory.TelemetryRule, error)
}

// read lists the scope's rules, keeps those that make VPC flow logs (at most maxTelemetryRules), then reads
// the evaluation status and each kept rule. A failed Get stops it with the rules read so far.
func (s ruleScope) read(ctx context.Context) ([]inventory.TelemetryRule, error) {
	var ids []string
	if err := s.list(ctx, func(page []oatypes.TelemetryRuleSummary) {
		for _, r := range page {
			if vpcRule(r) && len(ids) < maxTelemetryRules {
				ids = append(ids, firstNonEmpty(aws.ToString(r.RuleArn), aws.ToString(r.RuleName)))
			}
		}
	}); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	status := s.status(ctx)
	var out []inventory.TelemetryRule
	for _, id := range ids {
		tr, err := s.get(ctx, id)
		if err != nil {
			return out, err
		}
		tr.Organization, tr.EvaluationStatus = s.org, status
		out = append(out, tr)
	}
	return out, nil
}

func accountRules(c *observabilityadmin.Client) ruleScope {
	return ruleScope{
		name: "account",
		list: func(ctx context.Context, use func([]oatypes.TelemetryRuleSummary)) error {
			p := observabilityadmin.NewListTelemetryRulesPaginator(c, &observabilityadmin.ListTelemetryRulesInput{MaxResults: aws.Int32(100)},
				func(o *observabilityadmin.ListTelemetryRulesPaginatorOptions) { o.StopOnDuplicateToken = true })
			return pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage,
				func(page *observabilityadmin.ListTelemetryRulesOutput) *string { return page.NextToken },
				func(page *observabilityadmin.ListTelemetryRulesOutput) { use(page.TelemetryRuleSummaries) })
		},
		status: func(ctx context.Context) string {
			st, err := c.GetTelemetryEvaluationStatus(ctx, &observabilityadmin.GetTelemetryEvaluationStatusInput{})
			if err != nil {
				return ""
			}
			return string(st.Status)
		},
		get: func(ctx context.Context, id string) (inventory.TelemetryRule, error) {
			r, err := c.GetTelemetryRule(ctx, &observabilityadmin.GetTelemetryRuleInput{RuleIdentifier: aws.String(id)})
			if err != nil {
				return inventory.TelemetryRule{}, err
			}
			return convertTelemetryRule(r.RuleName, r.RuleArn, r.HomeRegion, r.TelemetryRule), nil
		},
	}
}

func organizationRules(c *observabilityadmin.Client) ruleScope {
	return ruleScope{
		name: "organization", org: true,
		list: func(ctx context.Context, use func([]oatypes.TelemetryRuleSummary)) error {
			p := observabilityadmin.NewListTelemetryRulesForOrganizationPaginator(c, &observabilityadmin.ListTelemetryRulesForOrganizationInput{MaxResults: aws.Int32(100)},
				func(o *observabilityadmin.ListTelemetryRulesForOrganizationPaginatorOptions) {
					o.StopOnDuplicateToken = true
				})
			return pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage,
				func(page *observabilityadmin.ListTelemetryRulesForOrganizationOutput) *string { return page.NextToken },
				func(page *observabilityadmin.ListTelemetryRulesForOrganizationOutput) {
					use(page.TelemetryRuleSummaries)
				})
		},
		status: func(ctx context.Context) string {
			st, err := c.GetTelemetryEvaluationStatusForOrganization(ctx, &observabilityadmin.GetTelemetryEvaluationStatusForOrganizationInput{})
			if err != nil {
				return ""
			}
			return string(st.Status)
		},
		get: func(ctx context.Context, id string) (inventory.TelemetryRule, error) {
			r, err := c.GetTelemetryRuleForOrganization(ctx, &observabilityadmin.GetTelemetryRuleForOrganizationInput{RuleIdentifier: aws.String(id)})
			if err != nil {
				return inventory.TelemetryRule{}, err
			}
			return convertTelemetryRule(r.RuleName, r.RuleArn, r.HomeRegion, r.TelemetryRule), nil
		},
	}
}

// vpcRule reports whether a listed rule makes VPC flow logs, so that only those are read (one Get each) and
// count against maxTelemetryRules: resource type AWS::EC2::VPC and, when the rule names its telemetry source
// types, VPC_FLOW_LOGS among them. A VPC rule may make other telemetry only (Route 53 Resolver query logs,
// ROUTE53_RESOLVER_QUERY_LOGS); the account's and the organization's summaries are the same type and are
// filtered alike (inventory.TelemetryRule.MakesVPCFlowLogs is the same test on a rule read in full).
func vpcRule(s oatypes.TelemetryRuleSummary) bool {
	if s.ResourceType != oatypes.ResourceTypeAwsEc2Vpc {
		return false
	}
	if len(s.TelemetrySourceTypes) == 0 {
		return true
	}
	for _, t := range s.TelemetrySourceTypes {
		if t == oatypes.TelemetrySourceTypeVpcFlowLogs {
			return true
		}
	}
	return false
}

func convertTelemetryRule(name, arn, home *string, r *oatypes.TelemetryRule) inventory.TelemetryRule {
	tr := inventory.TelemetryRule{Name: aws.ToString(name), ARN: aws.ToString(arn), HomeRegion: aws.ToString(home)}
	if r == nil {
		return tr
	}
	tr.ResourceType = string(r.ResourceType)
	for _, s := range r.TelemetrySourceTypes {
		tr.SourceTypes = append(tr.SourceTypes, string(s))
	}
	tr.Scope, tr.SelectionCriteria = aws.ToString(r.Scope), aws.ToString(r.SelectionCriteria)
	tr.AllRegions, tr.Regions = aws.ToBool(r.AllRegions), r.Regions
	if d := r.DestinationConfiguration; d != nil {
		tr.DestinationType, tr.DestinationPattern = string(d.DestinationType), aws.ToString(d.DestinationPattern)
		if v := d.VPCFlowLogParameters; v != nil {
			tr.TrafficType = aws.ToString(v.TrafficType)
		}
	}
	return tr
}

// denied reports an answer that means "not for this caller": access denied, or an organization call made
// outside the management and delegated administrator accounts.
func denied(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "AccessDeniedException", "AccessDenied", "ValidationException", "UnauthorizedOperation", "AWSOrganizationsNotInUseException":
		return true
	}
	return false
}

// telemetryError says in a few words why a telemetry call failed: the service's error code, or the HTTP
// status of an answer that was not the service's (an emulator, a proxy), never the SDK's whole chain.
func telemetryError(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return "HTTP " + strconv.Itoa(re.HTTPStatusCode())
	}
	if errors.Is(err, context.Canceled) {
		return "cancelled"
	}
	return "no answer"
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// Telemetry rules are evidence and a guard against duplicate flow logs, never a verdict: their calls are
// tried at most telemetryAttempts times with short backoff, so that a service that is not offered (an emulator
// answering 500, a partition without it) costs a scan well under a second, not the main retry budget.
const (
	telemetryAttempts   = 2
	telemetryMaxBackoff = 300 * time.Millisecond
)

// NewTelemetryClient is the Observability Admin client of cfg's region, with the short retry budget above.
func NewTelemetryClient(cfg aws.Config) *observabilityadmin.Client {
	return observabilityadmin.NewFromConfig(cfg, func(o *observabilityadmin.Options) {
		if o.Retryer == nil {
			o.Retryer = retry.NewStandard()
		}
		o.Retryer = retry.AddWithMaxBackoffDelay(retry.AddWithMaxAttempts(o.Retryer, telemetryAttempts), telemetryMaxBackoff)
	})
}

// spreadOrganizationRules shows the organization's telemetry rules, read in the management (or delegated
// administrator) account, in every other account of the snapshot in the same region: they may make those
// accounts' VPC flow logs too. Their scope (accounts, organizational units) is not resolved, so the copies
// count as "may cover", never as covering.
func spreadOrganizationRules(regions []*inventory.Region) {
	byRegion := map[string][]inventory.TelemetryRule{}
	from := map[string]string{}
	for _, r := range regions {
		for _, tr := range r.TelemetryRules {
			if tr.Organization && from[r.Name] != "" && from[r.Name] != r.AccountID {
				continue // one reading account per region is enough
			}
			if tr.Organization {
				byRegion[r.Name] = append(byRegion[r.Name], tr)
				from[r.Name] = r.AccountID
			}
		}
	}
	for _, r := range regions {
		if len(byRegion[r.Name]) == 0 || from[r.Name] == r.AccountID {
			continue
		}
		have := map[string]bool{}
		for _, tr := range r.TelemetryRules {
			have[tr.ARN+"|"+tr.Name] = tr.Organization
		}
		for _, tr := range byRegion[r.Name] {
			if !have[tr.ARN+"|"+tr.Name] {
				r.TelemetryRules = append(r.TelemetryRules, tr)
			}
		}
	}
}
