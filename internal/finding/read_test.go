package finding_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/finding"
)

const f1 = `{"check_id":"vpc-flow-logs-enabled","status":"FAIL","account_id":"111111111111","region":"us-east-1","resource_type":"AWS::EC2::VPC","resource_id":"vpc-1"}`
const f2 = `{"check_id":"vpc-flow-logs-enabled","status":"PASS","account_id":"111111111111","region":"us-east-1","resource_type":"AWS::EC2::VPC","resource_id":"vpc-2"}`

func doc(findings string) string {
	return `{"schema":"flowguard.scan/v1","accounts":["111111111111"],"regions":["us-east-1"]` + findings + `}`
}

func TestDecodeRefusesWhatWouldMisleadADiff(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"no findings key", doc(``), "no `findings` list (got missing)"},
		{"null findings", doc(`,"findings":null`), "no `findings` list (got null)"},
		{"findings not a list", doc(`,"findings":{}`), "no `findings` list"},
		{"no schema", `{"findings":[]}`, "schema missing"},
		{"other schema", `{"schema":"flowguard.other/v1","findings":[]}`, `schema "flowguard.other/v1"`},
		{"snapshot", `{"schema":"flowguard.inventory/v1","regions":[]}`, "is an inventory snapshot (scan --save-snapshot), not a scan result: write one with `flowguard scan -o json`"},
		{"snapshot without schema", `{"regions":[{"region":"us-east-1"}]}`, "is an inventory snapshot"},
		{"unknown status", doc(`,"findings":[` + f2 + `,` + strings.Replace(f1, `"FAIL"`, `"OK"`, 1) + `]`),
			`findings[1] (check "vpc-flow-logs-enabled" account "111111111111" region "us-east-1" resource "vpc-1"): unknown status "OK"`},
		{"empty status", doc(`,"findings":[` + strings.Replace(f1, `"status":"FAIL",`, ``, 1) + `]`), `findings[0]`},
		{"null finding", doc(`,"findings":[null]`), "findings[0]"},
		{"duplicate", doc(`,"findings":[` + f1 + `,` + f2 + `,` + f1 + `]`), "findings[2]"},
		{"duplicate says the first", doc(`,"findings":[` + f1 + `,` + f2 + `,` + f1 + `]`), "the same finding as findings[0]"},
		{"wrong type", doc(`,"findings":[{"status":3}]`), "findings.status"},
		{"not json", `{`, "not a flowguard scan JSON document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := finding.Decode("new.json", []byte(tc.doc))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "new.json") {
				t.Errorf("error %q does not name the file and say %q", err, tc.want)
			}
		})
	}
}

func TestDecodeAcceptsAScan(t *testing.T) {
	for _, d := range []string{doc(`,"findings":[]`), doc(`,"findings":[` + f1 + `,` + f2 + `]`)} {
		r, err := finding.Decode("x.json", []byte(d))
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if r.Findings == nil {
			t.Fatalf("findings nil")
		}
	}
	p := filepath.Join(t.TempDir(), "scan.json")
	os.WriteFile(p, []byte(doc(`,"findings":[`+f1+`]`)), 0o644)
	if r, err := finding.ReadFile(p); err != nil || len(r.Findings) != 1 {
		t.Fatalf("ReadFile: %v", err)
	}
}

// FuzzDecode: Decode never panics, and a result it accepts has only known statuses and no finding twice.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		doc(`,"findings":[]`), doc(`,"findings":[` + f1 + `,` + f2 + `]`), doc(`,"findings":[` + f1 + `,` + f1 + `]`),
		doc(`,"findings":null`), doc(``), `{"schema":"flowguard.scan/v1","findings":[{"status":"EXCEPTED","check_id":"c","resource_id":"r","evidence":{"exception":{"owner":"o"}}}],"exceptions":[{"owner":"o","matched":2}]}`,
		`null`, `[]`, `{"findings":[],"schema":1}`,
	} {
		f.Add([]byte(s))
	}
	known := map[finding.Status]bool{}
	for _, s := range finding.Statuses {
		known[s] = true
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := finding.Decode("fuzz.json", data)
		if err != nil {
			return
		}
		if r.Schema != finding.ResultSchema || r.Findings == nil {
			t.Fatalf("accepted schema %q findings %v", r.Schema, r.Findings)
		}
		seen := map[string]bool{}
		for _, x := range r.Findings {
			if !known[x.Status] || seen[x.Key()] {
				t.Fatalf("accepted %+v", x)
			}
			seen[x.Key()] = true
		}
	})
}
