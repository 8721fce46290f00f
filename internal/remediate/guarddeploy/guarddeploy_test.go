package guarddeploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"go.yaml.in/yaml/v3"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/source"
)

// variants are the option sets the tests generate: one account in one region, several regions, an
// organization with a member role and alerts on EC2.
func variants() map[string]Options {
	one := Defaults()
	one.Regions = []string{"eu-central-1"}
	multi := Defaults()
	multi.Regions = []string{"us-east-1", "eu-west-1", "ap-southeast-2"}
	org := multi
	org.OrganizationID, org.MemberRoleName, org.Runtime = "o-a1b2c3d4e5", "FlowguardGuard", "ec2"
	org.AlertTopicARN, org.SecurityHub = "arn:aws:sns:us-east-1:111111111111:flowguard-alerts", true
	return map[string]Options{"one-region": one, "multi-region": multi, "organization": org}
}

// Both formats, in every variant, pass flowguard's own iac scan: read without a problem, no FAIL, no error.
func TestGeneratedInfrastructurePassesIaCScan(t *testing.T) {
	for name, o := range variants() {
		for _, format := range Formats {
			t.Run(name+"/"+format, func(t *testing.T) {
				dir := t.TempDir()
				files, err := Generate(format, o)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := Write(dir, files); err != nil {
					t.Fatal(err)
				}
				src, err := source.FromOptions(source.Options{IaCPaths: []string{dir}})
				if err != nil {
					t.Fatal(err)
				}
				res, _, err := engine.Evaluate(t.Context(), src, engine.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if res.Summary.Fail != 0 || len(res.Errors) != 0 || res.Overall() != finding.OutcomeOK {
					t.Errorf("iac scan: summary %+v, errors %+v", res.Summary, res.Errors)
				}
				for _, n := range res.Notes {
					if !strings.Contains(n, "0 VPCs declared") {
						t.Errorf("iac scan note: %s", n)
					}
				}
			})
		}
	}
}

// The Terraform is valid HCL and formatted as terraform fmt formats it.
func TestTerraformParses(t *testing.T) {
	for name, o := range variants() {
		files, err := Generate("terraform", o)
		if err != nil {
			t.Fatal(err)
		}
		resources := map[string]int{}
		for _, f := range files {
			file, diags := hclsyntax.ParseConfig(f.Content, f.Path, hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatalf("%s %s: %v", name, f.Path, diags)
			}
			content, _, _ := file.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "resource", LabelNames: []string{"type", "name"}}, {Type: "provider", LabelNames: []string{"name"}}}})
			for _, b := range content.Blocks {
				if b.Type == "resource" && !strings.Contains(f.Path, "member/") {
					resources[b.Labels[0]]++
				}
			}
		}
		// Two rules and targets (ec2, logs) on the default bus, two on the central bus, two per other region.
		rules := 2*len(EventSources) + len(EventSources)*len(o.Others())
		if resources["aws_cloudwatch_event_rule"] != rules || resources["aws_cloudwatch_event_target"] != rules ||
			resources["aws_sqs_queue"] != 2 || resources["aws_sqs_queue_policy"] != 2 || resources["aws_cloudwatch_event_bus"] != 1 {
			t.Errorf("%s: resources %v, want %d rules and targets, 2 queues with policies, 1 bus", name, resources, rules)
		}
		if got := resources["aws_cloudwatch_event_bus_policy"]; (got == 1) != (o.OrganizationID != "") {
			t.Errorf("%s: %d bus policies with organization %q", name, got, o.OrganizationID)
		}
	}
}

