package awsapi

import "testing"

func TestLogGroupFromARN(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vpc-flow-logs/a":   "/aws/vpc-flow-logs/a",
		"arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vpc-flow-logs/a:*": "/aws/vpc-flow-logs/a",
		"arn:aws-cn:logs:cn-north-1:111122223333:log-group:g:x":                "g:x",
		"arn:aws:s3:::bucket": "",
		"":                    "",
	} {
		if got := logGroupFromARN(arn); got != want {
			t.Errorf("logGroupFromARN(%q) = %q, want %q", arn, got, want)
		}
	}
}

func TestCommonPrefix(t *testing.T) {
	if got := commonPrefix([]string{"/aws/vpc-flow-logs/a", "/aws/vpc-flow-logs/b"}); got != "/aws/vpc-flow-logs/" {
		t.Errorf("got %q", got)
	}
	if got := commonPrefix([]string{"a", "b"}); got != "" {
		t.Errorf("got %q", got)
	}
}
