package baseline

import (
	"encoding/json"
	"path"
	"testing"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/remediate/fix"
	"github.com/flowguard/flowguard/internal/testenv/golden"
)

// TestSCPProtectsWhatFixCreates renders the SCP baseline and fix's log group names with their defaults: the
// SCP's logs:DeleteLogGroup resource must match every log group fix creates, and nothing else.
func TestSCPProtectsWhatFixCreates(t *testing.T) {
	_, files := generate(t, "scp", Defaults())
	var p struct {
		Statement []struct{ Action, Resource string }
	}
	if err := json.Unmarshal(files[0].Content, &p); err != nil {
		t.Fatal(err)
	}
	var pattern string
	for _, s := range p.Statement {
		if s.Action == "logs:DeleteLogGroup" {
			pattern = s.Resource
		}
	}
	if pattern == "" {
		t.Fatalf("the SCP has no logs:DeleteLogGroup statement: %s", files[0].Content)
	}
	s := fix.DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	arn := func(region, account, group string) string {
		return "arn:aws:logs:" + region + ":" + account + ":log-group:" + group
	}
	for _, c := range []struct{ account, region, vpc string }{
		{"111122223333", "us-east-1", "vpc-0123456789abcdef0"},
		{"444455556666", "ap-southeast-2", "vpc-1a2b3c4d"},
	} {
		created := arn(c.region, c.account, s.LogGroupName(c.account, c.region, c.vpc))
		// IAM's * matches any characters, / included; path.Match's does not cross a /, which the names here
		// do not need.
		if ok, err := path.Match(pattern, created); err != nil || !ok {
			t.Errorf("SCP resource %s does not protect %s, which fix creates", pattern, created)
		}
	}
	for _, other := range []string{"/aws/lambda/fn", "/flowguard/vpc-flow-logs/vpc-1"} {
		if ok, _ := path.Match(pattern, arn("us-east-1", "111122223333", other)); ok {
			t.Errorf("SCP resource %s also protects %s", pattern, other)
		}
	}
}

func TestBaselineDefaultsAreFixDefaults(t *testing.T) {
	b, f := Defaults(), fix.DefaultSettings()
	if b.TrafficType != f.TrafficType {
		t.Errorf("traffic type: baseline %s, fix %s", b.TrafficType, f.TrafficType)
	}
	if int32(b.RetentionDays) != f.RetentionDays || b.RetentionDays != engine.DefaultMinRetentionDays {
		t.Errorf("retention: baseline %d, fix %d, retention check %d", b.RetentionDays, f.RetentionDays, engine.DefaultMinRetentionDays)
	}
	if got, want := b.LogGroupPrefix+"/vpc-1", f.LogGroupName("1", "r", "vpc-1"); got != want {
		t.Errorf("log group of vpc-1: baseline %s, fix %s", got, want)
	}
}

// TestGoldenBaselines pins every generated file with the default options (go test -update to rewrite).
func TestGoldenBaselines(t *testing.T) {
	for _, format := range Formats {
		_, files := generate(t, format, Defaults())
		for _, f := range files {
			golden.Bytes(t, path.Join("testdata/golden", f.Path), f.Content)
		}
	}
}
