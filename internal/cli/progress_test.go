package cli

import (
	"bytes"
	"testing"
)

func TestProgressOnlyOnATerminal(t *testing.T) {
	var tty, piped bytes.Buffer
	p := newProgress(&IOStreams{ErrOut: &tty, ErrTTY: true})
	p.update(1, 3)
	p.update(3, 3)
	p.done()
	if got := tty.String(); got != "\r\x1b[Kscanning: 1/3 regions\r\x1b[Kscanning: 3/3 regions\r\x1b[K" {
		t.Errorf("terminal progress = %q", got)
	}
	q := newProgress(&IOStreams{ErrOut: &piped})
	q.update(1, 3)
	q.done()
	if piped.Len() != 0 {
		t.Errorf("progress written to a pipe: %q", piped.String())
	}
}
