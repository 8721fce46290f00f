package finding

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/flowguard/flowguard/internal/inventory"
)

// MaxResultBytes bounds the size of a saved scan result ReadFile accepts (1 GiB); see inventory.MaxSnapshotBytes.
const MaxResultBytes = 1 << 30

// ReadFile reads a saved scan result (`scan --output json`) and validates it with Decode.
func ReadFile(path string) (*Result, error) {
	data, err := inventory.ReadLimited(path, MaxResultBytes)
	if err != nil {
		return nil, fmt.Errorf("read scan result: %w", err)
	}
	return Decode(path, data)
}

// maxProblems bounds the problems Decode lists.
const maxProblems = 20

// Decode parses a flowguard.scan/v1 document and refuses what would make a comparison lie: another schema, no
// `findings` list (a result without it would read as "everything fixed"), a finding without its check or
// resource, a status flowguard does not write, or the same finding (check, account, region, resource) twice.
// Each problem names the entry (findings[3]). name is used in messages.
func Decode(name string, data []byte) (*Result, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("%s: not a flowguard scan JSON document: %w", name, err)
	}
	var schema string
	json.Unmarshal(top["schema"], &schema)
	if _, hasRegions := top["regions"]; schema == inventory.SnapshotSchema || (schema == "" && hasRegions && top["findings"] == nil) {
		// The other JSON flowguard writes; naming it beats a schema mismatch or a decoding error.
		return nil, fmt.Errorf("%s is an inventory snapshot (scan --save-snapshot), not a scan result: write one with `flowguard scan -o json` (scan --snapshot %s -o json evaluates this one)", name, name)
	}
	if raw, ok := top["schema"]; !ok || json.Unmarshal(raw, &schema) != nil || schema != ResultSchema {
		return nil, fmt.Errorf("%s: schema %s, want %q (write it with `flowguard scan --output json`)", name, orMissing(top["schema"]), ResultSchema)
	}
	if raw, ok := top["findings"]; !ok || len(raw) == 0 || raw[0] != '[' {
		return nil, fmt.Errorf("%s: no `findings` list (got %s): not a complete scan result", name, orMissing(raw))
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s: %s: want %s, got a JSON %s", name, te.Field, te.Type, te.Value)
		}
		return nil, fmt.Errorf("%s: not a flowguard scan JSON document: %w", name, err)
	}
	known := map[Status]bool{}
	for _, s := range Statuses {
		known[s] = true
	}
	var problems []error
	n := 0
	bad := func(format string, args ...any) {
		if n++; n <= maxProblems {
			problems = append(problems, fmt.Errorf(format, args...))
		}
	}
	seen := make(map[string]int, len(r.Findings))
	for i, f := range r.Findings {
		what := fmt.Sprintf("findings[%d] (check %q account %q region %q resource %q)", i, f.CheckID, f.AccountID, f.Region, f.ResourceID)
		switch {
		case !known[f.Status]:
			bad("%s: unknown status %q (want one of %v)", what, f.Status, Statuses)
		case f.CheckID == "" || f.ResourceID == "":
			bad("%s: no check_id or resource_id (or the entry is null)", what)
		}
		if first, dup := seen[f.Key()]; dup {
			bad("%s: the same finding as findings[%d]", what, first)
		} else {
			seen[f.Key()] = i
		}
	}
	if n > maxProblems {
		problems = append(problems, fmt.Errorf("… and %d more problems", n-maxProblems))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s: not a valid scan result: %w", name, errors.Join(problems...))
	}
	return &r, nil
}

func orMissing(raw json.RawMessage) string {
	if raw == nil {
		return "missing"
	}
	if r := []rune(string(raw)); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return string(raw)
}
