package engine_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source/accounts"
	"github.com/flowguard/flowguard/internal/source/awsapi"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// An empty DescribeRegions answer is not "no VPC anywhere, everything passes": the account is ERROR.
func TestNoEnabledRegionIsErrorNotPass(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.proxy.SetOptions(faultproxy.Options{Rewrite: func(c faultproxy.Call, body []byte) []byte {
		if c.Action == "DescribeRegions" {
			return faultproxy.RewriteEC2Items(body, "regionInfo", func(string) string { return "" })
		}
		return body
	}})
	res := e.scan(t) // every enabled region: none
	if res.Overall() != finding.OutcomeIncomplete || res.Summary.Pass != 0 {
		t.Fatalf("exit %d, summary %+v, want 2 and no PASS", res.Overall(), res.Summary)
	}
	if len(res.Errors) != 1 || res.Errors[0].Code != "NoRegions" || !strings.Contains(res.Errors[0].Message, "listed no enabled region") {
		t.Fatalf("errors %+v", res.Errors)
	}
	var accountError bool
	for _, f := range res.Findings {
		accountError = accountError || f.Status == finding.StatusError && f.ResourceType == finding.ResourceAccount
	}
	if !accountError {
		t.Errorf("no account-level ERROR finding: %+v", res.Findings)
	}
	// An account-region that was read and has no VPC at all is fine: a region list with one region in it.
	e.proxy.SetOptions(faultproxy.Options{Rewrite: func(c faultproxy.Call, body []byte) []byte {
		if c.Action == "DescribeRegions" {
			return faultproxy.RewriteEC2Items(body, "regionInfo", func(item string) string {
				if strings.Contains(item, "<regionName>us-east-2</regionName>") {
					return item
				}
				return ""
			})
		}
		if c.Action == "DescribeVpcs" {
			return faultproxy.RewriteEC2Items(body, "vpcSet", func(string) string { return "" })
		}
		return body
	}})
	if res := e.scan(t); res.Overall() != finding.OutcomeOK || len(res.Regions) != 1 {
		t.Errorf("a region read with no VPC: exit %d, regions %v, errors %+v", res.Overall(), res.Regions, res.Errors)
	}
}

// --org whose organization lists no active account is nothing to evaluate.
func TestEmptyOrganizationIsNothingToEvaluate(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	mgmt := moto.NewTestAccount(t)
	if _, err := organizations.NewFromConfig(mgmt.Config(srv.URL, "us-east-1")).CreateOrganization(t.Context(), &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	p := faultproxy.New(srv.URL, faultproxy.Options{Rewrite: func(c faultproxy.Call, body []byte) []byte {
		if c.Action == "ListAccounts" {
			return regexp.MustCompile(`"Accounts":\s*\[.*\]`).ReplaceAll(body, []byte(`"Accounts": []`))
		}
		return body
	}})
	defer p.Close()
	_, _, err := accounts.Resolve(t.Context(), mgmt.Config(p.URL, "us-east-1"), accounts.Options{Org: true})
	if !errors.Is(err, inventory.ErrNothingToEvaluate) || !strings.Contains(err.Error(), "the organization lists no active account") {
		t.Fatalf("err = %v", err)
	}
}

// Whatever the path that gets there, an inventory with nothing read is an incomplete result, never a pass.
func TestNothingReadIsIncomplete(t *testing.T) {
	res, snap := scanTargets(t.Context(), nil, nil, scanOptions{Collect: awsapi.Options{Regions: []string{"us-east-1"}}, Now: fixedNow})
	if len(snap.Regions) != 0 || res.Overall() != finding.OutcomeIncomplete || len(res.Errors) != 1 || res.Errors[0].Code != "NothingRead" {
		t.Fatalf("exit %d errors %+v", res.Overall(), res.Errors)
	}
	res = scanSnapshot(&inventory.Snapshot{}, scanOptions{Now: fixedNow})
	if res.Overall() != finding.OutcomeIncomplete || !strings.Contains(res.Errors[0].Message, "nothing to evaluate") {
		t.Fatalf("empty snapshot: exit %d errors %+v", res.Overall(), res.Errors)
	}
}
