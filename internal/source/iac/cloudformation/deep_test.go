package cloudformation

import (
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/source/iac"
)

// TestDeepTemplatesAreErrors: templates nested past yaml.v3's depth limit (10,000), and templates over the
// size cap, are errors with file:line (or file), never a stack overflow or an unbounded read.

func TestDeepTemplatesAreErrors(t *testing.T) {
	const n = 100000
	for _, c := range []struct{ name, src string }{
		{"yaml flow", "AWSTemplateFormatVersion: x\nResources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties:\n      Tags: " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n"},
		{"json", "{\"AWSTemplateFormatVersion\": \"x\",\n\"Resources\": {\"V\": {\"Type\": \"AWS::EC2::VPC\", \"Properties\": {\"Tags\": " + strings.Repeat("[", n) + strings.Repeat("]", n) + "}}}}\n"},
		{"yaml block", "AWSTemplateFormatVersion: x\nResources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties:\n      Tags:\n" + strings.Repeat("- ", n) + "x\n"},
		{"too large", "AWSTemplateFormatVersion: x\nResources: {}\n#" + strings.Repeat("x", iac.MaxSourceSize) + "\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read("t.yaml", []byte(c.src), false)
			if err == nil || !strings.Contains(err.Error(), "t.yaml:") {
				t.Fatalf("err = %v, want an error with file:line", err)
			}
		})
	}
}
