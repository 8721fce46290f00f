package cmdutil

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/flowguard/flowguard/internal/awsconf"
)

// Factory hands every command what it needs from the outside world, so a command never reads os.Stdout,
// os.Getenv or the clock itself and a test can run it in-process, in parallel, with its own world.
type Factory struct {
	IOStreams *IOStreams
	// Getenv is the environment: NO_COLOR, AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, credentials, HOME.
	Getenv func(string) string
	// Now is the clock (exceptions' expiry, relative --since times, run ids).
	Now func() time.Time
	// AWSConfig loads the AWS SDK config for the AWS flags; a failure is a usage error (exit 3), on every command.
	AWSConfig func(ctx context.Context, o awsconf.Options) (aws.Config, error)
	// JournalDir is the default --journal-dir of fix, verify, rollback and runs.
	JournalDir func() string
}

// NewFactory wires a factory to io and getenv: the AWS config is read through getenv, and so is the home
// directory that holds the journals.
func NewFactory(io *IOStreams, getenv func(string) string) *Factory {
	if getenv == nil {
		getenv = os.Getenv
	}
	if io.Getenv == nil {
		io.Getenv = getenv
	}
	return &Factory{
		IOStreams: io,
		Getenv:    getenv,
		Now:       time.Now,
		AWSConfig: func(ctx context.Context, o awsconf.Options) (aws.Config, error) {
			cfg, err := awsconf.LoadEnv(ctx, o, getenv)
			return cfg, Usage(err)
		},
		JournalDir: func() string { return DefaultJournalDir(getenv) },
	}
}

// System is the factory of the flowguard process: its standard streams and environment.
func System() *Factory { return NewFactory(SystemStreams(), os.Getenv) }

// DefaultJournalDir is ~/.flowguard/runs, with the home directory from getenv (HOME, or USERPROFILE on
// Windows); .flowguard/runs in the working directory when there is none.
func DefaultJournalDir(getenv func(string) string) string {
	home := getenv("HOME")
	if home == "" {
		home = getenv("USERPROFILE")
	}
	if home == "" {
		return filepath.Join(".flowguard", "runs")
	}
	return filepath.Join(home, ".flowguard", "runs")
}

// NewTestFactory is a factory for running commands in-process in a test: stdin reads in, stdout and stderr are
// the returned buffers (not terminals), and the environment is env and nothing else, so tests that each have
// their own environment can run in parallel. The AWS SDK still reads the process environment for variables
// env does not set; env's AWS_* variables outrank it.
func NewTestFactory(in string, env map[string]string) (*Factory, *bytes.Buffer, *bytes.Buffer) {
	io, out, errOut := Test(in)
	getenv := func(k string) string { return env[k] }
	io.Getenv = getenv
	return NewFactory(io, getenv), out, errOut
}
