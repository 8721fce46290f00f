package scandiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/finding"
)

func vpc(id string, st finding.Status) finding.Finding {
	return finding.Finding{CheckID: "vpc-flow-logs-enabled", AccountID: "111111111111", Region: "us-east-1",
		ResourceType: finding.ResourceVPC, ResourceID: id, Status: st, Reason: "NO_FLOW_LOG", Message: "no flow log"}
}

func result(fs ...finding.Finding) *finding.Result {
	r := &finding.Result{Schema: finding.ResultSchema, Findings: fs, Accounts: []string{"111111111111"}, Regions: []string{"us-east-1"}}
	r.Summarize()
	return r
}

func keys(cs []Change) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Resource+" "+string(c.OldStatus)+"→"+string(c.NewStatus))
	}
	return out
}

func TestCompare(t *testing.T) {
	old := result(
		vpc("vpc-fixed", finding.StatusFail),
		vpc("vpc-still", finding.StatusFail),
		vpc("vpc-gone", finding.StatusFail),
		vpc("vpc-exc", finding.StatusFail),
		vpc("vpc-err", finding.StatusFail),
		vpc("vpc-regressed", finding.StatusPass),
		vpc("vpc-ok", finding.StatusPass),
		vpc("vpc-was-error", finding.StatusError),
	)
	cur := result(
		vpc("vpc-fixed", finding.StatusPass),
		vpc("vpc-still", finding.StatusFail),
		vpc("vpc-exc", finding.StatusExcepted),
		vpc("vpc-err", finding.StatusError),
		vpc("vpc-regressed", finding.StatusFail),
		vpc("vpc-ok", finding.StatusPass),
		vpc("vpc-was-error", finding.StatusFail),
		vpc("vpc-brand-new", finding.StatusFail),
	)
	d := Compare("old.json", old, "new.json", cur)
	got := map[string][]string{
		"new": keys(d.NewFailures), "fixed": keys(d.Fixed), "still": keys(d.StillFailing),
		"excepted": keys(d.NowExcepted), "unevaluated": keys(d.NowUnevaluated),
	}
	want := map[string][]string{
		"new":         {"vpc-brand-new →FAIL", "vpc-regressed PASS→FAIL", "vpc-was-error ERROR→FAIL"},
		"fixed":       {"vpc-fixed FAIL→PASS", "vpc-gone FAIL→"},
		"still":       {"vpc-still FAIL→FAIL"},
		"excepted":    {"vpc-exc FAIL→EXCEPTED"},
		"unevaluated": {"vpc-err FAIL→ERROR"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}
	if d.Overall() != finding.OutcomeFail {
		t.Errorf("exit code %d, want 1 with new failures", d.Overall())
	}
	if d2 := Compare("a", cur, "b", cur); d2.Overall() != finding.OutcomeOK || len(d2.StillFailing) != 4 {
		t.Errorf("a scan against itself: exit %d, still failing %d", d2.Overall(), len(d2.StillFailing))
	}
	var tbl bytes.Buffer
	d.WriteTable(&tbl)
	for _, w := range []string{"NEW FAILURES (3)", "FIXED (2)", "STILL FAILING (1)", "NOW EXCEPTED (1)", "NOW NOT EVALUATED (was failing) (1)",
		"3 new failures, 2 fixed, 1 still failing, 1 now excepted, 1 now not evaluated (FAIL 5 → 4)"} {
		if !strings.Contains(tbl.String(), w) {
			t.Errorf("table lacks %q:\n%s", w, tbl.String())
		}
	}
	var js bytes.Buffer
	d.WriteJSON(&js)
	var back Diff
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Schema != Schema || len(back.NewFailures) != 3 {
		t.Errorf("JSON round trip: %v %+v", err, back)
	}
}

func TestLoadResult(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	if _, err := LoadResult(write("ok.json", `{"schema":"flowguard.scan/v1","findings":[]}`)); err != nil {
		t.Error(err)
	}
	for name, body := range map[string]string{"bad.json": "{", "other.json": `{"schema":"flowguard.inventory/v1"}`} {
		if _, err := LoadResult(write(name, body)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := LoadResult(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
}

// TestGoneIsFixedOnlyWhenRead: a failure missing from the new scan is fixed only if the new scan read its
// account and region.
func TestGoneIsFixedOnlyWhenRead(t *testing.T) {
	at := func(acct, region, id string) finding.Finding {
		f := vpc(id, finding.StatusFail)
		f.AccountID, f.Region = acct, region
		return f
	}
	old := result(at("111111111111", "us-east-1", "vpc-deleted"), at("111111111111", "eu-west-1", "vpc-unread"),
		at("222222222222", "us-east-1", "vpc-other-account"), at("111111111111", "ap-south-1", "vpc-region-not-scanned"),
		at("333333333333", "us-east-1", "vpc-account-not-entered"))
	cur := result(finding.Finding{CheckID: "vpc-flow-logs-enabled", AccountID: "333333333333", ResourceType: finding.ResourceAccount,
		ResourceID: "333333333333", Status: finding.StatusError})
	cur.Accounts = []string{"111111111111", "333333333333"}
	cur.Regions = []string{"us-east-1", "eu-west-1"}
	cur.Errors = []finding.Error{{AccountID: "111111111111", Region: "eu-west-1", Operation: "ec2:DescribeVpcs", Message: "throttled"}}
	d := Compare("a", old, "b", cur)
	if diff := cmp.Diff([]string{"vpc-deleted FAIL→"}, keys(d.Fixed)); diff != "" {
		t.Errorf("fixed (-want +got):\n%s", diff)
	}
	if len(d.NowUnevaluated) != 4 {
		t.Errorf("now unevaluated = %v, want the unread region, the account not entered, and the two not scanned", keys(d.NowUnevaluated))
	}
}

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestTableAlignsAndCounts: with colour on and a long region, once the escape codes are stripped the table is
// the plain one and every row's columns start where its header's do; "1 new failure" agrees with its count;
// big sections are counted with separators and can be bounded.
func TestTableAlignsAndCounts(t *testing.T) {
	var oldF, curF []finding.Finding
	for i := 0; i < 1200; i++ {
		f := vpc(fmt.Sprintf("vpc-%05d", i), finding.StatusFail)
		if i%2 == 0 {
			f.Region = "ap-southeast-2"
		}
		oldF, curF = append(oldF, f), append(curF, f)
	}
	regressed := vpc("vpc-regressed", finding.StatusPass)
	regressed.Region, regressed.ResourceName = "ap-southeast-2", "name \x1b[2J with spaces"
	oldF = append(oldF, regressed)
	regressed.Status = finding.StatusFail
	curF = append(curF, regressed)
	old, cur := result(oldF...), result(curF...)
	old.Regions, cur.Regions = []string{"ap-southeast-2", "us-east-1"}, []string{"ap-southeast-2", "us-east-1"}
	d := Compare("old.json", old, "new.json", cur)

	var plain, colored, limited bytes.Buffer
	if err := d.WriteTableWith(&plain, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	d.WriteTableWith(&colored, TableOptions{Color: true})
	d.WriteTableWith(&limited, TableOptions{Limit: 10})
	if !strings.Contains(colored.String(), "\x1b[31mFAIL\x1b[0m") {
		t.Fatal("no colour")
	}
	if ansiRE.ReplaceAllString(colored.String(), "") != plain.String() {
		t.Error("colour changes the layout")
	}
	if strings.Contains(plain.String(), "\x1b") {
		t.Error("a name's escape sequence reached the terminal")
	}
	lines := strings.Split(plain.String(), "\n")
	if !strings.HasPrefix(lines[0], "1 new failure, 0 fixed, 1,200 still failing (FAIL 1,200 → 1,201)") {
		t.Errorf("summary first, with plurals and separators: %q", lines[0])
	}
	var header string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "  ACCOUNT"):
			header = l
		case header != "" && strings.HasPrefix(l, "  1111"):
			for _, title := range []string{"REGION", "RESOURCE", "NAME", "CHECK", "WAS", "NOW", "DETAIL"} {
				at := strings.Index(header, title)
				if l[at-1] != ' ' || l[at] == ' ' {
					t.Fatalf("%s starts at %d in the header but not in:\n%s\n%s", title, at, header, l)
				}
			}
		case l == "":
			header = ""
		}
	}
	if !strings.Contains(plain.String(), "STILL FAILING (1,200)") || !strings.Contains(limited.String(), "… and 1,190 more") ||
		strings.Count(limited.String(), "\n") > 40 {
		t.Errorf("section counts or limit:\n%s", limited.String())
	}
}
