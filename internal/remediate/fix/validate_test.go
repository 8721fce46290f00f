package fix

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/finding"
)

// FuzzValidateResult: any saved scan (JSON) either is refused or holds only ids that cannot escape a log-group
// name, a path or a terminal: no wildcard, no path step, no control character.
func FuzzValidateResult(f *testing.F) {
	f.Add([]byte(`{"schema":"flowguard.scan/v1","findings":[{"check_id":"x","status":"FAIL","account_id":"111122223333","region":"us-east-1","resource_type":"AWS::EC2::VPC","resource_id":"vpc-0123456789abcdef0"}]}`))
	f.Add([]byte(`{"findings":[{"account_id":"111122223333","region":"eu-central-1","resource_type":"AWS::EC2::VPC","resource_id":"vpc-../../x"}]}`))
	f.Add([]byte(`{"findings":[{"account_id":"111122223333","region":"us-gov-west-1","resource_type":"AWS::EC2::VPC","resource_id":"vpc-01234567","evidence":{"log_groups":[{"name":"/aws/x#y","exists":true,"retention_days":365}],"flow_logs":[{"id":"fl-01234567","resource_id":"subnet-01234567","destination":"arn:aws:s3:::bucket/prefix"}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r finding.Result
		if json.Unmarshal(data, &r) != nil {
			return
		}
		if ValidateResult("fuzz", &r) != nil {
			return
		}
		for _, fd := range r.Findings {
			for _, s := range []string{fd.AccountID, fd.Region} {
				if strings.ContainsAny(s, "*/.\\ \x00\x1b\n") {
					t.Fatalf("accepted %q", s)
				}
			}
			if fd.ResourceType == finding.ResourceVPC && strings.ContainsAny(fd.ResourceID, "*/.\\ \x00\x1b\n") {
				t.Fatalf("accepted VPC id %q", fd.ResourceID)
			}
			for _, lg := range fd.Evidence.LogGroups {
				if strings.ContainsAny(lg.Name, "* \x00\x1b\n") || len(lg.Name) > 512 {
					t.Fatalf("accepted log group %q", lg.Name)
				}
			}
		}
	})
}
