package cli

import (
	"io"
	"os"

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
	// Getenv reads the environment (NO_COLOR, AWS_*); tests can replace it.
	Getenv func(string) string
}

// System returns the process's standard streams.
func System() *IOStreams {
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
