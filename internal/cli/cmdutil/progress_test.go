package cmdutil

import (
	"bytes"
	"testing"
)

func TestProgressOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	var tty, piped bytes.Buffer
	p := NewProgress(&IOStreams{ErrOut: &tty, ErrTTY: true})
	p.Update(1, 3)
	p.Update(3, 3)
	p.Done()
	if got := tty.String(); got != "\r\x1b[Kscanning: 1/3 regions\r\x1b[Kscanning: 3/3 regions\r\x1b[K" {
		t.Errorf("terminal progress = %q", got)
	}
	q := NewProgress(&IOStreams{ErrOut: &piped})
	q.Update(1, 3)
	q.Done()
	if piped.Len() != 0 {
		t.Errorf("progress written to a pipe: %q", piped.String())
	}
}
