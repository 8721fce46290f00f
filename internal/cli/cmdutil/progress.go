package cmdutil

import (
	"fmt"
	"io"
	"sync"
)

// Progress is the one status line a command redraws on a terminal's stderr while it works ("scanning: 3/17
// regions", "read 1,234,567 records, 812.4 MiB, 17/48 inputs"), and nothing when stderr is piped: a pipe or
// a file never receives carriage returns.
type Progress struct {
	mu  sync.Mutex
	w   io.Writer
	on  bool
	any bool
}

// NewProgress writes to s.ErrOut when it is a terminal.
func NewProgress(s *IOStreams) *Progress { return &Progress{w: s.ErrOut, on: s.ErrTTY} }

// Enabled says whether the line is shown (stderr is a terminal): callers skip computing it otherwise.
func (p *Progress) Enabled() bool { return p.on }

// Show replaces the line with s. It is safe to call from several goroutines.
func (p *Progress) Show(s string) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.any = true
	fmt.Fprint(p.w, "\r\x1b[K"+s)
}

// Update shows done of total regions (scan, query).
func (p *Progress) Update(done, total int) {
	if !p.on {
		return
	}
	p.Show(fmt.Sprintf("scanning: %d/%d regions", done, total))
}

// Done clears the line, if anything was shown.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on && p.any {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.any = false
	}
}
