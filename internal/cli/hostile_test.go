package cli

import (
	"path/filepath"
	"testing"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/flowguard/flowguard/internal/engine/graph/graphtest"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/textsafe/hostile"
)

// The terminal printers of scan, query and diff, and what goes to stderr, show hostile tags, ids and error
// messages escaped: a Name tag cannot clear the screen or forge a PASS row.
func TestTerminalPrintersEscapeHostileValues(t *testing.T) {
	t.Parallel()
	h := hostile.Value
	snap := graphtest.Snapshot()
	r := snap.Regions[0]
	for i := range r.VPCs {
		r.VPCs[i].Tags = map[string]string{"Name": h(i), h(i + 1): h(i + 2)}
	}
	for i := range r.FlowLogs {
		r.FlowLogs[i].DeliverLogsError = h(i)
		r.FlowLogs[i].LogGroupName += h(i)
	}
	for _, reg := range snap.Regions {
		for i := range reg.Errors {
			reg.Errors[i].Message = h(i + 3)
			reg.Errors[i].Operation = h(i + 4)
		}
	}
	p := filepath.Join(t.TempDir(), "inv.json")
	if err := snap.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"scan", "--snapshot", p},
		{"query", "--snapshot", p, `vpcs { id name region hasTag { key value } }`},
		{"query", "--snapshot", p, `flowLogs { id resourceId logGroupName deliverLogsErrorMessage }`},
	} {
		code, out, errOut := runCLI(t, args...)
		if code == cmdutil.ExitUsage {
			t.Fatalf("%v: exit 3: %s", args, errOut)
		}
		hostile.TerminalSafe(t, args[0]+" stdout", out)
		hostile.TerminalSafe(t, args[0]+" stderr", errOut)
	}

	fs := func(st finding.Status) []finding.Finding {
		return []finding.Finding{{CheckID: h(0), AccountID: h(1), Region: h(2), ResourceID: "vpc-" + h(3), ResourceName: h(4), Status: st, Message: h(5), Reason: h(6)}}
	}
	old, cur := writeScan(t, "old.json", fs(finding.StatusPass)...), writeScan(t, "new.json", fs(finding.StatusFail)...)
	code, out, errOut := runCLI(t, "diff", old, cur)
	if code != cmdutil.ExitFail {
		t.Fatalf("diff: exit %d: %s", code, errOut)
	}
	hostile.TerminalSafe(t, "diff", out)

	// A snapshot file whose own name is hostile: the error on stderr is shown escaped too.
	bad := filepath.Join(t.TempDir(), "x\x1b[2J\u202e.json")
	code, _, errOut = runCLI(t, "scan", "--snapshot", bad)
	if code != cmdutil.ExitUsage {
		t.Fatalf("missing snapshot: exit %d", code)
	}
	hostile.TerminalSafe(t, "stderr", errOut)
}
