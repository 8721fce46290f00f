package awsapi

import (
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/layout"
)

func TestParseStreamName(t *testing.T) {
	for name, want := range map[string]string{
		"eni-0a1b2c3d4e5f67890":        "eni-0a1b2c3d4e5f67890",
		"eni-0a1b2c3d4e5f67890-all":    "eni-0a1b2c3d4e5f67890",
		"eni-1a2b3c4d-accept":          "eni-1a2b3c4d",
		"eni-1a2b3c4d-reject":          "eni-1a2b3c4d",
		"eni-1a2b3c4d-other":           "",
		"tgw-attach-0123456789abcdef0": "",
		"eni-XYZ":                      "",
		"prefix/eni-1a2b3c4d-all":      "",
		"":                             "",
	} {
		got, ok := ParseStreamName(name)
		if got != want || ok != (want != "") {
			t.Errorf("ParseStreamName(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

// The object names flowguard parses are the names the layout package writes (the documented format).
func TestObjectFlowLog(t *testing.T) {
	at := time.Date(2026, 11, 27, 16, 20, 0, 0, time.UTC)
	for _, o := range []layout.Options{{}, {Parquet: true}, {Hive: true, PerHour: true}} {
		key := layout.Key("p/", "123456789012", "eu-west-1", "fl-1234567890abcdef0", at, "6a2f3b1c", o)
		name := key[strings.LastIndexByte(key, '/')+1:]
		acct, region, id, ts, ok := ObjectFlowLog(name)
		if !ok || acct != "123456789012" || region != "eu-west-1" || id != "fl-1234567890abcdef0" || !ts.Equal(at) {
			t.Errorf("%s: %q %q %q %v %v", name, acct, region, id, ts, ok)
		}
	}
	for _, bad := range []string{"", "x.log.gz", "123456789012_vpcflowlogs_eu-west-1_fl-1234567890abcdef0_20261327T1620Z_ab.log.gz",
		"123456789012_vpcflowlogs_eu-west-1_fl-1234567890abcdef0_20261127T1620Z_ab.txt"} {
		if _, _, _, _, ok := ObjectFlowLog(bad); ok {
			t.Errorf("ObjectFlowLog(%q) accepted", bad)
		}
	}
}

func TestS3Destination(t *testing.T) {
	for arn, want := range map[string][2]string{
		"arn:aws:s3:::bucket":            {"bucket", ""},
		"arn:aws:s3:::bucket/":           {"bucket", ""},
		"arn:aws:s3:::bucket/team":       {"bucket", "team/"},
		"arn:aws:s3:::bucket/team/x/":    {"bucket", "team/x/"},
		"arn:aws-cn:s3:::b/p":            {"b", "p/"},
		"arn:aws:logs:eu-west-1:1:x":     {"", ""},
		"not an arn":                     {"", ""},
		"arn:aws:s3:::":                  {"", ""},
		"arn:aws:firehose:eu-west-1:1:x": {"", ""},
	} {
		b, p := S3Destination(arn)
		if b != want[0] || p != want[1] {
			t.Errorf("S3Destination(%q) = %q, %q; want %q", arn, b, p, want)
		}
	}
}

func TestFirehoseStream(t *testing.T) {
	name, region, ok := firehoseStream("arn:aws:firehose:eu-west-1:123456789012:deliverystream/flow-logs")
	if !ok || name != "flow-logs" || region != "eu-west-1" {
		t.Errorf("got %q %q %v", name, region, ok)
	}
	for _, bad := range []string{"", "arn:aws:firehose:eu-west-1:1:deliverystream/", "arn:aws:s3:::b", "arn:aws:firehose::1:deliverystream/x"} {
		if _, _, ok := firehoseStream(bad); ok {
			t.Errorf("firehoseStream(%q) accepted", bad)
		}
	}
}

// FuzzDeliveryNames: stream names, object names and destination ARNs come from AWS answers and other
// people's buckets: whatever they hold, the parsers neither panic nor return what they did not find.
func FuzzDeliveryNames(f *testing.F) {
	f.Add("eni-0a1b2c3d4e5f67890-all")
	f.Add("123456789012_vpcflowlogs_eu-west-1_fl-1234567890abcdef0_20261127T1620Z_6a2f3b1c.log.gz")
	f.Add("arn:aws:s3:::bucket/prefix")
	f.Add("arn:aws:firehose:eu-west-1:123456789012:deliverystream/x")
	f.Add("arn:aws:s3:::/")
	f.Fuzz(func(t *testing.T, s string) {
		if eni, ok := ParseStreamName(s); ok && (!strings.HasPrefix(s, eni) || !strings.HasPrefix(eni, "eni-")) {
			t.Errorf("stream %q → %q", s, eni)
		}
		if acct, region, id, _, ok := ObjectFlowLog(s); ok && (!strings.HasPrefix(s, acct+"_vpcflowlogs_"+region+"_"+id+"_") || len(acct) != 12) {
			t.Errorf("object %q → %q %q %q", s, acct, region, id)
		}
		if b, p := S3Destination(s); b != "" && (!strings.Contains(s, ":::"+b) || (p != "" && !strings.HasSuffix(p, "/"))) {
			t.Errorf("s3 %q → %q %q", s, b, p)
		}
		if name, region, ok := firehoseStream(s); ok && (name == "" || region == "" || !strings.HasSuffix(s, "deliverystream/"+name)) {
			t.Errorf("firehose %q → %q %q", s, name, region)
		}
	})
}