// The queue policy lets EventBridge send only for the template's rules; SSE on both queues; the redrive
// policy; the rules match exactly EventSources; the bus policy admits the organization only.
func TestCloudFormationPolicies(t *testing.T) {
	o := variants()["organization"]
	files, err := Generate("cloudformation", o)
	if err != nil {
		t.Fatal(err)
	}
	central := string(files[0].Content)
	var doc map[string]any
	var node yaml.Node
	if err := yaml.Unmarshal(files[0].Content, &node); err != nil {
		t.Fatal(err)
	}
	doc = plain(node.Content[0]).(map[string]any)
	resources := doc["Resources"].(map[string]any)
	var rules []string
	for id, r := range resources {
		r := r.(map[string]any)
		switch r["Type"] {
		case "AWS::Events::Rule":
			rules = append(rules, id)
			p := r["Properties"].(map[string]any)
			b, _ := json.Marshal(p["EventPattern"])
			var pat map[string]any
			json.Unmarshal(b, &pat)
			ok := false
			for _, s := range EventSources {
				w, _ := json.Marshal(s.Pattern())
				var want map[string]any
				json.Unmarshal(w, &want)
				ok = ok || jsonEqual(pat, want)
			}
			if !ok {
				t.Errorf("rule %s: pattern %s matches no EventSource", id, b)
			}
		case "AWS::SQS::Queue":
			if p := r["Properties"].(map[string]any); p["SqsManagedSseEnabled"] != "true" {
				t.Errorf("queue %s without SSE", id)
			}
		}
	}
	if len(rules) != 2*len(EventSources) {
		t.Errorf("rules %v", rules)
	}
	q := resource(t, central, "Queue")["RedrivePolicy"].(map[string]any)
	if q["deadLetterTargetArn"].(map[string]any)["!GetAtt"] != "DeadLetterQueue.Arn" || q["maxReceiveCount"].(map[string]any)["!Ref"] != "MaxReceiveCount" {
		t.Errorf("redrive policy %v", q)
	}
	st := resource(t, central, "QueuePolicy")["PolicyDocument"].(map[string]any)["Statement"].([]any)
	for _, s := range st {
		s := s.(map[string]any)
		if s["Effect"] != "Allow" {
			continue
		}
		if s["Principal"].(map[string]any)["Service"] != "events.amazonaws.com" || s["Action"] != "sqs:SendMessage" {
			t.Errorf("queue policy allows %v to %v", s["Principal"], s["Action"])
		}
		var named []string
		for _, a := range s["Condition"].(map[string]any)["ArnEquals"].(map[string]any)["aws:SourceArn"].([]any) {
			named = append(named, strings.TrimSuffix(a.(map[string]any)["!GetAtt"].(string), ".Arn"))
		}
		slices.Sort(named)
		slices.Sort(rules)
		if !slices.Equal(named, rules) {
			t.Errorf("queue policy admits %v, the rules are %v", named, rules)
		}
	}
	bus := resource(t, central, "EventBusOrganizationPolicy")["Statement"].(map[string]any)
	if bus["Condition"].(map[string]any)["StringEquals"].(map[string]any)["aws:PrincipalOrgID"] != o.OrganizationID || bus["Action"] != "events:PutEvents" {
		t.Errorf("bus policy %v", bus)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// guard's rights: what fix needs (README's list, minus rollback's), the queue, nothing that deletes, no
// wildcard action, and every resource-scoped right scoped.
func TestGuardPolicyIsLeastPrivilege(t *testing.T) {
	o := variants()["organization"]
	st := GuardStatements(o)
	acts := Actions(st)
	readme, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	// The README's "Permissions fix needs" sentence, up to "; rollback also".
	m := regexp.MustCompile("(?s)Permissions `fix` needs:(.*?); `rollback` also").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README no longer lists the permissions fix needs")
	}
	for _, a := range regexp.MustCompile("`([a-z0-9]+:[A-Za-z]+)`").FindAllStringSubmatch(string(m[1]), -1) {
		if a[1] == "s3:ListBucket" {
			continue // only for --destination s3, which guard does not use
		}
		if !slices.Contains(acts, a[1]) {
			t.Errorf("guard cannot %s, which fix needs", a[1])
		}
	}
	for _, a := range []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sts:AssumeRole", "sns:Publish", "securityhub:BatchImportFindings"} {
		if !slices.Contains(acts, a) {
			t.Errorf("guard cannot %s", a)
		}
	}
	for _, a := range acts {
		if strings.Contains(a, "*") || strings.Contains(a, "Delete") && a != "sqs:DeleteMessage" || strings.HasPrefix(a, "iam:Attach") {
			t.Errorf("guard may %s", a)
		}
	}
	for _, s := range st {
		if slices.Contains(s.Resource, "*") && s.Sid != "ReadLikeScan" {
			t.Errorf("%s: %v on every resource", s.Sid, s.Action)
		}
		for _, a := range s.Action {
			if s.Sid == "ReadLikeScan" && !strings.Contains(a, ":Describe") && a != "sts:GetCallerIdentity" {
				t.Errorf("%s on every resource", a)
			}
		}
	}
	// Without an organization or alerts, those rights are not there.
	plainActs := Actions(GuardStatements(variants()["one-region"]))
	for _, a := range []string{"sts:AssumeRole", "sns:Publish", "securityhub:BatchImportFindings"} {
		if slices.Contains(plainActs, a) {
			t.Errorf("one account without alerts: guard may %s", a)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	base := Defaults()
	base.Regions = []string{"us-east-1"}
	for _, c := range []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"no region", func(o *Options) { o.Regions = nil }, "no region"},
		{"bad region", func(o *Options) { o.Regions = []string{"us-east-1", "mars-1"} }, `region "mars-1"`},
		{"twice", func(o *Options) { o.Regions = []string{"us-east-1", "us-east-1"} }, "given twice"},
		{"queue", func(o *Options) { o.QueueName = "a b" }, "queue name"},
		{"bus", func(o *Options) { o.EventBusName = "default" }, "event bus name"},
		{"receive", func(o *Options) { o.MaxReceiveCount = 0 }, "max receive count"},
		{"visibility", func(o *Options) { o.VisibilityTimeout = 5 }, "visibility timeout"},
		{"org", func(o *Options) { o.OrganizationID = "org-1" }, "organization id"},
		{"member without org", func(o *Options) { o.MemberRoleName = "R" }, "needs the organization id"},
		{"runtime", func(o *Options) { o.Runtime = "k8s" }, "runtime"},
		{"topic", func(o *Options) { o.AlertTopicARN = "arn:aws:sqs:us-east-1:1:x" }, "alert topic"},
		{"injection", func(o *Options) { o.QueueName = "q\n  Evil: x" }, "queue name"},
	} {
		o := base
		c.edit(&o)
		if _, err := Generate("cloudformation", o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Generate("pulumi", base); err == nil {
		t.Error("unknown format: no error")
	}
}
