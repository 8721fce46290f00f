package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// awsConfig is how a live source gets the caller's AWS config from the --profile/--region/--endpoint-url flags.
func awsConfig(o awsconf.Options) func(context.Context) (aws.Config, error) {
	return func(ctx context.Context) (aws.Config, error) { return awsconf.Load(ctx, o) }
}

// sourceError maps the error of loading a source (see inputError); fromAWSCLI names the --from-aws-cli
// directory when that was the input, for the message.
func sourceError(fromAWSCLI string, err error) error {
	if fromAWSCLI != "" {
		return inputError("--from-aws-cli", err)
	}
	return inputError("", err)
}

// inputError maps an error reading the input of a scan: an input that holds nothing to evaluate is an
// incomplete scan (exit 2: nothing read is not compliance); anything else is a usage error (exit 3).
func inputError(prefix string, err error) error {
	if prefix != "" {
		err = fmt.Errorf("%s: %w", prefix, err)
	}
	if errors.Is(err, inventory.ErrNothingToEvaluate) {
		return &ExitError{Code: finding.ExitIncomplete, Err: err}
	}
	return &ExitError{Code: finding.ExitUsage, Err: err}
}
