// Package cmdutil is what every flowguard command shares: IO streams, the factory of AWS configs, clocks and
// environment, the exit codes and the errors that carry them, the flag vocabulary and its deprecated aliases,
// the one report-output helper and the one prompt. Exit codes live here and nowhere else: domain packages
// summarise a run as a finding.Outcome, and only the command layer turns that into a process exit code.
package cmdutil

import (
	"errors"
	"fmt"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// Exit codes shared by every command.
const (
	ExitOK         = 0 // everything evaluated and passing
	ExitFail       = 1 // at least one FAIL (or a change that failed)
	ExitIncomplete = 2 // something could not be evaluated (ERROR findings, read errors, cancelled)
	ExitUsage      = 3 // usage or configuration error
	ExitPartial    = 4 // fix: everything attempted was applied, but VPCs were deferred (--max-batches)
	ExitDeclined   = 5 // the confirmation prompt was declined: nothing changed
)

// ExitError carries an exit code out of a command. A nil Err means the command already reported everything.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// UsageError marks a bad flag, argument or configuration: exit code 3.
func UsageError(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// Usage wraps err (a bad flag, argument or configuration) as a usage error: exit code 3.
func Usage(err error) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: ExitUsage, Err: err}
}

// Incomplete wraps err (something could not be read, written or finished) as exit code 2.
func Incomplete(err error) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: ExitIncomplete, Err: err}
}

// OutcomeCode maps a run's outcome to the documented exit code.
func OutcomeCode(o finding.Outcome) int {
	switch o {
	case finding.OutcomeOK:
		return ExitOK
	case finding.OutcomeFail:
		return ExitFail
	case finding.OutcomePartial:
		return ExitPartial
	}
	return ExitIncomplete
}

// OutcomeError is nil for an OK outcome, else an ExitError with the outcome's code and nothing more to say.
func OutcomeError(o finding.Outcome) error {
	if code := OutcomeCode(o); code != ExitOK {
		return &ExitError{Code: code}
	}
	return nil
}

// InputError maps an error reading the input of a scan: an input that holds nothing to evaluate is an
// incomplete scan (exit 2: nothing read is not compliance); anything else is a usage error (exit 3).
func InputError(prefix string, err error) error {
	if prefix != "" {
		err = fmt.Errorf("%s: %w", prefix, err)
	}
	if errors.Is(err, inventory.ErrNothingToEvaluate) {
		return &ExitError{Code: ExitIncomplete, Err: err}
	}
	return &ExitError{Code: ExitUsage, Err: err}
}

// CodeOf is the exit code err stands for: 0 for nil, the code of an ExitError, else 3 (cobra returns plain
// errors only for usage problems: an unknown flag, a bad value).
func CodeOf(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitUsage
}
