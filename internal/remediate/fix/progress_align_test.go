package fix

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
)

var ansiSeq = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// columnStarts returns, for each line, the offsets where its space-separated fields begin (ANSI stripped).
func columnStarts(line string, n int) []int {
	line = ansiSeq.ReplaceAllString(line, "")
	var starts []int
	for i := 0; i < len(line) && len(starts) < n; i++ {
		if line[i] != ' ' && (i == 0 || line[i-1] == ' ') {
			starts = append(starts, i)
		}
	}
	return starts
}

func assertAligned(t *testing.T, out string, skip, n int) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) < 2 {
		t.Fatalf("want several progress lines, got:\n%s", out)
	}
	want := columnStarts(lines[0], skip+n)
	for _, l := range lines[1:] {
		if got := columnStarts(l, skip+n); !equalInts(got[skip:], want[skip:]) {
			t.Errorf("progress columns do not align: %v vs %v\n%s", got, want, out)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fix --apply prints a line per step as it goes: with "ap-southeast-2" in the plan (longer than the old fixed
// 9-cell column) the action, resource and status columns still start at the same place on every line.
func TestApplyProgressColumnsAlignOverLongRegionNames(t *testing.T) {
	p := &Plan{RunID: "r1", Steps: []Step{
		{ID: "s1", Action: ActCreateRole, Resource: "flowguard-role"},
		{ID: "s2", Batch: 1, Region: "us-east-1", Action: ActCreateLogGroup, Resource: "/flowguard/vpc"},
		{ID: "s3", Batch: 1, Region: "ap-southeast-2", Action: ActCreateLogGroup, Resource: "/flowguard/vpc"},
	}}
	j, err := journal.Open(t.TempDir(), journal.NewRunID(time.Now()), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	var buf bytes.Buffer
	a := newApplier(aws.Config{}, p, j, ApplyOptions{Progress: &buf})
	for _, st := range p.Steps {
		a.record(st, nil, journal.Record{}, nil)
	}
	// "[batch", "N]", region, then action, resource, status: the last three must line up.
	assertAligned(t, buf.String(), 3, 3)
}

// rollback prints a line per resource: the kind, id and outcome columns line up across us-east-1 and
// ap-southeast-2 (and the region-less role line).
func TestRollbackProgressColumnsAlignOverLongRegionNames(t *testing.T) {
	sc := scopeOf([]journal.Record{{Type: journal.TypeRun, Phase: "fix", Regions: []string{"us-east-1", "ap-southeast-2"}}})
	var buf bytes.Buffer
	rb := newRollbacker(aws.Config{}, nil, RollbackOptions{Progress: &buf}, &RollbackResult{}, "r1", sc, t.TempDir())
	rb.add(Undone{Kind: "flow-log", Region: "us-east-1", ID: "fl-1", Outcome: "deleted"})
	rb.add(Undone{Kind: "flow-log", Region: "ap-southeast-2", ID: "fl-2", Outcome: "deleted"})
	rb.add(Undone{Kind: "log-group", Region: "ap-southeast-2", ID: "/flowguard/vpc", Outcome: "gone"})
	// region, then kind, id, outcome: the last three must line up (the role line has no region).
	first := strings.SplitN(buf.String(), "\n", 2)[0]
	assertAligned(t, buf.String(), 1, 3)
	rb.add(Undone{Kind: "role", ID: "flowguard-role", Outcome: "deleted"})
	role := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")[3]
	if got, want := columnStarts(role, 3), columnStarts(first, 4)[1:]; !equalInts(got, want) {
		t.Errorf("role line columns %v, want %v\n%s", got, want, buf.String())
	}
}
