package cmdutil

import (
	"bufio"
	"fmt"
	"strings"
)

// Confirm asks question on ErrOut and reads a y/N answer from In. Only "y" or "yes" (any case) is yes; an
// empty line, end of input or anything else is no.
func (s *IOStreams) Confirm(question string) bool {
	fmt.Fprintf(s.ErrOut, "\n%s [y/N] ", question)
	line, _ := bufio.NewReader(s.In).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes"
}

// ConfirmOrStop asks question; a no prints "nothing changed" and returns the ExitDeclined error the caller
// returns (declining is not a failure, and not a success that changed something).
func (s *IOStreams) ConfirmOrStop(question string) error {
	if s.Confirm(question) {
		return nil
	}
	fmt.Fprintln(s.ErrOut, "flowguard: declined: nothing changed")
	return &ExitError{Code: ExitDeclined}
}
