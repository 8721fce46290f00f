package terraform

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/source/iac/iactest"
)

// testdata/plan.json is real `terraform show -json` output (Terraform 1.11, AWS provider 5.100) of a
// configuration with counted VPCs and flow logs, a VPC in a local module reached through its output, a
// log group and a delivery role: every id is "known after apply", so the references decide the links.
func TestReadPlan(t *testing.T) {
	for _, file := range []string{"testdata/plan.json", "testdata/plan-compact.json"} {
		t.Run(file, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !LooksLikePlan(src) {
				t.Fatal("LooksLikePlan = false")
			}
			u, err := ReadPlan(file, src, false)
			if err != nil {
				t.Fatal(err)
			}
			got := iactest.Summarize(u)
			// Line numbers differ between the indented and the compact (one-line) file; compare without them.
			strip := func(l []string) []string {
				out := make([]string, len(l))
				for i, s := range l {
					if j := strings.Index(s, " @"); j >= 0 {
						s = s[:j]
					}
					out[i] = s
				}
				return out
			}
			want := iactest.Summary{
				Region: "eu-west-1",
				VPCs:   []string{"aws_vpc.app[0]", "aws_vpc.app[1]", "module.net.aws_vpc.this"},
				FlowLogs: []string{
					"aws_flow_log.app[0] -> VPC:aws_vpc.app[0] ALL cloud-watch-logs lg=/vpc/flow-logs",
					"aws_flow_log.app[1] -> VPC:aws_vpc.app[1] ACCEPT cloud-watch-logs lg=/vpc/flow-logs",
					"aws_flow_log.net -> VPC:module.net.aws_vpc.this REJECT s3 dest=arn:aws:s3:::central-flow-logs",
				},
				LogGroups: []string{"/vpc/flow-logs retention=365"},
				Subnets:   []string{"module.net.aws_subnet.a vpc=module.net.aws_vpc.this"},
				Notes:     nil,
			}
			got.VPCs, got.FlowLogs, got.LogGroups = strip(got.VPCs), strip(got.FlowLogs), strip(got.LogGroups)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("-want +got:\n%s", d)
			}
			if file == "testdata/plan.json" && u.Region.VPCs[0].Location.Line < 10 {
				t.Errorf("VPC location %+v: want the line of its address in the indented plan", u.Region.VPCs[0].Location)
			}
		})
	}
}

func TestReadPlanErrors(t *testing.T) {
	_, err := ReadPlan("p.json", []byte("{\n\"format_version\": \"1.2\",\n\"planned_values\": [\n}"), false)
	if err == nil || !strings.HasPrefix(err.Error(), "p.json:4: ") {
		t.Errorf("syntax error = %v, want p.json:4", err)
	}
	_, err = ReadPlan("p.json", []byte(`{"format_version": "1.2"}`), false)
	if err == nil || !strings.Contains(err.Error(), "not the output of terraform show -json") {
		t.Errorf("no values: %v", err)
	}
}

// FuzzReadPlan: malformed plan JSON gives an error naming the file, never a panic.
func FuzzReadPlan(f *testing.F) {
	src, err := os.ReadFile("testdata/plan-compact.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(src)
	f.Add([]byte(`{"format_version":"1","planned_values":{"root_module":{"resources":[{"address":"module.a[\"x.y\"].aws_flow_log.f","mode":"managed","type":"aws_flow_log","values":{"vpc_id":null}}]}},"configuration":{"root_module":{"module_calls":{"a":{"module":{"resources":[{"address":"aws_flow_log.f","expressions":{"vpc_id":{"references":["var.v"]}}}]}}}}}}`))
	f.Add([]byte(`{"format_version":"1","planned_values":{"root_module":{}},"configuration":{"root_module":{"module_calls":{"a":{"source":"../../../../../../etc","module":{}}}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		// In a temporary directory: the .tf files read for locations are only ever beside the plan.
		file := filepath.Join(t.TempDir(), "fuzz.json")
		u, err := ReadPlan(file, b, false)
		if err == nil && u == nil {
			t.Fatal("nil unit without error")
		}
		if err != nil && !strings.HasPrefix(err.Error(), file+":") {
			t.Fatalf("error without file: %v", err)
		}
		var v any
		_ = json.Unmarshal(b, &v)
	})
}

// TestPlanLocationsPointAtSource: a plan beside its configuration gets the .tf lines of its resources, also
// inside local modules, so code scanning annotates the Terraform, not the plan.
func TestPlanLocationsPointAtSource(t *testing.T) {
	src, err := os.ReadFile("testdata/planwithsource/plan.json")
	if err != nil {
		t.Fatal(err)
	}
	u, err := ReadPlan("testdata/planwithsource/plan.json", src, false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range u.Region.VPCs {
		got[v.Location.Address] = fmt.Sprintf("%s:%d", v.Location.File, v.Location.Line)
	}
	want := map[string]string{
		"aws_vpc.app[0]":          "testdata/planwithsource/main.tf:24",
		"aws_vpc.app[1]":          "testdata/planwithsource/main.tf:24",
		"module.net.aws_vpc.this": "testdata/planwithsource/modules/net/main.tf:3",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
}
