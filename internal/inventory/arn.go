package inventory

import "strings"

// LogGroupFromARN returns NAME of arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME[:*], or "" when arn is not
// a log-group ARN or NAME breaks CloudWatch Logs' rule (1 to 512 of A-Z a-z 0-9 _ - / . #). It is the one
// parser of log-group ARNs: the live reader, the AWS CLI reader, the IaC readers and fix all use it, so a
// destination means the same group everywhere. The account field is not checked for 12 digits: IaC
// inventories use the account "iac".
func LogGroupFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "logs" ||
		parts[5] != "log-group" {
		return ""
	}
	name := strings.TrimSuffix(parts[6], ":*")
	if !ValidLogGroupName(name) {
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
