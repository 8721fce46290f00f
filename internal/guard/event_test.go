package guard

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// trailEvent builds an EventBridge event carrying a CloudTrail record, in the documented shape.
func trailEvent(account, region, source, name string, params, resp any, identityARN, userAgent string) []byte {
	ev := map[string]any{
		"version": "0", "id": "ev-" + name + "-" + time.Now().Format("150405.000000000"), "detail-type": DetailTypeCloudTrail,
		"source": "aws." + strings.TrimSuffix(source, ".amazonaws.com"), "account": account, "time": time.Now().UTC().Format(time.RFC3339),
		"region": region, "resources": []string{},
		"detail": map[string]any{
			"eventVersion": "1.08", "eventTime": time.Now().UTC().Format(time.RFC3339), "eventSource": source, "eventName": name,
			"awsRegion": region, "sourceIPAddress": "192.0.2.1", "userAgent": userAgent, "eventType": "AwsApiCall",
			"recipientAccountId": account, "readOnly": false,
			"userIdentity":      map[string]any{"type": "AssumedRole", "arn": identityARN, "accountId": account},
			"requestParameters": params, "responseElements": resp,
		},
	}
	b, _ := json.Marshal(ev)
	return b
}

func createVpcEvent(account, region, vpc string) []byte {
	return trailEvent(account, region, "ec2.amazonaws.com", "CreateVpc",
		map[string]any{"cidrBlock": "10.0.0.0/16"},
		map[string]any{"requestId": "r-1", "vpc": map[string]any{"vpcId": vpc, "state": "pending", "cidrBlock": "10.0.0.0/16"}},
		"arn:aws:sts::"+account+":assumed-role/Admin/alice", "console.amazonaws.com")
}

func deleteFlowLogsEvent(account, region string, ids ...string) []byte {
	items := []any{}
	for i, id := range ids {
		items = append(items, map[string]any{"tag": i + 1, "content": id})
	}
	return trailEvent(account, region, "ec2.amazonaws.com", "DeleteFlowLogs",
		map[string]any{"DeleteFlowLogsRequest": map[string]any{"FlowLogId": items}},
		map[string]any{"DeleteFlowLogsResponse": map[string]any{"unsuccessful": "", "requestId": "r-2"}},
		"arn:aws:sts::"+account+":assumed-role/Attacker/mallory", "aws-cli/2.15.0")
}

func TestParseEvent(t *testing.T) {
	t.Parallel()
	const acct, region = "111122223333", "eu-west-1"
	e, err := ParseEvent(createVpcEvent(acct, region, "vpc-0123456789abcdef0"))
	if err != nil {
		t.Fatal(err)
	}
	if e.Kind != KindCheck || e.Account != acct || e.Region != region || e.EventName != "CreateVpc" || e.VPCID != "vpc-0123456789abcdef0" || e.FlowguardTagged {
		t.Errorf("CreateVpc: %+v", e)
	}
	e, err = ParseEvent(deleteFlowLogsEvent(acct, region, "fl-0123456789abcdef0", "fl-0123456789abcdef1"))
	if err != nil {
		t.Fatal(err)
	}
	if e.EventName != "DeleteFlowLogs" || len(e.FlowLogIDs) != 2 || e.CallerARN != "arn:aws:sts::"+acct+":assumed-role/Attacker/mallory" {
		t.Errorf("DeleteFlowLogs: %+v", e)
	}
	// A flow log flowguard created carries its tag: recognised.
	tagged := trailEvent(acct, region, "ec2.amazonaws.com", "CreateFlowLogs",
		map[string]any{"CreateFlowLogsRequest": map[string]any{"ResourceId": map[string]any{"tag": 1, "content": "vpc-0123456789abcdef0"},
			"TagSpecification": map[string]any{"Tag": []any{map[string]any{"Key": "flowguard:run-id", "Value": "x"}}}}}, nil, "", "")
	if e, err = ParseEvent(tagged); err != nil || !e.FlowguardTagged || e.VPCID != "vpc-0123456789abcdef0" {
		t.Errorf("tagged CreateFlowLogs: %+v %v", e, err)
	}
	logs := trailEvent(acct, region, "logs.amazonaws.com", "PutRetentionPolicy", map[string]any{"logGroupName": "/aws/vpc-flow-logs/vpc-1", "retentionInDays": 1}, nil, "", "")
	if e, err = ParseEvent(logs); err != nil || e.LogGroupName != "/aws/vpc-flow-logs/vpc-1" || e.Kind != KindCheck {
		t.Errorf("PutRetentionPolicy: %+v %v", e, err)
	}

	ignored := map[string][]byte{
		"another call":    trailEvent(acct, region, "ec2.amazonaws.com", "RunInstances", nil, nil, "", ""),
		"another service": trailEvent(acct, region, "s3.amazonaws.com", "DeleteLogGroup", nil, nil, "", ""),
		"failed call":     withDetail(createVpcEvent(acct, region, "vpc-0123456789abcdef0"), "errorCode", "Client.UnauthorizedOperation"),
		"other detail":    []byte(`{"version":"0","id":"x","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"111122223333","time":"2026-01-01T00:00:00Z","region":"eu-west-1","detail":{}}`),
	}
	for name, b := range ignored {
		e, err := ParseEvent(b)
		if err != nil || e.Kind != KindIgnore || e.Why == "" {
			t.Errorf("%s: want ignored with a reason, got %+v %v", name, e, err)
		}
	}
	sched := []byte(`{"version":"0","id":"x","detail-type":"Scheduled Event","source":"aws.events","account":"111122223333","time":"2026-01-01T00:00:00Z","region":"eu-west-1","resources":["arn:aws:events:eu-west-1:111122223333:rule/r"],"detail":{}}`)
	if e, err := ParseEvent(sched); err != nil || e.Kind != KindReconcile {
		t.Errorf("scheduled: %+v %v", e, err)
	}
	// moto 5 delivers events without "account": the CloudTrail record's recipientAccountId stands in.
	var m map[string]any
	json.Unmarshal(createVpcEvent(acct, region, "vpc-0123456789abcdef0"), &m)
	delete(m, "account")
	noAcct, _ := json.Marshal(m)
	if e, err := ParseEvent(noAcct); err != nil || e.Account != acct {
		t.Errorf("no account: %+v %v", e, err)
	}

	bad := map[string][]byte{
		"not json":         []byte("hello"),
		"empty":            nil,
		"array":            []byte(`[1,2]`),
		"trailing":         append(createVpcEvent(acct, region, "vpc-0123456789abcdef0"), []byte(` {}`)...),
		"no id":            []byte(`{"version":"0","detail-type":"Scheduled Event","source":"aws.events","account":"111122223333","time":"2026-01-01T00:00:00Z","region":"eu-west-1"}`),
		"bad account":      withField(createVpcEvent(acct, region, "vpc-0123456789abcdef0"), "account", "11112222333a"),
		"bad region":       withField(createVpcEvent(acct, region, "vpc-0123456789abcdef0"), "region", "../../etc"),
		"bad time":         withField(createVpcEvent(acct, region, "vpc-0123456789abcdef0"), "time", "yesterday"),
		"region mismatch":  withDetail(createVpcEvent(acct, region, "vpc-0123456789abcdef0"), "awsRegion", "us-east-1"),
		"account mismatch": withDetail(createVpcEvent(acct, region, "vpc-0123456789abcdef0"), "recipientAccountId", "999999999999"),
		"wrong type":       withDetail(createVpcEvent(acct, region, "vpc-0123456789abcdef0"), "eventName", 42),
		"too deep":         withDetail(createVpcEvent(acct, region, "vpc-0123456789abcdef0"), "requestParameters", deep(40)),
		"too big":          []byte(`{"version":"0","id":"` + strings.Repeat("a", MaxEventBytes) + `"}`),
		"version 1":        withField(createVpcEvent(acct, region, "vpc-0123456789abcdef0"), "version", "1"),
	}
	for name, b := range bad {
		if e, err := ParseEvent(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: want ErrMalformed, got %+v %v", name, e, err)
		}
	}
}

