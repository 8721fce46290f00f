package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/finding"
)

// TestGolden pins every format's output for the sample result. Run with -update after an intended change.
func TestGolden(t *testing.T) {
	for _, f := range All() {
		t.Run(f.Name, func(t *testing.T) {
			golden(t, "sample."+f.Extension, render(t, f.Name, sampleResult()))
		})
	}
}

// validators check a format's output against its specification; each format has one.
var validators = map[string]func(data []byte, r *finding.Result) []string{
	"json":     validateJSON,
	"csv":      validateCSV,
	"sarif":    validateSARIF,
	"ocsf":     validateOCSF,
	"asff":     validateASFF,
	"junit":    validateJUnit,
	"markdown": validateMarkdown,
	"html":     validateHTML,
	"table":    func([]byte, *finding.Result) []string { return nil },
}

func TestFormatsValidate(t *testing.T) {
	inputs := map[string]*finding.Result{"sample": sampleResult(), "empty": emptyResult(), "evidence": EvidenceResult()}
	for _, f := range All() {
		v, ok := validators[f.Name]
		if !ok {
			t.Errorf("format %s has no validator in this test", f.Name)
			continue
		}
		for name, r := range inputs {
			t.Run(f.Name+"/"+name, func(t *testing.T) {
				for _, problem := range v(render(t, f.Name, r), r) {
					t.Error(problem)
				}
			})
		}
	}
}

