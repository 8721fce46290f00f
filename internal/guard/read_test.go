package guard

import (
	"fmt"
	"testing"
)

// A burst of events about one account-region costs one read of it, and a read does not identify the caller
// again (New did, once): the calls do not grow with the events, and sts:GetCallerIdentity is not among them.
func TestGuardReadCalls(t *testing.T) {
	e := newEnv(t, 0)
	g := e.guard(t, ModeAlert, nil)
	vpc := e.mkVPC(t)
	var msgs []Message
	for i := range 25 {
		msgs = append(msgs, Message{ID: fmt.Sprint(i), Body: createVpcEvent(e.acct.ID, testRegion, vpc)})
	}
	e.proxy.Reset()
	for i, err := range g.HandleBatch(t.Context(), msgs) {
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	calls := e.proxy.Calls()
	if n := calls["sts:GetCallerIdentity"]; n != 0 {
		t.Errorf("a read identified the caller %d times; guard knows the account", n)
	}
	if calls["ec2:DescribeVpcs"] != 1 || calls["ec2:DescribeFlowLogs"] != 1 {
		t.Errorf("25 events on one account-region: want one read, got calls %v", calls)
	}
	if !hasFindingFor(e.kinds(t, "finding"), vpc, "FAIL") {
		t.Errorf("no FAIL finding for %s", vpc)
	}
}
