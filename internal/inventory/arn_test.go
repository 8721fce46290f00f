package inventory

import "testing"

func TestLogGroupFromARN(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vpc-flow-logs/a":        "/aws/vpc-flow-logs/a",
		"arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vpc-flow-logs/a:*":      "/aws/vpc-flow-logs/a",
		"arn:aws-cn:logs:cn-north-1:111122223333:log-group:g#1.x_y-z":               "g#1.x_y-z",
		"arn:aws:logs:eu-west-1:iac:log-group:declared":                             "declared",
		"arn:aws:logs:-:iac:log-group:/aws/vpc-flow-log/module.vpc.aws_vpc.this[0]": "/aws/vpc-flow-log/module.vpc.aws_vpc.this[0]",
		"arn:aws-cn:logs:cn-north-1:111122223333:log-group:g:x":                     "", // ':' is not allowed in a name
		"arn:aws:logs:eu-west-1:111122223333:log-group:":                            "",
		"arn:aws:logs:eu-west-1:111122223333:log-group:a b":                         "",
		"arn:aws:logs:eu-west-1:111122223333:log-group:a\x1b[31m":                   "",
		"arn:aws:s3:::bucket":                                         "",
		"arn:aws:s3:::bucket/x:log-group:g":                           "",
		"arn:aws:ec2:eu-west-1:111122223333:log-group:g":              "",
		"xarn:aws:logs:eu-west-1:111122223333:log-group:g":            "",
		"arn:aws:logs:eu-west-1:111122223333:destination:log-group:g": "",
		"": "",
	} {
		if got := LogGroupFromARN(arn); got != want {
			t.Errorf("LogGroupFromARN(%q) = %q, want %q", arn, got, want)
		}
	}
	long := make([]byte, 513)
	for i := range long {
		long[i] = 'a'
	}
	if got := LogGroupFromARN("arn:aws:logs:eu-west-1:111122223333:log-group:" + string(long)); got != "" {
		t.Errorf("a 513-character name was accepted")
	}
}
