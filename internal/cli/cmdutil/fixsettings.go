package cmdutil

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/flowguard/flowguard/internal/remediate/fix"
)

// FixSettingsFlags are what flowguard creates when it fixes a VPC — the delivery role, the log group, the
// destination and record format, the tags — as flags: `fix` and `guard --mode fix` take the same ones.
type FixSettingsFlags struct {
	Settings fix.Settings
	// Layout is the S3 DestinationOptions, copied into Settings by Resolve.
	Layout S3LayoutOptions
	// Tags are the --tag KEY=VALUE pairs, parsed into Settings by Resolve.
	Tags []string
}

// AddFlags registers the flags with fix's defaults; retentionUsage is --retention-days's help, which says what
// else the value sets on each command.
func (o *FixSettingsFlags) AddFlags(fs *pflag.FlagSet, retentionUsage string) {
	o.Settings = fix.DefaultSettings()
	s := &o.Settings
	fs.StringVar(&s.RoleName, "delivery-role-name", s.RoleName, "IAM role flowguard creates or reuses for flow-log delivery to CloudWatch Logs")
	fs.StringVar(&s.RoleARN, "delivery-role-arn", "", "use this existing flow-log delivery role as is (instead of --delivery-role-name)")
	fs.StringVar(&s.LogGroupTemplate, "log-group", s.LogGroupTemplate, "log group name template: {vpc-id}, {region}, {account}")
	fs.Int32Var(&s.RetentionDays, "retention-days", s.RetentionDays, retentionUsage)
	fs.StringVar(&s.KMSKey, "kms-key", "", "KMS key ARN to encrypt the log groups flowguard creates")
	fs.StringVar(&s.TrafficType, "traffic-type", s.TrafficType, "REJECT or ALL")
	fs.StringVar(&s.Destination, "destination", s.Destination, "cloud-watch-logs or s3")
	fs.StringVar(&s.S3BucketARN, "s3-bucket-arn", "", "S3 destination arn:aws:s3:::BUCKET[/PREFIX]; {region} and {account} are replaced")
	o.Layout.AddFlags(fs, "S3 destination")
	fs.StringVar(&s.LogFormat, "log-format", "", "custom record format, e.g. '${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action}' (default: the AWS default format)")
	fs.Int32Var(&s.MaxAggregationInterval, "max-aggregation-interval", s.MaxAggregationInterval, "60 or 600 seconds")
	fs.StringArrayVar(&o.Tags, "tag", nil, "tag KEY=VALUE for what flowguard creates (repeatable); flowguard:run-id and flowguard:managed are always added")
	fs.BoolVar(&s.FixRetention, "fix-retention", false, "raise the retention of existing flow-log log groups under --retention-days")
}

// Resolve copies the S3 layout and the tags into Settings and validates every setting, so that a mistake is a
// usage error before any AWS call.
func (o *FixSettingsFlags) Resolve() error {
	o.Settings.FileFormat = o.Layout.FileFormat
	o.Settings.HivePartitions, o.Settings.PerHourPartitions = o.Layout.HivePartitions, o.Layout.PerHourPartitions
	tags, err := parseTags(o.Tags)
	if err != nil {
		return Usage(err)
	}
	o.Settings.Tags = tags
	check := o.Settings
	if err := check.Validate(); err != nil {
		return Usage(err)
	}
	return nil
}

func parseTags(kvs []string) (map[string]string, error) {
	if len(kvs) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--tag %q: want KEY=VALUE", kv)
		}
		out[k] = v
	}
	return out, nil
}