// TestValidatorsCatchBrokenOutput makes sure the validators can fail: each gets a broken document.
func TestValidatorsCatchBrokenOutput(t *testing.T) {
	r := sampleResult()
	broken := map[string]func([]byte) []byte{
		"csv": func(b []byte) []byte { return b[:bytes.LastIndexByte(b[:len(b)-1], '\n')+1] },
		"sarif": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"level": "error"`), []byte(`"level": "fatal"`), 1)
		},
		"ocsf": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"class_uid": 2003`), []byte(`"class_uid": 2004`), 1)
		},
		"asff": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"Status": "FAILED"`), []byte(`"Status": "FAIL"`), 1)
		},
		"junit":    func(b []byte) []byte { return bytes.Replace(b, []byte(`<failure`), []byte(`<skipped`), 1) },
		"markdown": func(b []byte) []byte { return append(b, []byte("| a | <script>x</script> |\n")...) },
		"html":     func(b []byte) []byte { return bytes.Replace(b, []byte("&lt;script&gt;"), []byte("<script>"), 1) },
	}
	for name, breakIt := range broken {
		t.Run(name, func(t *testing.T) {
			if problems := validators[name](breakIt(render(t, name, r)), r); len(problems) == 0 {
				t.Errorf("validator for %s accepted a broken document", name)
			}
		})
	}
}

func validateJSON(data []byte, r *finding.Result) []string {
	var got finding.Result
	if err := json.Unmarshal(data, &got); err != nil {
		return []string{err.Error()}
	}
	if len(got.Findings) != len(r.Findings) || len(got.Exceptions) != len(r.Exceptions) {
		return []string{"JSON lost findings or exceptions"}
	}
	return nil
}

func validateCSV(data []byte, r *finding.Result) []string {
	var p []string
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return []string{"csv: " + err.Error()}
	}
	if len(rows) == 0 || !slices.Equal(rows[0], csvHeader) {
		return []string{fmt.Sprintf("csv header = %v", rows[:min(1, len(rows))])}
	}
	if len(rows)-1 != len(r.Findings) {
		p = append(p, fmt.Sprintf("csv has %d rows, want %d findings", len(rows)-1, len(r.Findings)))
	}
	for i, row := range rows[1:] {
		for j, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				p = append(p, fmt.Sprintf("csv row %d column %s starts with a formula character: %q", i+1, csvHeader[j], cell))
			}
		}
	}
	return p
}

// sarif enums and required members, from the SARIF 2.1.0 schema.
var (
	sarifLevels = []string{"none", "note", "warning", "error"}
	sarifKinds  = []string{"notApplicable", "pass", "fail", "review", "open", "informational"}
	sarifSupp   = []string{"inSource", "external"}
	sarifSuppSt = []string{"accepted", "underReview", "rejected"}
)

func validateSARIF(data []byte, r *finding.Result) []string {
	var p []string
	bad := func(format string, args ...any) { p = append(p, "sarif: "+fmt.Sprintf(format, args...)) }
	var log struct {
		Schema  string `json:"$schema"`
		Version *string
		Runs    []struct {
			Tool *struct {
				Driver *struct {
					Name  *string
					Rules []struct {
						ID                   *string
						ShortDescription     *struct{ Text *string }
						FullDescription      *struct{ Text *string }
						Help                 *struct{ Text *string }
						DefaultConfiguration *struct{ Level string }
						Properties           struct{ Tags []string }
					}
				}
			}
			Invocations []struct{ ExecutionSuccessful *bool }
			Results     *[]struct {
				RuleID    string
				RuleIndex *int
				Kind      string
				Level     string
				Message   *struct{ Text *string }
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation *struct{ URI *string }
						Region           *struct{ StartLine *int }
					}
					LogicalLocations []struct{ Name, FullyQualifiedName string }
				}
				Suppressions []struct {
					Kind   *string
					Status string
				}
				PartialFingerprints map[string]string
			}
		}
	}
	if err := json.Unmarshal(data, &log); err != nil {
		return []string{"sarif: " + err.Error()}
	}
	if log.Version == nil || *log.Version != "2.1.0" {
		bad("version must be 2.1.0")
	}
	if log.Schema == "" {
		bad("$schema missing")
	}
	if len(log.Runs) != 1 {
		return append(p, fmt.Sprintf("sarif: %d runs, want 1", len(log.Runs)))
	}
	run := log.Runs[0]
	if run.Tool == nil || run.Tool.Driver == nil || run.Tool.Driver.Name == nil || *run.Tool.Driver.Name == "" {
		return append(p, "sarif: run.tool.driver.name is required")
	}
	ruleAt := map[string]int{}
	for i, rule := range run.Tool.Driver.Rules {
		if rule.ID == nil || *rule.ID == "" {
			bad("rule %d has no id", i)
			continue
		}
		ruleAt[*rule.ID] = i
		if rule.ShortDescription == nil || rule.ShortDescription.Text == nil || rule.FullDescription == nil || rule.Help == nil || rule.Help.Text == nil {
			bad("rule %s lacks short/full description or help text", *rule.ID)
		}
		if rule.DefaultConfiguration != nil && !slices.Contains(sarifLevels, rule.DefaultConfiguration.Level) {
			bad("rule %s default level %q", *rule.ID, rule.DefaultConfiguration.Level)
		}
	}
	if len(run.Invocations) == 0 || run.Invocations[0].ExecutionSuccessful == nil {
		bad("invocations[0].executionSuccessful is required")
	} else if *run.Invocations[0].ExecutionSuccessful == r.Incomplete {
		bad("executionSuccessful must be false exactly when the scan is incomplete")
	}
	if run.Results == nil {
		return append(p, "sarif: run.results must be present (empty array when nothing was found)")
	}
	if len(*run.Results) != len(r.Findings) {
		bad("%d results, want %d", len(*run.Results), len(r.Findings))
	}
	for i, res := range *run.Results {
		if res.Message == nil || res.Message.Text == nil || *res.Message.Text == "" {
			bad("result %d: message.text is required", i)
		}
		at, ok := ruleAt[res.RuleID]
		if !ok || res.RuleIndex == nil || *res.RuleIndex != at {
			bad("result %d: ruleId %q / ruleIndex does not name a rule", i, res.RuleID)
		}
		if !slices.Contains(sarifKinds, res.Kind) || !slices.Contains(sarifLevels, res.Level) {
			bad("result %d: kind %q level %q not in the enums", i, res.Kind, res.Level)
		}
		if res.Kind != "fail" && res.Level != "none" {
			bad("result %d: kind %s requires level none, got %s", i, res.Kind, res.Level)
		}
		if len(res.Locations) != 1 {
			bad("result %d: want one location", i)
			continue
		}
		loc := res.Locations[0]
		if pl := loc.PhysicalLocation; pl != nil {
			if pl.ArtifactLocation == nil || pl.ArtifactLocation.URI == nil || *pl.ArtifactLocation.URI == "" {
				bad("result %d: physicalLocation without artifactLocation.uri", i)
			}
			if pl.Region != nil && (pl.Region.StartLine == nil || *pl.Region.StartLine < 1) {
				bad("result %d: region.startLine must be >= 1", i)
			}
		} else if len(loc.LogicalLocations) == 0 || loc.LogicalLocations[0].FullyQualifiedName == "" {
			bad("result %d: neither a physical nor a named logical location", i)
		}
		for _, s := range res.Suppressions {
			if s.Kind == nil || !slices.Contains(sarifSupp, *s.Kind) || (s.Status != "" && !slices.Contains(sarifSuppSt, s.Status)) {
				bad("result %d: bad suppression", i)
			}
		}
		if len(res.PartialFingerprints) == 0 {
			bad("result %d: no partialFingerprints (code scanning could not track it)", i)
		}
	}
	return p
}

func validateOCSF(data []byte, r *finding.Result) []string {
	var p []string
	var events []map[string]any
	if err := json.Unmarshal(data, &events); err != nil {
		return []string{"ocsf: " + err.Error()}
	}
	if events == nil {
		p = append(p, "ocsf: document must be an array, got null")
	}
	if len(events) != len(r.Findings) {
		p = append(p, fmt.Sprintf("ocsf: %d events, want %d", len(events), len(r.Findings)))
	}
	get := func(m map[string]any, path string) any {
		var v any = m
		for _, k := range strings.Split(path, ".") {
			mm, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = mm[k]
		}
		return v
	}
	// Required by base_event, finding and compliance_finding in OCSF 1.x, with the cloud profile.
	required := []string{"activity_id", "category_uid", "class_uid", "type_uid", "time", "severity_id", "metadata",
		"metadata.version", "metadata.product", "metadata.product.vendor_name", "finding_info", "finding_info.uid",
		"finding_info.title", "compliance", "compliance.standards", "cloud", "cloud.provider"}
	for i, e := range events {
		for _, k := range required {
			if v := get(e, k); v == nil || v == "" {
				p = append(p, fmt.Sprintf("ocsf event %d: %s is required", i, k))
			}
		}
		num := func(k string) float64 { f, _ := get(e, k).(float64); return f }
		if num("class_uid") != 2003 || num("category_uid") != 2 {
			p = append(p, fmt.Sprintf("ocsf event %d: class_uid %v category_uid %v, want 2003 and 2", i, num("class_uid"), num("category_uid")))
		}
		if num("type_uid") != num("class_uid")*100+num("activity_id") {
			p = append(p, fmt.Sprintf("ocsf event %d: type_uid must be class_uid*100+activity_id", i))
		}
		if s := num("severity_id"); !(s >= 0 && s <= 6 || s == 99) {
			p = append(p, fmt.Sprintf("ocsf event %d: severity_id %v", i, s))
		}
		if s := num("status_id"); !(s >= 0 && s <= 6 || s == 99) {
			p = append(p, fmt.Sprintf("ocsf event %d: status_id %v", i, s))
		}
		if s := num("compliance.status_id"); !(s >= 0 && s <= 3 || s == 99) {
			p = append(p, fmt.Sprintf("ocsf event %d: compliance.status_id %v", i, s))
		}
		if std, _ := get(e, "compliance.standards").([]any); len(std) == 0 {
			p = append(p, fmt.Sprintf("ocsf event %d: compliance.standards must be a non-empty array", i))
		}
		res, _ := e["resources"].([]any)
		if len(res) == 0 {
			p = append(p, fmt.Sprintf("ocsf event %d: resources missing", i))
		}
		for _, x := range res {
			m, _ := x.(map[string]any)
			if m["uid"] == "" || m["uid"] == nil || m["type"] == nil {
				p = append(p, fmt.Sprintf("ocsf event %d: resource without uid/type", i))
			}
		}
		if num("time") < 1e12 {
			p = append(p, fmt.Sprintf("ocsf event %d: time must be epoch milliseconds", i))
		}
	}
	return p
}

var (
	asffProductArn = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:securityhub:[a-z0-9-]+:(\d{12}):product/(\d{12})/default$`)
	asffAccount    = regexp.MustCompile(`^\d{12}$`)
	// Finding type namespaces, the first part of namespace/category/classifier.
	asffNamespaces   = []string{"Software and Configuration Checks", "TTPs", "Effects", "Unusual Behaviors", "Sensitive Data Identifications"}
	asffLabels       = []string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
	asffComplianceSt = []string{"PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"}
	asffWorkflowSt   = []string{"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"}
	asffRecord       = []string{"ACTIVE", "ARCHIVED"}
)

