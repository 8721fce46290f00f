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
	f.Add([]byte(`{"findings":[{"account_id":"111122223333","region":"eu-west-1","resource_type":"AWS::EC2::TransitGateway","resource_id":"tgw-0123456789abcdef0","evidence":{"flow_logs":[{"id":"fl-01234567","resource_id":"tgw-0123456789abcdef0"}],"transit_gateway_attachments":[{"id":"tgw-attach-01234567","flow_logs":[{"id":"fl-89abcdef","resource_id":"tgw-attach-01234567"}]}]}}]}`))
	f.Add([]byte(`{"findings":[{"account_id":"111122223333","region":"eu-west-1","resource_type":"AWS::EC2::TransitGateway","resource_id":"tgw-../x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r finding.Result
		if json.Unmarshal(data, &r) != nil {
			return
		}
		if ValidateResult("fuzz", &r) != nil {
			return
		}
		for _, fd := range r.Findings {
			if fd.ResourceType == ResourceTransitGateway && strings.ContainsAny(fd.ResourceID, "*/.\\ \x00\x1b\n") {
				t.Fatalf("accepted Transit Gateway id %q", fd.ResourceID)
			}
			for _, a := range fd.Evidence.TransitGatewayAttachments {
				if strings.ContainsAny(a.ID, "*/.\\ \x00\x1b\n") {
					t.Fatalf("accepted attachment id %q", a.ID)
				}
			}
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

// Transit Gateway findings from a saved scan: their ids, and those of their attachments and flow logs, are
// checked like VPC ones before anything reaches a log-group name or an API call.
func TestValidateTransitGatewayFindings(t *testing.T) {
	ok := finding.Finding{AccountID: "111122223333", Region: "eu-west-1", ResourceType: ResourceTransitGateway, ResourceID: "tgw-0123456789abcdef0",
		Evidence: finding.Evidence{TransitGatewayAttachments: []finding.AttachmentEvidence{{ID: "tgw-attach-01234567",
			FlowLogs: []finding.FlowLogEvidence{{ID: "fl-01234567", ResourceID: "tgw-attach-01234567"}}}}}}
	if err := ValidateResult("scan.json", &finding.Result{Findings: []finding.Finding{ok}}); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(*finding.Finding){
		"id":            func(f *finding.Finding) { f.ResourceID = "tgw-../../x" },
		"no region":     func(f *finding.Finding) { f.Region = "" },
		"attachment":    func(f *finding.Finding) { f.Evidence.TransitGatewayAttachments[0].ID = "tgw-attach-*" },
		"flow log":      func(f *finding.Finding) { f.Evidence.TransitGatewayAttachments[0].FlowLogs[0].ID = "fl-\x1b" },
		"flow resource": func(f *finding.Finding) { f.Evidence.TransitGatewayAttachments[0].FlowLogs[0].ResourceID = "x/y" },
	} {
		f := ok
		f.Evidence.TransitGatewayAttachments = []finding.AttachmentEvidence{{ID: "tgw-attach-01234567",
			FlowLogs: []finding.FlowLogEvidence{{ID: "fl-01234567", ResourceID: "tgw-attach-01234567"}}}}
		mut(&f)
		if err := ValidateResult("scan.json", &finding.Result{Findings: []finding.Finding{f}}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
