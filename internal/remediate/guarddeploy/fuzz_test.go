package guarddeploy

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"go.yaml.in/yaml/v3"
)

// FuzzGenerate: whatever names the flags give, Generate refuses them or renders documents that parse, with
// exactly the resources it means to declare (a name cannot inject YAML keys or HCL blocks).
func FuzzGenerate(f *testing.F) {
	f.Add("flowguard-guard", "flowguard-guard", "o-a1b2c3d4e5", "FlowguardGuard", "/aws/vpc-flow-logs", "us-east-1")
	f.Add("q\n  Evil: 1", "b\"}", "o-", "r\nx", "/x\"y", "eu-west-1\n")
	f.Add("q", "b", "", "", "/a/${AWS::AccountId}", "us-east-1")
	f.Fuzz(func(t *testing.T, queue, bus, org, member, prefix, region string) {
		o := Defaults()
		o.QueueName, o.EventBusName, o.OrganizationID, o.MemberRoleName, o.LogGroupPrefix = queue, bus, org, member, prefix
		o.Regions = []string{region, "eu-north-1"}
		for _, format := range Formats {
			files, err := Generate(format, o)
			if err != nil {
				continue
			}
			for _, fl := range files {
				switch format {
				case "cloudformation":
					var doc struct {
						Resources map[string]struct {
							Type string `yaml:"Type"`
						} `yaml:"Resources"`
					}
					if err := yaml.Unmarshal(fl.Content, &doc); err != nil {
						t.Fatalf("%s does not parse: %v", fl.Path, err)
					}
					for id, r := range doc.Resources {
						if r.Type == "" {
							t.Fatalf("%s: resource %s without a type", fl.Path, id)
						}
					}
				case "terraform":
					if _, diags := hclsyntax.ParseConfig(fl.Content, fl.Path, hcl.InitialPos); diags.HasErrors() {
						t.Fatalf("%s does not parse: %v", fl.Path, diags)
					}
				}
			}
		}
	})
}
