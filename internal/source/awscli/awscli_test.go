package awscli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/inventory"
)

const (
	vpcsJSON = `{"Vpcs": [{"VpcId": "vpc-1", "OwnerId": "111111111111", "CidrBlock": "10.0.0.0/16", "State": "available",
  "IsDefault": false, "Tags": [{"Key": "Name", "Value": "main"}]}]}`
	flowLogsJSON = `{"FlowLogs": [{"FlowLogId": "fl-1", "ResourceId": "vpc-1", "FlowLogStatus": "ACTIVE", "TrafficType": "ALL",
  "LogDestinationType": "s3", "LogDestination": "arn:aws:s3:::bucket/prefix", "DeliverLogsStatus": "SUCCESS",
  "CreationTime": "2026-11-01T10:00:00.000000+00:00", "MaxAggregationInterval": 600,
  "DestinationOptions": {"FileFormat": "parquet", "HiveCompatiblePartitions": true, "PerHourPartition": false}},
  {"FlowLogId": "fl-2", "ResourceId": "vpc-1", "FlowLogStatus": "ACTIVE", "TrafficType": "REJECT",
  "LogGroupName": "/flow", "DeliverLogsStatus": "FAILED", "DeliverLogsErrorMessage": "Access error"}]}`
	logGroupsJSON = `{"logGroups": [{"logGroupName": "/flow", "arn": "arn:aws:logs:eu-west-1:111111111111:log-group:/flow:*",
  "creationTime": 1762000000000, "storedBytes": 5}, {"logGroupName": "/kept", "retentionInDays": 400}]}`
	identityJSON = `{"UserId": "AIDA", "Account": "222222222222", "Arn": "arn:aws:iam::222222222222:user/auditor"}`
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func scopes(s *inventory.Snapshot) []string {
	var out []string
	for _, r := range s.Regions {
		var missing []string
		for _, e := range r.Errors {
			missing = append(missing, string(e.Collection))
		}
		out = append(out, r.AccountID+"/"+r.Name+" missing="+strings.Join(missing, ","))
	}
	return out
}

func TestNamingConventions(t *testing.T) {
	all := "missing=subnets,network_interfaces,internet_gateways"
	tests := []struct {
		name  string
		files map[string]string
		opts  Options
		want  []string
	}{
		{"region directory, account from VPC owner",
			map[string]string{"eu-west-1/a.json": vpcsJSON, "eu-west-1/b.json": flowLogsJSON, "eu-west-1/c.json": logGroupsJSON},
			Options{}, []string{"111111111111/eu-west-1 " + all}},
		{"region in the file name, account from identity",
			map[string]string{"vpcs.us-east-2.json": vpcsJSON, "describe-flow-logs_us-east-2.json": flowLogsJSON, "identity.json": identityJSON},
			Options{}, []string{"222222222222/us-east-2 missing=log_groups,subnets,network_interfaces,internet_gateways"}},
		{"dash-suffixed region, --account",
			map[string]string{"describe-vpcs-ap-southeast-2.json": vpcsJSON},
			Options{AccountID: "333333333333"}, []string{"333333333333/ap-southeast-2 missing=flow_logs,log_groups,subnets,network_interfaces,internet_gateways"}},
		{"--region for unnamed files, account directories",
			map[string]string{"444444444444/vpcs.json": vpcsJSON, "555555555555/vpcs.json": vpcsJSON, "555555555555/eu-central-1/vpcs.json": vpcsJSON},
			Options{Region: "us-west-2"}, []string{
				"444444444444/us-west-2 missing=flow_logs,log_groups,subnets,network_interfaces,internet_gateways",
				"555555555555/eu-central-1 missing=flow_logs,log_groups,subnets,network_interfaces,internet_gateways",
				"555555555555/us-west-2 missing=flow_logs,log_groups,subnets,network_interfaces,internet_gateways"}},
		{"GovCloud and unrelated JSON ignored",
			map[string]string{"us-gov-west-1/vpcs.json": vpcsJSON, "notes.json": `{"hello": 1}`, "list.json": `[1,2]`, "readme.txt": "x"},
			Options{}, []string{"111111111111/us-gov-west-1 missing=flow_logs,log_groups,subnets,network_interfaces,internet_gateways"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snap, err := Load(writeFiles(t, tc.files), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, scopes(snap)); diff != "" {
				t.Errorf("scopes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodedFields(t *testing.T) {
	snap, err := Load(writeFiles(t, map[string]string{"eu-west-1/a.json": vpcsJSON, "eu-west-1/b.json": flowLogsJSON,
		"eu-west-1/c.json": logGroupsJSON, "eu-west-1/again.json": vpcsJSON}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := snap.Regions[0]
	if len(r.VPCs) != 1 || r.VPCs[0].Name() != "main" || r.Partition != "aws" {
		t.Errorf("VPCs (a file given twice is read once) = %+v", r.VPCs)
	}
	s3, cw := r.FlowLogs[0], r.FlowLogs[1]
	if s3.BucketName() != "bucket" || s3.FileFormat != "parquet" || !s3.HiveCompatiblePartitions || s3.MaxAggregationInterval != 600 ||
		s3.CreatedAt == nil || s3.CreatedAt.Format("2006-01-02") != "2026-11-01" || s3.ResourceType != "VPC" {
		t.Errorf("S3 flow log = %+v", s3)
	}
	if cw.DestinationType != inventory.DestinationCloudWatchLogs || cw.DeliverLogsStatus != "FAILED" || cw.DeliverLogsError != "Access error" {
		t.Errorf("CloudWatch flow log = %+v", cw)
	}
	if g := r.LogGroups[0]; g.RetentionDays != nil || g.ARN != "arn:aws:logs:eu-west-1:111111111111:log-group:/flow" || g.CreatedAt == nil {
		t.Errorf("never-expire log group = %+v", g)
	}
	if g := r.LogGroups[1]; g.RetentionDays == nil || *g.RetentionDays != 400 {
		t.Errorf("log group = %+v", g)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		opts  Options
		want  string
	}{
		{"no region", map[string]string{"vpcs.json": vpcsJSON}, Options{}, "vpcs.json: cannot tell the region"},
		{"no account", map[string]string{"us-east-1/vpcs.json": `{"Vpcs": [{"VpcId": "vpc-1", "OwnerId": "1"}, {"VpcId": "vpc-2", "OwnerId": "2"}]}`}, Options{}, "cannot tell the account"},
		{"syntax error with line", map[string]string{"us-east-1/vpcs.json": "{\n \"Vpcs\": [\n  {,\n"}, Options{}, "us-east-1/vpcs.json:3:"},
		{"wrong shape", map[string]string{"us-east-1/vpcs.json": `{"Vpcs": {"VpcId": 1}}`}, Options{AccountID: "111111111111"}, "aws ec2 describe-vpcs output"},
		{"flow log without id", map[string]string{"us-east-1/f.json": `{"FlowLogs": [{"ResourceId": "vpc-1"}]}`}, Options{AccountID: "111111111111"}, "without FlowLogId"},
		{"bad identity", map[string]string{"id.json": `{"Account": "x", "Arn": "y"}`, "us-east-1/v.json": vpcsJSON}, Options{}, "without a 12-digit Account"},
		{"empty dir", map[string]string{"x.txt": "hi"}, Options{}, "no AWS CLI JSON found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeFiles(t, tc.files), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "nope"), Options{}); err == nil {
		t.Error("a missing directory loaded")
	}
}

func TestTruncatedOutputIsNotRead(t *testing.T) {
	truncated := `{"FlowLogs": [{"FlowLogId": "fl-1", "ResourceId": "vpc-1"}], "NextToken": "abc"}`
	snap, err := Load(writeFiles(t, map[string]string{"us-east-1/v.json": vpcsJSON, "us-east-1/f.json": truncated}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	e, ok := snap.Regions[0].ErrorFor(inventory.CollFlowLogs)
	if !ok || e.Code != "Truncated" || !strings.Contains(e.Message, "NextToken") {
		t.Errorf("truncated flow logs: %v %v", e, ok)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{vpcsJSON, flowLogsJSON, logGroupsJSON, identityJSON,
		`{"Subnets": [{"SubnetId": "s", "VpcId": "v"}]}`, `{"NetworkInterfaces": [{}]}`,
		`{"InternetGateways": [{"InternetGatewayId": "igw", "Attachments": [{"VpcId": "v"}]}]}`,
		`{"FlowLogs": [{"FlowLogId": "f", "ResourceId": "r", "CreationTime": "x"}]}`, `{"Vpcs": null}`, "{",
		tgwsJSON, tgwAttsJSON, `{"TransitGateways": [{}]}`, `{"TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "a"}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, ok, err := classify("us-east-1/x.json", data)
		if err != nil || !ok || fl.kind == kindIdentity {
			return
		}
		r := &inventory.Region{AccountID: "111111111111", Name: "us-east-1"}
		if decodeInto(r, fl) == nil {
			for _, v := range r.VPCs {
				if v.ID == "" {
					t.Fatal("VPC without id accepted")
				}
			}
			for _, x := range r.FlowLogs {
				if x.ID == "" || x.ResourceID == "" {
					t.Fatal("flow log without id accepted")
				}
			}
		}
	})
}
