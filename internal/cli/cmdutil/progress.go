package cmdutil

import (
	"fmt"
	"io"
	"sync"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/textsafe"
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

// Retry shows the retry the SDK is about to make ("throttled by ec2:DescribeFlowLogs in eu-west-1, retrying
// (attempt 3/10)…"): set it as awsconf.Options.OnRetry, so a slow, throttled scan says why on a terminal. The
// next Update replaces it.
func (p *Progress) Retry(r awsconf.Retry) {
	if !p.on {
		return
	}
	op, region := textsafe.Terminal(r.Operation), textsafe.Terminal(r.Region)
	var why string
	switch {
	case r.Throttle:
		why = fmt.Sprintf("throttled by %s in %s", op, region)
	case r.Code == awsconf.CodeCannotConnect:
		why = fmt.Sprintf("cannot connect for %s in %s", op, region)
	case r.Code != "":
		why = fmt.Sprintf("%s in %s failed (%s)", op, region, textsafe.Terminal(r.Code))
	default:
		why = fmt.Sprintf("%s in %s failed", op, region)
	}
	p.Show(fmt.Sprintf("%s, retrying (attempt %d/%d)…", why, r.Attempt, r.MaxAttempts))
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
