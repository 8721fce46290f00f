package awsapi

import "testing"

func TestCommonPrefix(t *testing.T) {
	if got := commonPrefix([]string{"/aws/vpc-flow-logs/a", "/aws/vpc-flow-logs/b"}); got != "/aws/vpc-flow-logs/" {
		t.Errorf("got %q", got)
	}
	if got := commonPrefix([]string{"a", "b"}); got != "" {
		t.Errorf("got %q", got)
	}
}
