package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/source/iac"
)

// TestInvalidRetentionNeverPasses: a retention CloudWatch Logs does not accept is not "never expires": it is
// a FAIL with the reason (the deployment would fail), or UNKNOWN when it cannot be resolved.
func TestInvalidRetentionNeverPasses(t *testing.T) {
	const tfTmpl = `
variable "days" {}
resource "aws_vpc" "v" {}
resource "aws_cloudwatch_log_group" "g" {
  name = "flow"
  %s
}
resource "aws_flow_log" "f" {
  vpc_id          = aws_vpc.v.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.g.arn
}
`
	const cfnTmpl = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Days:
    Type: Number
Resources:
  Vpc:
    Type: AWS::EC2::VPC
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: flow
      %s
  Fl:
    Type: AWS::EC2::FlowLog
    Properties:
      ResourceId: !Ref Vpc
      ResourceType: VPC
      TrafficType: ALL
      LogGroupName: flow
`
	const community = `
module "vpc" {
  source                                          = "terraform-aws-modules/vpc/aws"
  enable_flow_log                                 = true
  create_flow_log_cloudwatch_log_group            = true
  flow_log_cloudwatch_log_group_retention_in_days = %s
}
`
	for _, c := range []struct {
		kind, line string
		status     finding.Status
		reason     string
		why        string
	}{
		{"tf", "retention_in_days = -5", finding.StatusFail, iac.ReasonInvalid, "retention_in_days -5 is not a valid CloudWatch Logs retention value"},
		{"tf", `retention_in_days = "abc"`, finding.StatusFail, iac.ReasonInvalid, `retention_in_days "abc" is not a valid`},
		{"tf", "retention_in_days = 366", finding.StatusFail, iac.ReasonInvalid, "retention_in_days 366 is not a valid"},
		{"tf", "retention_in_days = 365.5", finding.StatusFail, iac.ReasonInvalid, "retention_in_days 365.5 is not a valid"},
		{"tf", "retention_in_days = true", finding.StatusFail, iac.ReasonInvalid, "retention_in_days (a bool) is not a valid"},
		{"tf", "retention_in_days = var.days", finding.StatusUnknown, iac.ReasonUnresolved, "var.days has no default"},
		{"tf", "retention_in_days = local.nope", finding.StatusUnknown, iac.ReasonUnresolved, "retention_in_days"},
		{"tf", "retention_in_days = 30", finding.StatusFail, finding.ReasonRetentionTooShort, "keeps 30 days"},
		{"tf", "retention_in_days = 0", finding.StatusPass, "", ""},
		{"tf", "", finding.StatusPass, "", ""},
		{"tf", `retention_in_days = "400"`, finding.StatusPass, "", ""},
		{"cfn", "RetentionInDays: -5", finding.StatusFail, iac.ReasonInvalid, "RetentionInDays -5 is not a valid CloudWatch Logs retention value"},
		{"cfn", "RetentionInDays: abc", finding.StatusFail, iac.ReasonInvalid, `RetentionInDays "abc" is not a valid`},
		{"cfn", "RetentionInDays: [1]", finding.StatusFail, iac.ReasonInvalid, "RetentionInDays (not a number) is not a valid"},
		{"cfn", "RetentionInDays: !Ref Days", finding.StatusUnknown, iac.ReasonUnresolved, "parameter Days has no Default"},
		{"cfn", "RetentionInDays: !GetAtt Nope.Days", finding.StatusUnknown, iac.ReasonUnresolved, "Nope is not in the template"},
		{"cfn", "RetentionInDays: 731", finding.StatusPass, "", ""},
		{"community", "-5", finding.StatusFail, iac.ReasonInvalid, "flow_log_cloudwatch_log_group_retention_in_days -5 is not a valid"},
		{"community", "3653", finding.StatusPass, "", ""},
	} {
		t.Run(c.kind+" "+c.line, func(t *testing.T) {
			dir := t.TempDir()
			switch c.kind {
			case "tf":
				writeFile(t, dir+"/main.tf", fmt.Sprintf(tfTmpl, c.line))
			case "cfn":
				writeFile(t, dir+"/t.yaml", fmt.Sprintf(cfnTmpl, c.line))
			case "community":
				writeFile(t, dir+"/main.tf", fmt.Sprintf(community, c.line))
			}
			r := scanWithin(t, []string{dir})
			var got *finding.Finding
			for i, f := range r.Findings {
				if f.CheckID == "vpc-flow-logs-retention" {
					got = &r.Findings[i]
				}
			}
			if got == nil {
				t.Fatalf("no retention finding: %v %+v", verdicts(r), r.Errors)
			}
			if got.Status != c.status || got.Reason != c.reason || !strings.Contains(got.Message, c.why) {
				t.Errorf("%s %s %q, want %s %s containing %q", got.Status, got.Reason, got.Message, c.status, c.reason, c.why)
			}
		})
	}
}
