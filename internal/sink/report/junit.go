package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/flowguard/flowguard/internal/finding"
)

// JUnit XML as CI systems (Jenkins, GitLab, GitHub test reporters) read it: one testsuite per account and
// region, one testcase per finding with the check id as classname. FAIL is a <failure>, ERROR and UNKNOWN an
// <error>, SKIPPED and EXCEPTED are <skipped> with the reason; PASS is a plain testcase.

type junitTestSuites struct {
	XMLName  xml.Name         `xml:"testsuites"`
	Name     string           `xml:"name,attr"`
	Tests    int              `xml:"tests,attr"`
	Failures int              `xml:"failures,attr"`
	Errors   int              `xml:"errors,attr"`
	Skipped  int              `xml:"skipped,attr"`
	Time     string           `xml:"time,attr"`
	Suites   []junitTestSuite `xml:"testsuite"`
}

type junitTestSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Time       string           `xml:"time,attr"`
	Timestamp  string           `xml:"timestamp,attr,omitempty"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Cases      []junitTestCase  `xml:"testcase"`
}

type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitTestCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes the JUnit XML report.
func WriteJUnit(w io.Writer, r *finding.Result, _ Options) error {
	doc := junitTestSuites{Name: "flowguard", Time: "0"}
	if !r.FinishedAt.IsZero() && !r.StartedAt.IsZero() {
		doc.Time = fmt.Sprintf("%.3f", r.FinishedAt.Sub(r.StartedAt).Seconds())
	}
	var cur *junitTestSuite
	for _, f := range sortedFindings(r) {
		name := suiteName(f)
		if cur == nil || cur.Name != name {
			doc.Suites = append(doc.Suites, junitTestSuite{Name: name, Time: "0"})
			cur = &doc.Suites[len(doc.Suites)-1]
			if !r.StartedAt.IsZero() {
				cur.Timestamp = r.StartedAt.UTC().Format("2006-01-02T15:04:05")
			}
			if f.AccountID != "" {
				cur.Properties = &junitProperties{[]junitProperty{{Name: "account_id", Value: f.AccountID}, {Name: "region", Value: f.Region}}}
			}
		}
		tc := junitTestCase{Name: caseName(f), Classname: "flowguard." + f.CheckID, Time: "0"}
		if f.Location != nil {
			tc.File, tc.Line = f.Location.File, f.Location.Line
		}
		detail := junitDetail(f)
		cur.Tests++
		switch f.Status {
		case finding.StatusFail:
			cur.Failures++
			tc.Failure = &junitProblem{Message: f.Message, Type: orDash(f.Reason), Body: detail}
		case finding.StatusError, finding.StatusUnknown:
			cur.Errors++
			tc.Error = &junitProblem{Message: f.Message, Type: string(f.Status) + "/" + orDash(f.Reason), Body: detail}
		case finding.StatusSkipped, finding.StatusExcepted:
			cur.Skipped++
			msg := string(f.Status) + ": " + f.Message
			if e := f.Evidence.Exception; e != nil && f.Status == finding.StatusExcepted {
				msg = fmt.Sprintf("EXCEPTED until %s (owner %s): %s", e.Expires, e.Owner, e.Reason)
			}
			tc.Skipped = &junitSkipped{Message: msg}
		default:
			tc.SystemOut = f.Message
		}
		cur.Cases = append(cur.Cases, tc)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	// Read errors not tied to a finding still fail the build: one errored testcase each.
	if len(r.Errors) > 0 {
		s := junitTestSuite{Name: "flowguard read errors", Time: "0"}
		for _, e := range r.Errors {
			where := e.AccountID
			if e.Region != "" {
				where += "/" + e.Region
			}
			s.Tests++
			s.Errors++
			s.Cases = append(s.Cases, junitTestCase{Name: where + " " + e.Operation, Classname: "flowguard.read", Time: "0",
				Error: &junitProblem{Message: e.Message, Type: orDash(e.Code), Body: e.Message}})
		}
		doc.Suites = append(doc.Suites, s)
		doc.Tests += s.Tests
		doc.Errors += s.Errors
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func suiteName(f finding.Finding) string {
	if f.AccountID == "" {
		if f.Location != nil && f.Location.File != "" {
			return "iac " + f.Location.File
		}
		return "static"
	}
	return f.AccountID + "/" + orDash(f.Region)
}

func caseName(f finding.Finding) string {
	s := f.CheckID + " " + f.ResourceID
	if f.ResourceName != "" {
		s += " (" + f.ResourceName + ")"
	}
	return s
}

func junitDetail(f finding.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\n", f.Status, orDash(f.Reason), f.Message)
	fmt.Fprintf(&b, "resource: %s\n", resourceARN(f))
	if l := location(f); l != "" {
		fmt.Fprintf(&b, "location: %s\n", l)
	}
	if f.Evidence.Error != "" {
		fmt.Fprintf(&b, "error: %s\n", f.Evidence.Error)
	}
	if e := f.Evidence.Exception; e != nil && e.Expired {
		fmt.Fprintf(&b, "exception %s (owner %s) expired on %s\n", e.ID, e.Owner, e.Expires)
	}
	if len(f.Controls) > 0 {
		fmt.Fprintf(&b, "controls: %s\n", strings.Join(controlTags(f.Controls), ", "))
	}
	return b.String()
}
