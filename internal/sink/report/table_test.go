package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/inventory"
)

// bigResult is a synthetic estate of accounts × regions × perRegion VPCs, two checks per VPC (like the
// built-in checks), with failures, errors, exceptions and shared VPCs spread unevenly so that accounts and
// regions rank differently. Region names include the longest AWS ones.
func bigResult(accounts, perRegion int) *finding.Result {
	regions := []string{"us-east-1", "eu-west-1", "ap-southeast-2", "ap-northeast-3", "ca-central-1"}
	r := &finding.Result{Schema: finding.ResultSchema, Tool: finding.Tool{Name: "flowguard", Version: "test"}, Source: "snapshot:big.json",
		StartedAt: time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC), FinishedAt: time.Date(2026, 11, 23, 4, 1, 0, 0, time.UTC), Regions: regions}
	n := 0
	for a := 0; a < accounts; a++ {
		acct := fmt.Sprintf("%012d", 100000000000+a*111)
		r.Accounts = append(r.Accounts, acct)
		for ri, region := range regions {
			for v := 0; v < perRegion; v++ {
				n++
				id := fmt.Sprintf("vpc-%017x", n)
				name := fmt.Sprintf("app-%d-%s", v, strings.Repeat("x", n%7))
				enabled := finding.Finding{CheckID: "vpc-flow-logs-enabled", Status: finding.StatusPass, Message: "ACTIVE flow log (ALL) delivers"}
				retention := finding.Finding{CheckID: "vpc-flow-logs-retention", Status: finding.StatusPass, Message: "retention 365 days"}
				// Account a fails roughly a/(accounts+2) of its VPCs; region ap-southeast-2 more than others.
				switch k := (n*7 + ri*3) % (accounts + 2); {
				case k < a/2 || (region == "ap-southeast-2" && k < a):
					enabled.Status, enabled.Reason, enabled.Message = finding.StatusFail, finding.ReasonNoFlowLog, "VPC has no flow log"
					retention.Status, retention.Reason, retention.Message = finding.StatusSkipped, "", "no log group to check"
				case k == a/2+1 && a%3 == 0:
					retention.Status, retention.Reason, retention.Message = finding.StatusFail, finding.ReasonRetentionTooShort, "retention 30 days < 365"
				case k == a/2+2 && a%4 == 1:
					enabled.Status, enabled.Reason, enabled.Message = finding.StatusError, finding.ReasonReadFailed, "flow logs could not be read: AccessDenied"
					retention.Status, retention.Reason, retention.Message = finding.StatusError, finding.ReasonReadFailed, "flow logs could not be read"
				case k == accounts+1 && v%5 == 0:
					enabled.Status, enabled.Reason, enabled.Message = finding.StatusExcepted, finding.ReasonAcceptOnly, "only ACCEPT traffic is logged"
				case v == perRegion-1 && a == 0:
					enabled.Status, enabled.Reason, enabled.Message = finding.StatusSkipped, finding.ReasonSharedVPC, "owned by another account"
					retention.Status, retention.Reason, retention.Message = finding.StatusSkipped, finding.ReasonSharedVPC, "owned by another account"
				}
				for _, f := range []finding.Finding{enabled, retention} {
					f.AccountID, f.Region, f.ResourceType, f.ResourceID, f.ResourceName = acct, region, finding.ResourceVPC, id, name
					r.Findings = append(r.Findings, f)
				}
			}
		}
	}
	r.Summary.VPCs = n
	r.Summarize()
	return r
}