func validateASFF(data []byte, r *finding.Result) []string {
	var p []string
	var fs []asffFinding
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fs); err != nil {
		return []string{"asff: " + err.Error()}
	}
	if fs == nil {
		p = append(p, "asff: document must be an array, got null")
	}
	want := 0
	for _, f := range r.Findings {
		if f.AccountID != "" {
			want++
		}
	}
	if len(fs) != want {
		p = append(p, fmt.Sprintf("asff: %d findings, want %d (all with an account)", len(fs), want))
	}
	ids := map[string]bool{}
	for i, f := range fs {
		bad := func(format string, args ...any) {
			p = append(p, fmt.Sprintf("asff finding %d (%s): ", i, f.ID)+fmt.Sprintf(format, args...))
		}
		if f.SchemaVersion != "2018-10-08" {
			bad("SchemaVersion %q", f.SchemaVersion)
		}
		if f.ID == "" || len(f.ID) > 512 || ids[f.ID] {
			bad("Id empty, too long or duplicate")
		}
		ids[f.ID] = true
		m := asffProductArn.FindStringSubmatch(f.ProductArn)
		if m == nil || m[2] != f.AwsAccountID || m[3] != f.AwsAccountID {
			bad("ProductArn %q is not the account's default product", f.ProductArn)
		}
		if f.GeneratorID == "" || len(f.GeneratorID) > 512 {
			bad("GeneratorId")
		}
		if !asffAccount.MatchString(f.AwsAccountID) {
			bad("AwsAccountId %q", f.AwsAccountID)
		}
		if len(f.Types) == 0 || len(f.Types) > 50 {
			bad("Types must have 1 to 50 entries")
		}
		for _, ty := range f.Types {
			parts := strings.Split(ty, "/")
			if len(parts) > 3 || !slices.Contains(asffNamespaces, parts[0]) {
				bad("type %q is not namespace/category/classifier", ty)
			}
		}
		for _, ts := range []string{f.CreatedAt, f.UpdatedAt} {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				bad("timestamp %q: %v", ts, err)
			}
		}
		if !slices.Contains(asffLabels, f.Severity.Label) {
			bad("Severity.Label %q", f.Severity.Label)
		}
		if f.Title == "" || len(f.Title) > 256 || f.Description == "" || len(f.Description) > 1024 {
			bad("Title/Description empty or too long")
		}
		if len(f.Resources) == 0 || len(f.Resources) > 32 {
			bad("Resources must have 1 to 32 entries")
		}
		for _, res := range f.Resources {
			if res.Type == "" || res.ID == "" || res.Partition == "" || res.Region == "" {
				bad("resource needs Type, Id, Partition, Region: %+v", res)
			}
		}
		if !slices.Contains(asffComplianceSt, f.Compliance.Status) || len(f.Compliance.RelatedRequirements) > 32 {
			bad("Compliance %+v", f.Compliance)
		}
		if !slices.Contains(asffWorkflowSt, f.Workflow.Status) || !slices.Contains(asffRecord, f.RecordState) {
			bad("Workflow %q / RecordState %q", f.Workflow.Status, f.RecordState)
		}
		if len(f.ProductFields) > 50 {
			bad("more than 50 ProductFields")
		}
		for k, v := range f.ProductFields {
			if len(k) > 128 || len(v) > 2048 {
				bad("ProductFields %q too long", k)
			}
		}
	}
	return p
}

