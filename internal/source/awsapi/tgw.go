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
// management or delegated administrator account), then one Get per VPC rule and the evaluation status when
// there is one. Rules only add evidence and keep fix from planning duplicates, so a failure (access denied,
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
	var (
		mu    sync.Mutex
		rules []inventory.TelemetryRule
		notes []string
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		rs, err := accountTelemetryRules(ctx, c)
		mu.Lock()
		defer mu.Unlock()
		rules = append(rules, rs...)
		if err != nil {
			notes = append(notes, "account telemetry rules not read ("+telemetryError(err)+")")
		}
	})
	wg.Go(func() {
		rs, err := organizationTelemetryRules(ctx, c)
		mu.Lock()
		defer mu.Unlock()
		rules = append(rules, rs...)
		if err != nil && !denied(err) {
			notes = append(notes, "organization telemetry rules not read ("+telemetryError(err)+")")
		}
	})
	wg.Wait()
	sort.Slice(rules, func(i, j int) bool {
		if rules[i].Organization != rules[j].Organization {
			return rules[i].Organization
		}
		return rules[i].Name < rules[j].Name
	})
	return rules, strings.Join(notes, "; ")
}

func accountTelemetryRules(ctx context.Context, c *observabilityadmin.Client) ([]inventory.TelemetryRule, error) {
	var names []string
	p := observabilityadmin.NewListTelemetryRulesPaginator(c, &observabilityadmin.ListTelemetryRulesInput{MaxResults: aws.Int32(100)},
		func(o *observabilityadmin.ListTelemetryRulesPaginatorOptions) { o.StopOnDuplicateToken = true })
	if err := pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage, func(page *observabilityadmin.ListTelemetryRulesOutput) *string { return page.NextToken }, func(page *observabilityadmin.ListTelemetryRulesOutput) {
		for _, s := range page.TelemetryRuleSummaries {
			if vpcRule(s) && len(names) < maxTelemetryRules {
				names = append(names, firstNonEmpty(aws.ToString(s.RuleArn), aws.ToString(s.RuleName)))
			}
		}
	}); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, nil
	}
	status := ""
	if st, err := c.GetTelemetryEvaluationStatus(ctx, &observabilityadmin.GetTelemetryEvaluationStatusInput{}); err == nil {
		status = string(st.Status)
	}
	var out []inventory.TelemetryRule
	for _, id := range names {
		r, err := c.GetTelemetryRule(ctx, &observabilityadmin.GetTelemetryRuleInput{RuleIdentifier: aws.String(id)})
		if err != nil {
			return out, err
		}
		tr := convertTelemetryRule(aws.ToString(r.RuleName), aws.ToString(r.RuleArn), aws.ToString(r.HomeRegion), r.TelemetryRule)
		tr.EvaluationStatus = status
		out = append(out, tr)
	}
	return out, nil
}

func organizationTelemetryRules(ctx context.Context, c *observabilityadmin.Client) ([]inventory.TelemetryRule, error) {
	var names []string
	p := observabilityadmin.NewListTelemetryRulesForOrganizationPaginator(c, &observabilityadmin.ListTelemetryRulesForOrganizationInput{MaxResults: aws.Int32(100)},
		func(o *observabilityadmin.ListTelemetryRulesForOrganizationPaginatorOptions) {
			o.StopOnDuplicateToken = true
		})
	if err := pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage, func(page *observabilityadmin.ListTelemetryRulesForOrganizationOutput) *string { return page.NextToken }, func(page *observabilityadmin.ListTelemetryRulesForOrganizationOutput) {
		for _, s := range page.TelemetryRuleSummaries {
			if (s.ResourceType == oatypes.ResourceTypeAwsEc2Vpc) && len(names) < maxTelemetryRules {
				names = append(names, firstNonEmpty(aws.ToString(s.RuleArn), aws.ToString(s.RuleName)))
			}
		}
	}); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, nil
	}
	status := ""
	if st, err := c.GetTelemetryEvaluationStatusForOrganization(ctx, &observabilityadmin.GetTelemetryEvaluationStatusForOrganizationInput{}); err == nil {
		status = string(st.Status)
	}
	var out []inventory.TelemetryRule
	for _, id := range names {
		r, err := c.GetTelemetryRuleForOrganization(ctx, &observabilityadmin.GetTelemetryRuleForOrganizationInput{RuleIdentifier: aws.String(id)})
		if err != nil {
			return out, err
		}
		tr := convertTelemetryRule(aws.ToString(r.RuleName), aws.ToString(r.RuleArn), aws.ToString(r.HomeRegion), r.TelemetryRule)
		tr.Organization, tr.EvaluationStatus = true, status
		out = append(out, tr)
	}
	return out, nil
}

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

func convertTelemetryRule(name, arn, home string, r *oatypes.TelemetryRule) inventory.TelemetryRule {
	tr := inventory.TelemetryRule{Name: name, ARN: arn, HomeRegion: home}
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
