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

// ShowRetries is the throttling-retry line of the AWS commands (scan, query, fix, verify, rollback, logs athena
// run): on a terminal's stderr it sets aw.OnRetry to p.Retry and makes s's writers clear a shown line before
// they write, so a line a command prints (a fix step, a warning, the report) is never appended to a retry
// line. Piped, it changes nothing. Call it before the AWS config is loaded; Done clears the line at the end.
func ShowRetries(s *IOStreams, aw *awsconf.Options) *Progress {
	p := NewProgress(s)
	if p.on {
		aw.OnRetry = p.Retry
		s.Out, s.ErrOut = clearing{p, s.Out}, clearing{p, s.ErrOut}
	}
	return p
}

// clearing clears p's line before each write to w.
type clearing struct {
	p *Progress
	w io.Writer
}

func (c clearing) Write(b []byte) (int, error) {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	if c.p.any {
		fmt.Fprint(c.p.w, "\r\x1b[K")
		c.p.any = false
	}
	return c.w.Write(b)
}