type junitParsed struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Name                             string `xml:"name,attr"`
		Tests, Failures, Errors, Skipped int    `xml:"-"`
		TestsA                           int    `xml:"tests,attr"`
		FailuresA                        int    `xml:"failures,attr"`
		ErrorsA                          int    `xml:"errors,attr"`
		SkippedA                         int    `xml:"skipped,attr"`
		Cases                            []struct {
			Name      string    `xml:"name,attr"`
			Classname string    `xml:"classname,attr"`
			Failure   *struct{} `xml:"failure"`
			Error     *struct{} `xml:"error"`
			Skipped   *struct{} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func validateJUnit(data []byte, r *finding.Result) []string {
	var p []string
	var doc junitParsed
	if err := xml.Unmarshal(data, &doc); err != nil {
		return []string{"junit: " + err.Error()}
	}
	s := r.Summary
	wantFail, wantErr, wantSkip := s.Fail, s.Error+s.Unknown+len(r.Errors), s.Skipped+s.Excepted
	var cases, fails, errs, skips int
	for _, suite := range doc.Suites {
		var sf, se, ss int
		for _, c := range suite.Cases {
			if c.Name == "" || c.Classname == "" {
				p = append(p, "junit: testcase without name or classname")
			}
			if c.Failure != nil {
				sf++
			}
			if c.Error != nil {
				se++
			}
			if c.Skipped != nil {
				ss++
			}
		}
		if suite.TestsA != len(suite.Cases) || suite.FailuresA != sf || suite.ErrorsA != se || suite.SkippedA != ss {
			p = append(p, fmt.Sprintf("junit: suite %q counts do not match its testcases", suite.Name))
		}
		cases, fails, errs, skips = cases+len(suite.Cases), fails+sf, errs+se, skips+ss
	}
	if doc.Tests != cases || doc.Failures != fails || doc.Errors != errs || doc.Skipped != skips {
		p = append(p, "junit: testsuites totals do not match the testcases")
	}
	if fails != wantFail || errs != wantErr || skips != wantSkip || cases != s.Total+len(r.Errors) {
		p = append(p, fmt.Sprintf("junit: %d cases %d failures %d errors %d skipped, want %d %d %d %d",
			cases, fails, errs, skips, s.Total+len(r.Errors), wantFail, wantErr, wantSkip))
	}
	return p
}

func validateMarkdown(data []byte, r *finding.Result) []string {
	var p []string
	text := string(data)
	if strings.Contains(text, "<script") || strings.Contains(text, "<img") || strings.Contains(text, "<b>") {
		p = append(p, "markdown: raw HTML from a value reached the output")
	}
	// Every row of a table has as many cells as its header.
	cols := 0
	for i, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(line, -1)) - 1
		if cols == 0 {
			cols = n
		} else if n != cols {
			p = append(p, fmt.Sprintf("markdown line %d has %d cells, header has %d: %s", i+1, n, cols, line))
		}
	}
	if len(r.Findings) > 0 && !strings.Contains(text, "## By account and region") {
		p = append(p, "markdown: no account/region table")
	}
	return p
}

