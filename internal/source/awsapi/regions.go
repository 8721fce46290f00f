package awsapi

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/flowguard/flowguard/internal/inventory"
)

// PartitionFromARN returns the partition field of an ARN ("aws" for arn:aws:sts::…).
func PartitionFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) < 3 || parts[0] != "arn" {
		return ""
	}
	return parts[1]
}

// enabledRegions lists the regions enabled for the account (opt-in regions only once opted in), restricted to
// the caller's partition: DescribeRegions without AllRegions already leaves out regions not opted in, the
// status filter guards against endpoints that list everything.
func enabledRegions(ctx context.Context, client *ec2.Client, partition string) ([]string, error) {
	out, err := client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(false)})
	if err != nil {
		return nil, fmt.Errorf("describe regions: %w", err)
	}
	var regions []string
	for _, r := range out.Regions {
		name := aws.ToString(r.RegionName)
		switch aws.ToString(r.OptInStatus) {
		case "", "opt-in-not-required", "opted-in":
		default:
			continue
		}
		if partition != "" && inventory.PartitionOf(name) != partition {
			continue
		}
		regions = append(regions, name)
	}
	sort.Strings(regions)
	return regions, nil
}
