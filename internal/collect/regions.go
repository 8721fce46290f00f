package collect

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// PartitionOf returns the AWS partition a region belongs to, from its name.
func PartitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-isof-"), strings.HasPrefix(region, "eu-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}

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
		if partition != "" && PartitionOf(name) != partition {
			continue
		}
		regions = append(regions, name)
	}
	sort.Strings(regions)
	return regions, nil
}