func validateHTML(data []byte, r *finding.Result) []string {
	var p []string
	text := string(data)
	// Exactly the page's own two: the JSON data block and the script (CSP-pinned by hash).
	if n := strings.Count(strings.ToLower(text), "<script"); n != 2 {
		p = append(p, fmt.Sprintf("html: %d <script> elements, want exactly the report's own 2", n))
	}
	if n := strings.Count(text, `<script type="application/json" id="fg-data">`); n != 1 {
		p = append(p, fmt.Sprintf("html: %d data blocks, want 1", n))
	}
	for _, raw := range []string{"<img", "<b>core", "onerror=alert(1)>", `"><img`, "<iframe", "<link", " href="} {
		if strings.Contains(text, raw) {
			p = append(p, fmt.Sprintf("html: unescaped %q reached the page", raw))
		}
	}
	for _, ext := range []string{"http://", "https://"} {
		if strings.Contains(strings.ReplaceAll(text, "http://x", ""), ext) {
			p = append(p, fmt.Sprintf("html: %q: the report must not load anything", ext))
		}
	}
	sum := sha256.Sum256([]byte(htmlJS))
	if !strings.Contains(html.UnescapeString(text), "script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		p = append(p, "html: CSP does not pin the script hash")
	}
	if !strings.Contains(text, "<script>"+htmlJS+"</script>") {
		p = append(p, "html: the script is not the pinned one, byte for byte")
	}
	for _, id := range []string{`id="summary"`, `id="by-account"`, `id="by-reason"`, `id="findings"`, `id="checks"`, `id="exceptions"`, `id="errors"`} {
		if !strings.Contains(text, id) {
			p = append(p, "html: section missing: "+id)
		}
	}
	d, err := htmlDataBlock(data)
	if err != nil {
		return append(p, "html: "+err.Error())
	}
	resources := map[string]bool{}
	for _, f := range r.Findings {
		resources[f.AccountID+"|"+f.Region+"|"+f.ResourceType+"|"+f.ResourceID] = true
	}
	n := 0
	for _, row := range d.Rows {
		n += len(row.Findings)
	}
	if len(d.Rows) != len(resources) || n != len(r.Findings) {
		p = append(p, fmt.Sprintf("html: %d rows holding %d findings, want %d resources and %d findings", len(d.Rows), n, len(resources), len(r.Findings)))
	}
	return p
}

