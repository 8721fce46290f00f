package engine

import (
	"testing"

	"github.com/flowguard/flowguard/internal/inventory"
)

func TestSatisfiesFollowsTheStoredCheck(t *testing.T) {
	for _, tc := range []struct {
		f    inventory.FlowLog
		want bool
	}{
		{fl("a", "vpc-1", "ACTIVE", "REJECT", "SUCCESS"), true},
		{fl("a", "vpc-1", "ACTIVE", "ALL", ""), true},
		{fl("a", "subnet-1", "ACTIVE", "ALL", ""), true}, // judged as if it were on a VPC
		{fl("a", "vpc-1", "ACTIVE", "ACCEPT", "SUCCESS"), false},
		{fl("a", "vpc-1", "INACTIVE", "ALL", "SUCCESS"), false},
		{fl("a", "vpc-1", "ACTIVE", "ALL", "FAILED"), false},
	} {
		if got := Satisfies(tc.f); got != tc.want {
			t.Errorf("Satisfies(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}
}
