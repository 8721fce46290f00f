package terraform

import (
	"bytes"

	"github.com/flowguard/flowguard/internal/iac"
)

// LooksLikePlan reports whether src is the JSON of `terraform show -json` (a plan or a state).
func LooksLikePlan(src []byte) bool {
	return bytes.Contains(src, []byte(`"format_version"`)) &&
		(bytes.Contains(src, []byte(`"planned_values"`)) || bytes.Contains(src, []byte(`"terraform_version"`)))
}

// ReadPlan reads plan JSON into a unit.
func ReadPlan(file string, src []byte, qualify bool) (*iac.Unit, error) {
	u := iac.NewUnit(iac.KindTerraformPlan, file, "", qualify)
	return u, nil
}