// htmlDataBlock decodes the report's JSON data block.
func htmlDataBlock(page []byte) (*htmlJSONData, error) {
	const open = `<script type="application/json" id="fg-data">`
	i := bytes.Index(page, []byte(open))
	if i < 0 {
		return nil, fmt.Errorf("no data block")
	}
	rest := page[i+len(open):]
	j := bytes.Index(rest, []byte("</script>"))
	if j < 0 {
		return nil, fmt.Errorf("data block not closed")
	}
	var d htmlJSONData
	if err := json.Unmarshal(rest[:j], &d); err != nil {
		return nil, fmt.Errorf("data block: %v", err)
	}
	return &d, nil
}

func TestCSVRoundTrip(t *testing.T) {
	r := sampleResult()
	rows, err := csv.NewReader(bytes.NewReader(render(t, "csv", r))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(csvHeader, name) }
	byID := map[string][]string{}
	for _, row := range rows[1:] {
		byID[row[col("check_id")]+" "+row[col("resource_id")]] = row
	}
	a := byID["vpc-flow-logs-enabled vpc-0aaa"]
	if got, want := a[col("resource_name")], `<script>alert("x")</script>`; got != want {
		t.Errorf("name = %q, want %q (quotes must survive)", got, want)
	}
	if got, want := a[col("resource_arn")], "arn:aws:ec2:us-east-1:111111111111:vpc/vpc-0aaa"; got != want {
		t.Errorf("arn = %q, want %q", got, want)
	}
	c := byID["vpc-flow-logs-enabled vpc-0ccc"]
	if got := c[col("resource_name")]; got != `'=HYPERLINK("http://x")` {
		t.Errorf("formula not defused: %q", got)
	}
	if c[col("exception_owner")] != "net-team@example.com" || c[col("status")] != "EXCEPTED" {
		t.Errorf("exception columns: %v", c)
	}
	iac := byID["vpc-flow-logs-enabled aws_vpc.main"]
	if iac[col("location")] != "infra/network/main.tf:12" {
		t.Errorf("location = %q", iac[col("location")])
	}
}

