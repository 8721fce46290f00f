package cmdutil

import (
	"bytes"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/textsafe"
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

// Retry lines name the call, the region and the attempt; data from AWS (the error code) is escaped.
func TestProgressRetryLine(t *testing.T) {
	t.Parallel()
	var tty, piped bytes.Buffer
	p := NewProgress(&IOStreams{ErrOut: &tty, ErrTTY: true})
	p.Retry(awsconf.Retry{Operation: "ec2:DescribeFlowLogs", Region: "eu-west-1", Attempt: 3, MaxAttempts: 10, Code: "RequestLimitExceeded", Throttle: true})
	p.Retry(awsconf.Retry{Operation: "logs:DescribeLogGroups", Region: "eu-west-1", Attempt: 2, MaxAttempts: 10, Code: "Bad\x1b[2J"})
	p.Retry(awsconf.Retry{Operation: "sts:GetCallerIdentity", Region: "us-east-1", Attempt: 2, MaxAttempts: 2, Code: awsconf.CodeCannotConnect})
	want := "\r\x1b[Kthrottled by ec2:DescribeFlowLogs in eu-west-1, retrying (attempt 3/10)…" +
		"\r\x1b[Klogs:DescribeLogGroups in eu-west-1 failed (" + textsafe.Terminal("Bad\x1b[2J") + "), retrying (attempt 2/10)…" +
		"\r\x1b[Kcannot connect for sts:GetCallerIdentity in us-east-1, retrying (attempt 2/2)…"
	if got := tty.String(); got != want || strings.Contains(got, "\x1b[2J") {
		t.Errorf("terminal retry lines = %q, want %q", got, want)
	}
	NewProgress(&IOStreams{ErrOut: &piped}).Retry(awsconf.Retry{Operation: "ec2:DescribeVpcs", Throttle: true})
	if piped.Len() != 0 {
		t.Errorf("retry line written to a pipe: %q", piped.String())
	}
}
