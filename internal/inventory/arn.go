package inventory

import "strings"

// LogGroupFromARN returns NAME of arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME[:*], or "" when arn is not
// a log-group ARN: another service or resource type, or a NAME that is empty, longer than 512 bytes, or holds
// a colon, a space or a control character. It is the one parser of log-group ARNs: the live reader, the AWS
// CLI reader, the IaC readers and fix all use it, so a destination means the same group everywhere. The
// account is not checked for 12 digits and NAME not for CloudWatch's character set (ValidLogGroupName): IaC
// inventories name groups after resource addresses ("…/module.vpc.aws_vpc.this[0]") in the account "iac".
func LogGroupFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "logs" ||
		parts[5] != "log-group" {
		return ""
	}
	name := strings.TrimSuffix(parts[6], ":*")
	if name == "" || len(name) > 512 || strings.ContainsFunc(name, func(r rune) bool { return r == ':' || r <= ' ' || r == 0x7f }) {
		return ""
	}
	return name
}

// ValidLogGroupName reports whether name follows CloudWatch Logs' rule: 1 to 512 of A-Z a-z 0-9 _ - / . #.
func ValidLogGroupName(name string) bool {
	if len(name) == 0 || len(name) > 512 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_', c == '-', c == '/', c == '.', c == '#':
		default:
			return false
		}
	}
	return true
}