func TestSARIFDetails(t *testing.T) {
	var log sarifLog
	if err := json.Unmarshal(render(t, "sarif", sampleResult()), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	byRes := map[string]sarifResult{}
	for _, res := range run.Results {
		byRes[res.Properties["resource_id"].(string)] = res
	}
	iac := byRes["aws_vpc.main"]
	pl := iac.Locations[0].PhysicalLocation
	if pl == nil || pl.ArtifactLocation.URI != "infra/network/main.tf" || pl.Region.StartLine != 12 {
		t.Errorf("IaC finding location = %+v", iac.Locations)
	}
	live := byRes["vpc-0aaa"]
	if live.Locations[0].PhysicalLocation != nil || live.Locations[0].LogicalLocations[0].FullyQualifiedName != "arn:aws:ec2:us-east-1:111111111111:vpc/vpc-0aaa" {
		t.Errorf("live finding location = %+v", live.Locations)
	}
	if live.Level != "error" || live.Kind != "fail" {
		t.Errorf("FAIL → %s/%s", live.Kind, live.Level)
	}
	if ex := byRes["vpc-0ccc"]; len(ex.Suppressions) != 1 || ex.Suppressions[0].Status != "accepted" {
		t.Errorf("excepted finding suppressions = %+v", ex.Suppressions)
	}
	if e := byRes["vpc-0ddd"]; e.Level != "warning" {
		t.Errorf("ERROR → level %s", e.Level)
	}
	rule := run.Tool.Driver.Rules[byRes["vpc-0aaa"].RuleIndex]
	tags, _ := rule.Properties["tags"].([]any)
	if !slices.Contains(tags, any("CIS AWS Foundations v3.0 3.7")) || !strings.Contains(rule.Help.Text, "Remediation") {
		t.Errorf("rule = %+v", rule)
	}
}

func TestASFFMapping(t *testing.T) {
	var fs []asffFinding
	if err := json.Unmarshal(render(t, "asff", sampleResult()), &fs); err != nil {
		t.Fatal(err)
	}
	type row struct{ Compliance, Workflow, Label, Type string }
	got := map[string]row{}
	for _, f := range fs {
		got[f.ProductFields["flowguard/ResourceId"]] = row{f.Compliance.Status, f.Workflow.Status, f.Severity.Label, f.Resources[0].Type}
	}
	want := map[string]row{
		"vpc-0aaa":       {"FAILED", "NEW", "MEDIUM", "AwsEc2Vpc"},
		"vpc-0bbb":       {"PASSED", "RESOLVED", "INFORMATIONAL", "AwsEc2Vpc"},
		"vpc-0ccc":       {"FAILED", "SUPPRESSED", "MEDIUM", "AwsEc2Vpc"},
		"vpc-0ddd":       {"NOT_AVAILABLE", "NEW", "MEDIUM", "AwsEc2Vpc"},
		"vpc-0eee":       {"NOT_AVAILABLE", "NEW", "INFORMATIONAL", "AwsEc2Vpc"},
		"vpc-0fff":       {"FAILED", "NEW", "MEDIUM", "AwsEc2Vpc"},
		"/vpc/flow-logs": {"FAILED", "NEW", "LOW", "Other"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ASFF mapping (-want +got):\n%s", diff)
	}
	// Long messages are cut to Security Hub's limits, not rejected by it.
	r := sampleResult()
	r.Findings[0].Message = strings.Repeat("é", 2000)
	r.Findings[0].Title = strings.Repeat("t", 300)
	if p := validateASFF(render(t, "asff", r), r); len(p) > 0 {
		t.Errorf("long fields: %v", p)
	}
}

func TestHTMLEscapesEverything(t *testing.T) {
	page := render(t, "html", sampleResult())
	text := string(page)
	for _, want := range []string{
		`&lt;script&gt;alert(&#39;stale&#39;)&lt;/script&gt;`, // exception reason
		`legacy &lt;VPC&gt; &amp; migration`,                  // exception evidence
		`not authorized &lt;to&gt; perform`,                   // read error
		`<span class="badge stale">stale</span>`, `<span class="badge expired">expired</span>`,
		// In the data block, < > & are JSON escapes: nothing there can close the block.
		`\u003cscript\u003ealert(\"x\")\u003c/script\u003e`,  // VPC name
		`prod\"\u003e\u003cimg src=x onerror=alert(1)\u003e`, // tag value
	} {
		if !strings.Contains(text, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	d, err := htmlDataBlock(page)
	if err != nil {
		t.Fatal(err)
	}
	// The data is exact: the page shows the values as they are, as text.
	got := map[string]string{}
	for _, row := range d.Rows {
		for _, kv := range row.Tags {
			got[row.ID+" "+kv[0]] = kv[1]
		}
		got[row.ID+" name"] = row.Name
	}
	if got["vpc-0aaa name"] != `<script>alert("x")</script>` || got["vpc-0aaa env"] != "prod\"><img src=x onerror=alert(1)>" {
		t.Errorf("data block values: %q, %q", got["vpc-0aaa name"], got["vpc-0aaa env"])
	}
}

// TestHTMLOneRowPerVPC: a VPC with two checks is one row with a verdict per check, worst status first, and
// its evidence merged.
func TestHTMLOneRowPerVPC(t *testing.T) {
	r := sampleResult()
	retention := r.Findings[5] // vpc-0fff, FAIL DELIVERY_FAILED on vpc-flow-logs-enabled
	retention.CheckID, retention.Status, retention.Reason, retention.Message = "vpc-flow-logs-retention", finding.StatusPass, "", "keeps 400 days"
	retention.Severity = "low"
	retention.Evidence.Exception = nil
	retention.Evidence.LogGroups = []finding.LogGroupEvidence{{Name: "/lg", Exists: true, RetentionDays: ptr[int32](400)}}
	r.Findings = append(r.Findings, retention)
	r.Summarize()
	d, err := htmlDataBlock(render(t, "html", r))
	if err != nil {
		t.Fatal(err)
	}
	var row *htmlJSONRow
	n := 0
	for _, x := range d.Rows {
		if x.ID == "vpc-0fff" {
			row = x
			n++
		}
	}
	if n != 1 {
		t.Fatalf("vpc-0fff has %d rows, want 1", n)
	}
	if row.Status != finding.StatusFail || len(row.Findings) != 2 {
		t.Fatalf("row = %+v", row)
	}
	verdicts := map[string]string{}
	for _, f := range row.Findings {
		verdicts[d.Checks[f.Check].ID] = string(f.Status) + " " + f.Reason + " " + f.Severity
	}
	want := map[string]string{"vpc-flow-logs-enabled": "FAIL DELIVERY_FAILED medium", "vpc-flow-logs-retention": "PASS  low"}
	if diff := cmp.Diff(want, verdicts); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	if len(row.FlowLogs) != 1 || row.FlowLogs[0].ID != "fl-9" || row.FlowLogs[0].DeliverLogsStatus != "FAILED" || len(row.LogGroups) != 1 {
		t.Errorf("evidence not merged: %+v %+v", row.FlowLogs, row.LogGroups)
	}
	// Worst first: the first rows fail.
	if d.Rows[0].Status != finding.StatusFail {
		t.Errorf("first row is %s", d.Rows[0].Status)
	}
	var controls []string
	for _, c := range d.Checks {
		if c.ID == "vpc-flow-logs-enabled" {
			controls = c.Controls
		}
	}
	if !slices.Contains(controls, "CIS AWS Foundations v3.0 3.7") {
		t.Errorf("controls = %v", controls)
	}
}

func TestLookup(t *testing.T) {
	want := []string{"asff", "csv", "html", "json", "junit", "markdown", "ocsf", "sarif", "table"}
	if diff := cmp.Diff(want, Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	if _, err := Lookup("pdf"); err == nil || !strings.Contains(err.Error(), "sarif") {
		t.Errorf("Lookup(pdf) = %v", err)
	}
}

// TestOptionsChecksDescribeRules: a result without Checks gets its rule help from Options.Checks.
func TestOptionsChecksDescribeRules(t *testing.T) {
	r := sampleResult()
	r.Checks = nil
	var buf bytes.Buffer
	o := Options{Checks: []finding.CheckInfo{{ID: "log-group-retention", Description: "keep logs", Remediation: "put-retention-policy"}, {ID: "unused-check"}}}
	if err := WriteSARIF(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	json.Unmarshal(buf.Bytes(), &log)
	var ids []string
	for _, rule := range log.Runs[0].Tool.Driver.Rules {
		ids = append(ids, rule.ID)
		if rule.ID == "log-group-retention" && !strings.Contains(rule.Help.Text, "Remediation: put-retention-policy") {
			t.Errorf("help = %q", rule.Help.Text)
		}
	}
	if diff := cmp.Diff([]string{"log-group-retention", "vpc-flow-logs-enabled"}, ids); diff != "" {
		t.Errorf("rules (-want +got), a check without findings gets no rule:\n%s", diff)
	}
}
