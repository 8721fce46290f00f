package cloudformation

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/source/iac/iactest"
)

// TestRead reads each fixture template and compares what it declares with testdata/golden/<file>.json.
func TestRead(t *testing.T) {
	cases := []struct{ file, why string }{
		{"short.yaml", "short-form !Ref, !Sub, !GetAtt (scalar and list forms), trust policy with conditions"},
		{"long.json", "JSON template with tabs, long-form Ref/Fn::Join/Fn::GetAtt, role trusting ec2.amazonaws.com, generated log group name"},
		{"conditions.yaml", "conditions: unknown parameter, true condition, !If, !ImportValue, retention from a parameter without default"},
		{"subnet.yaml", "a flow log on a subnet only, long-form Ref, Fn::Sub of a bucket name"},
		{"nested.yaml", "a nested stack given the VPC: it may create the flow log"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			p := filepath.Join("testdata", c.file)
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			u, err := Read(p, src, false)
			if err != nil {
				t.Fatal(err)
			}
			iactest.Golden(t, u, filepath.Join("testdata", "golden", strings.TrimSuffix(c.file, filepath.Ext(c.file))+".json"), fmt.Sprintf("%s (%s)", c.file, c.why))
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"Resources:\n  A:\n    Type: AWS::EC2::VPC\n   bad: [\n", "t.yaml:"},
		{"Resources: []\n", "t.yaml:1: Resources is not a mapping"},
		{"AWSTemplateFormatVersion: x\n", "t.yaml:1: no Resources section"},
		{"Resources:\n  A:\n    Properties: {}\n", "t.yaml:2: resource A has no Type"},
		{"- a\n", "t.yaml:1: template is not a mapping"},
		{"", "t.yaml: empty template"},
	}
	for _, c := range cases {
		_, err := Read("t.yaml", []byte(c.src), false)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("Read(%q) error = %v, want prefix %q", c.src, err, c.want)
		}
	}
}

// FuzzRead feeds malformed templates to the reader: it must return a unit or an error, never panic.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"short.yaml", "long.json", "conditions.yaml", "subnet.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("Resources:\n  A: &a\n    Type: AWS::EC2::FlowLog\n    Properties:\n      ResourceId: !Sub [\"${X}\", {X: *a}]\n"))
	f.Add([]byte("Conditions:\n  C: !Condition C\nResources:\n  V:\n    Type: AWS::EC2::VPC\n    Condition: C\n"))
	f.Add([]byte("Resources:\n  L:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: !GetAtt L.Arn\n"))
	f.Add([]byte("{\"Resources\": {\"F\": {\"Type\": \"AWS::EC2::FlowLog\", \"Properties\": {\"ResourceId\": {\"Fn::Select\": [\"9\", []]}, \"ResourceType\": {\"Fn::If\": [\"x\"]}}}}}"))
	f.Add([]byte("a: &a [*a]\nResources: *a\n"))
	f.Add([]byte("Transform: [AWS::Include, {Name: X}]\nResources:\n  V:\n    Type: AWS::EC2::VPC\n"))
	f.Add([]byte("Resources:\n  G:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      RetentionInDays: -5\n  H:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      RetentionInDays: [abc]\n"))
	f.Add([]byte("Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties:\n      Tags: [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]\n"))
	f.Add([]byte("Resources:\n  S:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: file:///etc/passwd\n      Parameters: {V: !Ref V}\n  V:\n    Type: AWS::EC2::VPC\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		u, err := Read("fuzz.yaml", src, false)
		if err == nil && u == nil {
			t.Fatal("nil unit without error")
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.yaml") {
			t.Fatalf("error without file name: %v", err)
		}
	})
}
