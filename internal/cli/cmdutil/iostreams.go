package cmdutil

import (
	"bytes"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// IOStreams is where a command reads and writes; commands never touch os.Stdout directly, so tests can run
// them in-process and terminal behaviour (colour, progress, prompts) is decided in one place.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY and ErrTTY say whether Out and ErrOut are terminals: colour and progress only then.
	OutTTY, ErrTTY, InTTY bool
	// Getenv reads the environment for NO_COLOR and TERM; NewFactory sets it to the factory's Getenv.
	Getenv func(string) string
}

// SystemStreams returns the process's standard streams.
func SystemStreams() *IOStreams {
	isTTY := func(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutTTY: isTTY(os.Stdout), ErrTTY: isTTY(os.Stderr), InTTY: isTTY(os.Stdin),
		Getenv: os.Getenv,
	}
}

// ColorEnabled reports whether Out may carry ANSI colour.
func (s *IOStreams) ColorEnabled() bool {
	return s.OutTTY && s.Getenv("NO_COLOR") == "" && s.Getenv("TERM") != "dumb"
}

// Test returns streams over buffers, not terminals, with an empty environment: the command's stdout and
// stderr are the returned buffers, its stdin is in.
func Test(in string) (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: strings.NewReader(in), Out: out, ErrOut: errOut, Getenv: func(string) string { return "" }}, out, errOut
}
