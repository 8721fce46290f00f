package awsapi

import (
	"testing"

	"github.com/flowguard/flowguard/internal/inventory"
)

// Organization rules read in the management account show in the other accounts of the same region, as rules
// that may cover their VPCs; account rules stay in their account.
func TestSpreadOrganizationRules(t *testing.T) {
	org := inventory.TelemetryRule{Name: "org-vpcs", ARN: "arn:org", Organization: true, ResourceType: "AWS::EC2::VPC", EvaluationStatus: "RUNNING"}
	own := inventory.TelemetryRule{Name: "mgmt-only", ResourceType: "AWS::EC2::VPC", EvaluationStatus: "RUNNING"}
	regions := []*inventory.Region{
		{AccountID: "111111111111", Name: "eu-west-1", TelemetryRules: []inventory.TelemetryRule{org, own}},
		{AccountID: "222222222222", Name: "eu-west-1"},
		{AccountID: "222222222222", Name: "us-east-1"},
	}
	spreadOrganizationRules(regions)
	if got := regions[1].TelemetryRules; len(got) != 1 || got[0].Name != "org-vpcs" || got[0].Coverage("eu-west-1") != inventory.RuleMayCover {
		t.Errorf("member eu-west-1: %+v", got)
	}
	if len(regions[0].TelemetryRules) != 2 || len(regions[2].TelemetryRules) != 0 {
		t.Errorf("management %+v, other region %+v", regions[0].TelemetryRules, regions[2].TelemetryRules)
	}
	spreadOrganizationRules(regions) // idempotent
	if len(regions[1].TelemetryRules) != 1 {
		t.Errorf("spread twice: %+v", regions[1].TelemetryRules)
	}
}

func TestTelemetryErrorIsShort(t *testing.T) {
	if got := telemetryError(errString("boom")); got != "no answer" {
		t.Errorf("%q", got)
	}
}

type errString string

func (e errString) Error() string { return string(e) }
