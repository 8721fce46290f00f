package awsapi

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Identity is whose credentials a config holds.
type Identity struct {
	AccountID string
	Partition string // from the caller ARN: aws, aws-cn, aws-us-gov…
	ARN       string
}

// CallerIdentity asks STS whose credentials cfg holds. It is the one identity lookup: the scan, the account
// resolver and fix all use it.
func CallerIdentity(ctx context.Context, cfg aws.Config) (Identity, error) {
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, fmt.Errorf("identify the AWS account (sts:GetCallerIdentity): %w", err)
	}
	arn := aws.ToString(out.Arn)
	return Identity{AccountID: aws.ToString(out.Account), Partition: PartitionFromARN(arn), ARN: arn}, nil
}
