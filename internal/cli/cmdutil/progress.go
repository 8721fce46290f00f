package cmdutil

import (
	"fmt"
	"io"
	"sync"
)

// Progress shows "regions done / total" on a terminal's stderr, and nothing when stderr is piped.
type Progress struct {
	mu  sync.Mutex
	w   io.Writer
	on  bool
	any bool
}

// NewProgress writes to s.ErrOut when it is a terminal.
func NewProgress(s *IOStreams) *Progress { return &Progress{w: s.ErrOut, on: s.ErrTTY} }

// Update shows done of total regions.
func (p *Progress) Update(done, total int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.any = true
	fmt.Fprintf(p.w, "\r\x1b[Kscanning: %d/%d regions", done, total)
}

// Done clears the progress line.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on && p.any {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
