package cli

import (
	"errors"
	"fmt"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// inputError maps an error reading the input of a scan: an input that holds nothing to evaluate is an
// incomplete scan (exit 2: nothing read is not compliance); anything else is a usage error (exit 3).
func inputError(prefix string, err error) error {
	if prefix != "" {
		err = fmt.Errorf("%s: %w", prefix, err)
	}
	if errors.Is(err, inventory.ErrNothingToEvaluate) {
		return &ExitError{Code: finding.ExitIncomplete, Err: err}
	}
	return &ExitError{Code: finding.ExitUsage, Err: err}
}