func deep(n int) any {
	var v any = "x"
	for range n {
		v = []any{v}
	}
	return v
}

func withField(b []byte, k string, v any) []byte {
	var m map[string]any
	json.Unmarshal(b, &m)
	m[k] = v
	out, _ := json.Marshal(m)
	return out
}

func withDetail(b []byte, k string, v any) []byte {
	var m map[string]any
	json.Unmarshal(b, &m)
	m["detail"].(map[string]any)[k] = v
	out, _ := json.Marshal(m)
	return out
}

func TestAssumedRole(t *testing.T) {
	t.Parallel()
	for arn, want := range map[string][2]string{
		"arn:aws:sts::111122223333:assumed-role/OrganizationAccountAccessRole/flowguard": {"OrganizationAccountAccessRole", "flowguard"},
		"arn:aws:iam::111122223333:user/alice":                                           {"", ""},
		"assumed-role/x/y":                                                               {"", ""},
	} {
		r, s, _ := assumedRole(arn)
		if r != want[0] || s != want[1] {
			t.Errorf("%s: %s %s", arn, r, s)
		}
	}
}

func TestRegionOfQueueURL(t *testing.T) {
	t.Parallel()
	for u, want := range map[string]string{
		"https://sqs.eu-west-1.amazonaws.com/111122223333/q": "eu-west-1",
		"http://127.0.0.1:5000/111122223333/q":               "",
		"https://sqs.evil/q":                                 "",
	} {
		if got := RegionOfQueueURL(u); got != want {
			t.Errorf("%s: %q, want %q", u, got, want)
		}
	}
}

// FuzzParseEvent: any body either parses into an event whose account and region are valid, or is refused
// with ErrMalformed; nothing panics, nothing else comes out.
func FuzzParseEvent(f *testing.F) {
	f.Add(createVpcEvent("111122223333", "eu-west-1", "vpc-0123456789abcdef0"))
	f.Add(deleteFlowLogsEvent("111122223333", "eu-west-1", "fl-0123456789abcdef0"))
	f.Add([]byte(`{"version":"0","id":"x","detail-type":"Scheduled Event","source":"aws.events","account":"111122223333","time":"2026-01-01T00:00:00Z","region":"eu-west-1","detail":{}}`))
	f.Add([]byte(`{"detail":{"requestParameters":[[[[[[[]]]]]]]}}`))
	f.Add([]byte(`"\u0000"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEvent(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error not ErrMalformed: %v", err)
			}
			return
		}
		if !ValidAccount(e.Account) || !ValidRegion(e.Region) {
			t.Fatalf("parsed with a bad account or region: %q %q", e.Account, e.Region)
		}
		if e.VPCID != "" && !vpcRE.MatchString(e.VPCID) {
			t.Fatalf("bad vpc id %q", e.VPCID)
		}
	})
}
