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

func TestProgressShowAndDoneTwice(t *testing.T) {
	t.Parallel()
	var tty bytes.Buffer
	p := NewProgress(&IOStreams{ErrOut: &tty, ErrTTY: true})
	p.Done() // nothing shown yet: nothing to clear
	p.Show("read 1,234 records, 1.0 KiB, 1/2 inputs")
	p.Done()
	p.Done() // cleared once
	if got := tty.String(); got != "\r\x1b[Kread 1,234 records, 1.0 KiB, 1/2 inputs\r\x1b[K" || !p.Enabled() {
		t.Errorf("terminal progress = %q", got)
	}
}
