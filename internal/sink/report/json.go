package report

import (
	"encoding/json"
	"io"

	"github.com/flowguard/flowguard/internal/finding"
)

// WriteJSON writes the flowguard.scan/v1 document, indented, with empty lists as [] rather than null.
func WriteJSON(w io.Writer, r *finding.Result, _ Options) error {
	out := *r
	if out.Findings == nil {
		out.Findings = []finding.Finding{}
	}
	if out.Errors == nil {
		out.Errors = []finding.Error{}
	}
	if out.Accounts == nil {
		out.Accounts = []string{}
	}
	if out.Regions == nil {
		out.Regions = []string{}
	}
	for i := range out.Findings {
		if out.Findings[i].Controls == nil {
			out.Findings[i].Controls = []finding.Control{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