func renderTable(t testing.TB, r *finding.Result, o Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTable(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

// tableRows returns the header line and the resource rows of a table (the lines between the header and the
// first blank line).
func tableRows(t *testing.T, out string) (header string, rows []string) {
	t.Helper()
	lines := strings.Split(ansiRE.ReplaceAllString(out, ""), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "  STATUS ") {
			for _, r := range lines[i+1:] {
				if r == "" {
					break
				}
				rows = append(rows, r)
			}
			return l, rows
		}
	}
	t.Fatalf("no table header in:\n%s", out)
	return "", nil
}

// TestTableBigEstateFirstScreen: at 5,000 VPCs the first screen holds the summary (compliance, counts by
// reason and region, least compliant accounts) and the first failures; every VPC is one row; failures and
// errors come before anything that passes.
func TestTableBigEstateFirstScreen(t *testing.T) {
	r := bigResult(10, 100)
	out := renderTable(t, r, Options{})
	lines := strings.Split(out, "\n")
	screen := strings.Join(lines[:40], "\n")
	for _, want := range []string{"10,000 findings:", "5,000 VPCs in 10 accounts, 5 regions", "compliant ", "by reason ", "FAIL NO_FLOW_LOG ",
		"by region ", "accounts, least compliant first", "  STATUS ", "ENABLED", "RETENTION"} {
		if !strings.Contains(screen, want) {
			t.Errorf("first 40 lines lack %q:\n%s", want, screen)
		}
	}
	if n := len(regexp.MustCompile(`(?m)^  FAIL +\d{12} `).FindAllString(screen, -1)); n < 10 {
		t.Errorf("first 40 lines show %d failing VPCs, want at least 10:\n%s", n, screen)
	}
	if len(lines) > 5000+60 {
		t.Errorf("%d lines for 5,000 VPCs: not one row per VPC", len(lines))
	}
	_, rows := tableRows(t, out)
	if len(rows) != 5000 {
		t.Fatalf("%d rows, want one per VPC (5,000)", len(rows))
	}
	seen := map[string]bool{}
	last := -1
	for _, row := range rows {
		id := regexp.MustCompile(`vpc-[0-9a-f]{17}`).FindString(row)
		if seen[id] {
			t.Fatalf("%s has two rows", id)
		}
		seen[id] = true
		st := finding.Status(strings.Fields(row)[0])
		if rank := statusRank(st); rank < last {
			t.Fatalf("a %s row comes after a worse one: %q", st, row)
		} else {
			last = rank
		}
	}
	// The account list is bounded: 10 accounts fit without "and N more"; 30 do not.
	big := renderTable(t, bigResult(30, 4), Options{})
	if !strings.Contains(big, "… and 20 more accounts") {
		t.Errorf("30 accounts: the list is not bounded to the top 10:\n%s", strings.Join(strings.Split(big, "\n")[:30], "\n"))
	}
}

// TestTableStatusFilter: Statuses=[FAIL] prints only the VPCs with a failing check; the summary still counts
// every finding.
func TestTableStatusFilter(t *testing.T) {
	r := bigResult(10, 100)
	failing := map[string]bool{}
	for _, f := range r.Findings {
		if f.Status == finding.StatusFail {
			failing[f.ResourceID] = true
		}
	}
	out := renderTable(t, r, Options{Statuses: []string{"fail"}})
	_, rows := tableRows(t, out)
	if len(rows) != len(failing) {
		t.Errorf("%d rows, want the %d VPCs with a FAIL", len(rows), len(failing))
	}
	for _, row := range rows {
		id := regexp.MustCompile(`vpc-[0-9a-f]{17}`).FindString(row)
		if !failing[id] {
			t.Errorf("row of a VPC that does not fail: %q", row)
		}
	}
	want := fmt.Sprintf(`(?m)^  showing +%s of 5,000 VPCs: those with a finding of status FAIL$`, human.Count(len(failing)))
	if !regexp.MustCompile(want).MatchString(out) || !strings.Contains(out, "10,000 findings: "+human.Count(r.Summary.Fail)+" FAIL") {
		t.Errorf("summary does not count everything or does not say what is shown (want %q):\n%s", want, out[:2000])
	}
	// ERROR,FAIL: the rows with either.
	both := 0
	for _, row := range resourceRows(r.Findings) {
		if row.has(map[finding.Status]bool{finding.StatusFail: true, finding.StatusError: true}) {
			both++
		}
	}
	if _, rows := tableRows(t, renderTable(t, r, Options{Statuses: []string{"ERROR", "FAIL"}})); len(rows) != both || both == len(failing) {
		t.Errorf("FAIL,ERROR: %d rows, want %d (and more than FAIL alone, %d)", len(rows), both, len(failing))
	}
	if out := renderTable(t, r, Options{Statuses: []string{"UNKNOWN"}}); !strings.Contains(out, "no VPC has a finding of status UNKNOWN") {
		t.Errorf("an empty selection is not said:\n%s", out)
	}
	if _, err := ParseStatuses("fail, Error"); err != nil {
		t.Error(err)
	}
	if _, err := ParseStatuses("FAIL,BROKEN"); err == nil || !strings.Contains(err.Error(), "valid: FAIL, ERROR") {
		t.Errorf("an unknown status is not refused with the valid list: %v", err)
	}
	if err := WriteTable(&bytes.Buffer{}, r, Options{Statuses: []string{"NOPE"}}); err == nil {
		t.Error("WriteTable accepted an unknown status")
	}
}

// columnStarts gives the cell offset at which each header title starts.
func columnStarts(header string) []int {
	var starts []int
	prev := ' '
	for i, c := range []rune(header) {
		if c != ' ' && prev == ' ' && (i < 2 || strings.HasSuffix(string([]rune(header)[:i]), "  ")) {
			starts = append(starts, i)
		}
		prev = c
	}
	return starts
}

// TestTableAlignsWithColor: with colour on, once the escape codes are stripped the table is exactly the plain
// one, and every row's columns start where the header's do, with long regions (ap-southeast-2) in the mix.
func TestTableAlignsWithColor(t *testing.T) {
	for name, r := range map[string]*finding.Result{"big": bigResult(3, 20), "sample": sampleResult()} {
		t.Run(name, func(t *testing.T) {
			plain := renderTable(t, r, Options{})
			colored := renderTable(t, r, Options{Color: true})
			if !strings.Contains(colored, ansiRed+"FAIL"+ansiReset) {
				t.Fatal("no colour in the coloured table")
			}
			if stripped := ansiRE.ReplaceAllString(colored, ""); stripped != plain {
				t.Errorf("colour changes the layout:\n%s\nvs\n%s", stripped, plain)
			}
			header, rows := tableRows(t, colored)
			starts := columnStarts(header)
			if len(starts) < 8 {
				t.Fatalf("header has %d columns: %q", len(starts), header)
			}
			for _, row := range rows {
				rr := []rune(row)
				for _, s := range starts {
					if s >= len(rr) || rr[s] == ' ' || rr[s-1] != ' ' || rr[s-2] != ' ' {
						t.Errorf("column at %d does not start there in row:\n%s\n%s", s, header, row)
						break
					}
				}
			}
			if name == "big" && !strings.Contains(plain, "ap-southeast-2") {
				t.Error("the estate has no long region")
			}
		})
	}
}

// BenchmarkTable prints the time to render the table of a 5,000-VPC result (10,000 findings).
func BenchmarkTable(b *testing.B) {
	r := bigResult(10, 100)
	for _, c := range []struct {
		name string
		o    Options
	}{{"5000VPCs", Options{}}, {"5000VPCs/color", Options{Color: true}}, {"5000VPCs/status=FAIL", Options{Statuses: []string{"FAIL"}}}} {
		b.Run(c.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := WriteTable(&buf, r, c.o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/render")
			b.ReportMetric(float64(buf.Len()), "bytes")
		})
	}
}

// TestHumanPlurals: counts agree with their nouns ("1 account", "1 failing finding") and carry thousands
// separators in the human formats.
func TestHumanPlurals(t *testing.T) {
	r := sampleResult()
	var fs []finding.Finding
	for _, f := range r.Findings {
		if f.AccountID == "222222222222" {
			fs = append(fs, f)
		}
	}
	r.Findings, r.Accounts, r.Regions, r.Errors, r.Summary.VPCs = fs, []string{"222222222222"}, []string{"us-east-1"}, nil, 1
	r.Summarize()
	md := string(render(t, "markdown", r))
	tbl := renderTable(t, r, Options{})
	for _, want := range []string{"FAIL: 1 failing finding**", "1 account · 1 region · 1 VPC ·"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if !strings.Contains(tbl, "2 findings: 1 FAIL") || !strings.Contains(tbl, "1 VPC in 1 account, 1 region") {
		t.Errorf("table summary line:\n%s", tbl)
	}
	for _, bad := range []string{"1 accounts", "1 regions", "1 VPCs", "1 failing findings", "1 findings"} {
		if strings.Contains(md, bad) || strings.Contains(tbl, bad) {
			t.Errorf("%q in the output", bad)
		}
	}
	big := string(render(t, "markdown", bigResult(30, 40)))
	for _, want := range []string{"| **Total** | **12,000** |", "… and 20 more accounts", "6,000 VPCs"} {
		if !strings.Contains(big, want) {
			t.Errorf("markdown of a big estate lacks %q", want)
		}
	}
}

// A finding that points at the line to change (the log group's retention) and one that points at the VPC's
// own line are still one row: the row is the resource, at its own declaration.
func TestTableOneRowPerResourceWhateverLineFindingsPointAt(t *testing.T) {
	vpcLine := inventory.Location{File: "network/main.tf", Line: 5}
	res := &finding.Result{Schema: finding.ResultSchema, Findings: []finding.Finding{
		{CheckID: "vpc-flow-logs-enabled", Status: finding.StatusPass, AccountID: "iac", Region: "eu-west-1",
			ResourceType: "AWS::EC2::VPC", ResourceID: "aws_vpc.main", Location: &vpcLine},
		{CheckID: "vpc-flow-logs-retention", Status: finding.StatusFail, Reason: "RETENTION_TOO_SHORT", AccountID: "iac",
			Region: "eu-west-1", ResourceType: "AWS::EC2::VPC", ResourceID: "aws_vpc.main",
			Location: &inventory.Location{File: "network/main.tf", Line: 13},
			Evidence: finding.Evidence{Extra: map[string]any{"asset_location": vpcLine}}},
	}}
	res.Summarize()
	var buf bytes.Buffer
	if err := WriteTable(&buf, res, Options{}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "aws_vpc.main"); n != 1 {
		t.Errorf("aws_vpc.main in %d rows, want 1:\n%s", n, buf.String())
	}
	if !strings.Contains(buf.String(), "network/main.tf:5") {
		t.Errorf("the row is not at the VPC's own line:\n%s", buf.String())
	}
}
