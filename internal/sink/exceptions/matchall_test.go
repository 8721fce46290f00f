package exceptions

import (
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/finding"
)

func TestRefusesEntriesThatMatchEverything(t *testing.T) {
	refused := []string{
		`vpc: "*"`, `account: "*"`, `vpc: "?*"`, `vpc: "*?"`, `region: "*"`, `tags: {Name: "*"}`, `tags: {Name: "?*"}`,
		`vpc: "[^x]*"`, `account: "[^a]*"`, `vpc: "**"`, `region: "[^!]?*"`, `vpc: "[\x00-\U0010FFFF]*"`,
		// every 12-digit account, every region, every VPC id
		`account: "????????????"`, `account: "[0-9]*"`, `account: "*[0-9]"`, `region: "*-*-*"`, `region: "[a-z]*"`,
		`vpc: "vpc-*"`, `vpc: "v*"`, `vpc: "vpc-[0-9a-f]*"`, `vpc: "*[0-9a-f]"`,
		// combinations where every given matcher matches everything
		`{account: "*", region: "*", vpc: "*", tags: {Name: "*", env: "?*"}}`,
		`{vpc: "*", check: vpc-flow-logs-enabled}`,
	}
	for _, m := range refused {
		doc := "exceptions:\n  - {owner: o, reason: r, expires: 2026-12-01, " + inner(m) + "}\n"
		_, err := Parse("x.yaml", []byte(doc), 365, now)
		if err == nil {
			t.Errorf("%s: accepted", m)
			continue
		}
		if !strings.Contains(err.Error(), "x.yaml:2: the exception matches every") {
			t.Errorf("%s: error %q does not say x.yaml:2 and why", m, err)
		}
	}
	accepted := []string{
		`vpc: vpc-0abc`, `vpc: "vpc-0*"`, `account: "1111*"`, `region: "eu-*"`, `region: "*-1"`, `tags: {env: dev}`,
		`tags: {Name: "[a-z]*"}`, `vpc: "[!x]*"`, // path.Match: [!x] is the set {!, x}, it matches no VPC id
		`{vpc: "*", account: "111111111111"}`, `{region: "*", tags: {Name: "*", env: prod}}`,
		`vpc: "\\*"`,
	}
	for _, m := range accepted {
		doc := "exceptions:\n  - {owner: o, reason: r, expires: 2026-12-01, " + inner(m) + "}\n"
		if _, err := Parse("x.yaml", []byte(doc), 365, now); err != nil {
			t.Errorf("%s: refused: %v", m, err)
		}
	}
}

// The end-to-end defect: `vpc: "*"` turned every FAIL into EXCEPTED.
func TestMatchAllNeverExceptsEverything(t *testing.T) {
	doc := "exceptions:\n  - owner: o\n    reason: r\n    expires: 2026-12-01\n    vpc: '*'\n"
	if set, err := Parse("x.yaml", []byte(doc), 365, now); err == nil {
		r := &finding.Result{Findings: []finding.Finding{{CheckID: "c", Status: finding.StatusFail, ResourceType: finding.ResourceVPC, ResourceID: "vpc-1"}}}
		Apply(r, set, now)
		t.Fatalf("accepted; the scan became %+v", r.Summary)
	}
}

// A probe set that a pattern matching everything must match: every probe is a valid value of its field.
func TestProbesAreRealValues(t *testing.T) {
	for _, p := range accountProbes {
		if len(p) != 12 || strings.Trim(p, "0123456789") != "" {
			t.Errorf("account probe %q", p)
		}
	}
	for _, p := range vpcProbes {
		if !strings.HasPrefix(p, "vpc-") || strings.Trim(p[4:], "0123456789abcdef") != "" {
			t.Errorf("vpc probe %q", p)
		}
	}
	for _, p := range regionProbes {
		if strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			t.Errorf("region probe %q", p)
		}
	}
}

// inner strips the braces of a flow mapping written as {a: b, c: d}.
func inner(m string) string {
	if strings.HasPrefix(m, "{") {
		return m[1 : len(m)-1]
	}
	return m
}
