package fix

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/finding"
)

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Settings)
		wantErr string
	}{
		{"defaults", func(*Settings) {}, ""},
		{"all traffic lower case", func(s *Settings) { s.TrafficType = "all" }, ""},
		{"accept only", func(s *Settings) { s.TrafficType = "ACCEPT" }, "want REJECT or ALL"},
		{"s3 without bucket", func(s *Settings) { s.Destination = "s3" }, "needs --s3-bucket-arn"},
		{"s3 bucket per region", func(s *Settings) { s.Destination, s.S3BucketARN = "s3", "arn:aws:s3:::logs-{region}/vpc" }, ""},
		{"s3 bad placeholder", func(s *Settings) { s.Destination, s.S3BucketARN = "s3", "arn:aws:s3:::logs-{team}" }, "unknown placeholder"},
		{"s3 bad format", func(s *Settings) { s.Destination, s.S3BucketARN, s.FileFormat = "s3", "arn:aws:s3:::b", "orc" }, "plain-text or parquet"},
		{"parquet to cloudwatch", func(s *Settings) { s.FileFormat = "parquet" }, "need --destination s3"},
		{"bucket to cloudwatch", func(s *Settings) { s.S3BucketARN = "arn:aws:s3:::b" }, "needs --destination s3"},
		{"firehose", func(s *Settings) { s.Destination = "kinesis-data-firehose" }, "cloud-watch-logs or s3"},
		{"retention 366", func(s *Settings) { s.RetentionDays = 366 }, "CloudWatch Logs accepts"},
		{"aggregation 300", func(s *Settings) { s.MaxAggregationInterval = 300 }, "60 or 600"},
		{"template placeholder", func(s *Settings) { s.LogGroupTemplate = "/vpc/{vpc}" }, "unknown placeholder"},
		{"template chars", func(s *Settings) { s.LogGroupTemplate = "/vpc flow/{vpc-id}" }, "log group name"},
		{"reserved tag", func(s *Settings) { s.Tags = map[string]string{"flowguard:run-id": "x"} }, "reserved"},
		{"aws tag", func(s *Settings) { s.Tags = map[string]string{"AWS:x": "y"} }, "reserved"},
		{"prod tag", func(s *Settings) { s.PriorityTag = "Environment" }, "KEY=GLOB"},
		{"role arn", func(s *Settings) { s.RoleARN = "flowlogs" }, "--delivery-role-arn"},
		{"bad log format", func(s *Settings) { s.LogFormat = "${version} ${nope}" }, `unknown field "nope"`},
		{"negative batch", func(s *Settings) { s.BatchSize = -1 }, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSettings()
			tt.edit(&s)
			err := s.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestTargetsFromResultOrderAndSkips(t *testing.T) {
	fail := func(region, vpc string, exposed bool, tags map[string]string) finding.Finding {
		return finding.Finding{CheckID: CheckEnabled, Status: finding.StatusFail, Reason: finding.ReasonNoFlowLog, AccountID: "111122223333",
			Region: region, ResourceType: finding.ResourceVPC, ResourceID: vpc, Evidence: finding.Evidence{InternetExposed: aws.Bool(exposed), Tags: tags}}
	}
	r := &finding.Result{Findings: []finding.Finding{
		fail("us-east-1", "vpc-a", false, nil),
		fail("eu-west-1", "vpc-b", false, map[string]string{"environment": "PRODUCTION"}),
		fail("us-east-1", "vpc-c", true, nil),
		fail("us-west-2", "vpc-d", true, map[string]string{"Environment": "prod"}),
		{CheckID: CheckEnabled, Status: finding.StatusError, Reason: finding.ReasonReadFailed, AccountID: "111122223333", Region: "ap-south-1", ResourceType: finding.ResourceVPC, ResourceID: "vpc-e"},
		{CheckID: CheckEnabled, Status: finding.StatusPass, AccountID: "111122223333", Region: "us-east-1", ResourceType: finding.ResourceVPC, ResourceID: "vpc-f"},
		{CheckID: CheckRetention, Status: finding.StatusFail, Reason: finding.ReasonRetentionTooShort, AccountID: "111122223333", Region: "us-east-1",
			ResourceType: finding.ResourceVPC, ResourceID: "vpc-f", Evidence: finding.Evidence{LogGroups: []finding.LogGroupEvidence{{Name: "g", Exists: true, RetentionDays: aws.Int32(30)}}}},
	}}
	s := DefaultSettings()
	s.BatchSize = 2
	ts, skipped := TargetsFromResult(r, s)
	var got []string
	for _, t := range ts {
		got = append(got, t.VPCID)
	}
	// exposed+prod, exposed, prod, then the rest; vpc-f only has retention to fix.
	if d := cmp.Diff([]string{"vpc-d", "vpc-c", "vpc-b", "vpc-a", "vpc-f"}, got); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}
	if ts[0].Batch != 1 || ts[2].Batch != 2 || ts[4].Batch != 3 {
		t.Errorf("batches: %+v", ts)
	}
	if len(skipped) != 1 || skipped[0].VPCID != "vpc-e" || !strings.Contains(skipped[0].Reason, "ERROR") {
		t.Errorf("skipped = %+v", skipped)
	}
	if ts[4].NeedsFlowLog || !cmp.Equal(ts[4].ShortRetention, []string{"g"}) {
		t.Errorf("retention target = %+v", ts[4])
	}
}
