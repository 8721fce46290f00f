package engine_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/source/accounts"
	"github.com/flowguard/flowguard/internal/source/awsapi"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/fixture"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// An organization of a management account and three members, one of which refuses the role: that account
// becomes ERROR findings, the others are scanned through the assumed role.
func TestOrganizationScan(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	ctx := t.Context()
	mgmt := moto.NewTestAccount(t)
	org := organizations.NewFromConfig(mgmt.Config(srv.URL, "us-east-1"))
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	var members []string
	for _, name := range []string{"dev", "prod", "locked"} {
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, aws.ToString(st.CreateAccountStatus.AccountId))
	}
	dev, prod, locked := members[0], members[1], members[2]
	// A compliant VPC in prod, built with prod's own credentials.
	prodAcct, err := srv.NewAccount(ctx, prod)
	if err != nil {
		t.Fatal(err)
	}
	b := fixture.New(prodAcct.Config(srv.URL, "us-east-1"), prod)
	v, _, err := b.UsedVPC(ctx, "us-east-1", "prod-app", "10.0.0.0/16", "10.0.0.0/24")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.FlowLogToS3(ctx, "us-east-1", v, "REJECT", must(b.Bucket(ctx, "us-east-1", "org-flow-logs-"+prod))); err != nil {
		t.Fatal(err)
	}

	p := faultproxy.New(srv.URL, faultproxy.Options{Decide: func(c faultproxy.Call) faultproxy.Fault {
		if c.Action == "AssumeRole" && strings.Contains(c.Params.Get("RoleArn"), "::"+locked+":") {
			return faultproxy.AccessDenied
		}
		return faultproxy.None
	}})
	defer p.Close()
	cfg := mgmt.Config(p.URL, "us-east-1")
	targets, notEntered, err := accounts.Resolve(ctx, cfg, accounts.Options{Org: true, RoleName: "OrganizationAccountAccessRole"})
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 3 || len(notEntered) != 1 || notEntered[0].AccountID != locked || notEntered[0].Code != "AccessDenied" {
		t.Fatalf("targets %d, not entered %+v", len(targets), notEntered)
	}
	res, _ := scanTargets(ctx, targets, notEntered, scanOptions{Collect: awsapi.Options{Regions: []string{"us-east-1"}}, Evaluate: engine.Options{SkipUnused: true}})
	byAccount := map[string][]string{}
	for _, f := range res.Findings {
		byAccount[f.AccountID] = append(byAccount[f.AccountID], f.CheckID+" "+string(f.Status))
	}
	if got := strings.Join(byAccount[prod], ","); got != "vpc-flow-logs-enabled PASS" {
		t.Errorf("prod: %s", got)
	}
	if got := byAccount[locked]; len(got) != 3 || !strings.HasSuffix(got[0], "ERROR") { // one per built-in check
		t.Errorf("locked: %v", got)
	}
	if _, ok := byAccount[dev]; ok {
		t.Errorf("dev has only an unused default VPC, left out by --skip-unused: %v", byAccount[dev])
	}
	if len(res.Accounts) != 4 || res.Overall() != finding.OutcomeIncomplete {
		t.Errorf("accounts %v exit %d", res.Accounts, res.Overall())
	}
	if m := faultproxy.Mutating(p.Calls()); len(m) > 0 {
		t.Errorf("mutating calls: %v", m)
	}
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}
