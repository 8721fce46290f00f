// Package fix turns failing flow-log findings into a reviewed remediation plan and applies it: a delivery role,
// log groups and VPC-level flow logs, rolled out in batches (internet-exposed and production VPCs first),
// journalled before and after every change so that a run can be resumed, verified and rolled back exactly.
package fix

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/remediate/defaults"
	"github.com/flowguard/flowguard/internal/remediate/fix/logformat"
	"github.com/flowguard/flowguard/internal/source/awsapi"
)

// Tags flowguard puts on everything it creates; rollback only deletes what carries the run's id.
const (
	TagManaged = "flowguard:managed"
	TagRunID   = "flowguard:run-id"
)

// Defaults.
const (
	DefaultRoleName         = defaults.DeliveryRoleName
	DefaultPolicyName       = "flowguard-flow-logs-delivery"
	DefaultLogGroupTemplate = defaults.LogGroupTemplate
	DefaultRetentionDays    = defaults.RetentionDays
	// DefaultTrafficType is ALL, as in the baseline; defaults.TrafficType says why.
	DefaultTrafficType = defaults.TrafficType
	DefaultPriorityTag = "Environment=prod*"
	DefaultBatchSize   = 50
	// DefaultConcurrency is the one --concurrency default of every command: account-regions at once.
	DefaultConcurrency = awsapi.DefaultConcurrency
	// maxResourceIDs is how many VPCs one CreateFlowLogs call may name (AWS allows 1000 for VPCs).
	maxResourceIDs = 1000
)

// Check ids the plan acts on.
const (
	CheckEnabled   = engine.CheckEnabled
	CheckRetention = engine.CheckRetention
)

// RetentionValues are the retention periods CloudWatch Logs accepts.
var RetentionValues = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// Settings are the choices of a fix run; they are journalled, so a resumed run keeps them.
type Settings struct {
	// RoleName is the delivery role to create or reuse; RoleARN an existing role to use as is.
	RoleName   string `json:"role_name,omitempty"`
	RoleARN    string `json:"role_arn,omitempty"`
	PolicyName string `json:"policy_name"`
	// LogGroupTemplate names the log group of a VPC: {vpc-id}, {region} and {account} are replaced.
	LogGroupTemplate string `json:"log_group_template"`
	RetentionDays    int32  `json:"retention_days"`
	KMSKey           string `json:"kms_key,omitempty"`

	TrafficType string `json:"traffic_type"`
	Destination string `json:"destination"`
	// S3BucketARN is arn:aws:s3:::bucket[/prefix] for S3 destinations.
	S3BucketARN       string `json:"s3_bucket_arn,omitempty"`
	FileFormat        string `json:"file_format,omitempty"`
	HivePartitions    bool   `json:"hive_partitions,omitempty"`
	PerHourPartitions bool   `json:"per_hour_partitions,omitempty"`
	// LogFormat is empty for the default format.
	LogFormat              string            `json:"log_format,omitempty"`
	MaxAggregationInterval int32             `json:"max_aggregation_interval"`
	Tags                   map[string]string `json:"tags,omitempty"`

	// FixRetention raises the retention of existing flow-log log groups below RetentionDays.
	FixRetention bool `json:"fix_retention,omitempty"`

	// PriorityTag selects production VPCs: KEY=GLOB, matched case-insensitively.
	PriorityTag string `json:"priority_tag"`
	BatchSize   int    `json:"batch_size"`
	MaxBatches  int    `json:"max_batches,omitempty"`
}

// DefaultSettings returns the defaults of `flowguard fix`.
func DefaultSettings() Settings {
	return Settings{
		RoleName: DefaultRoleName, PolicyName: DefaultPolicyName, LogGroupTemplate: DefaultLogGroupTemplate,
		RetentionDays: DefaultRetentionDays, TrafficType: DefaultTrafficType,
		Destination: inventory.DestinationCloudWatchLogs, FileFormat: "plain-text",
		MaxAggregationInterval: defaults.MaxAggregationInterval, PriorityTag: DefaultPriorityTag, BatchSize: DefaultBatchSize,
	}
}

// Validate checks every setting before anything is read or changed, and normalizes the log format.
func (s *Settings) Validate() error {
	s.TrafficType = strings.ToUpper(s.TrafficType)
	if s.TrafficType != inventory.TrafficReject && s.TrafficType != inventory.TrafficAll {
		return fmt.Errorf("--traffic-type %q: want REJECT or ALL (ACCEPT alone does not satisfy the control)", s.TrafficType)
	}
	switch s.Destination {
	case inventory.DestinationCloudWatchLogs:
		if s.S3BucketARN != "" {
			return fmt.Errorf("--s3-bucket-arn needs --destination s3")
		}
		if s.RoleARN == "" && s.RoleName == "" {
			return fmt.Errorf("CloudWatch Logs delivery needs --delivery-role-name or --delivery-role-arn")
		}
		if s.RoleARN != "" && roleNameFromARN(s.RoleARN) == "" {
			return fmt.Errorf("--delivery-role-arn %q: want arn:aws:iam::ACCOUNT:role/NAME", s.RoleARN)
		}
		if bad := placeholderNames(s.LogGroupTemplate); len(bad) > 0 {
			return fmt.Errorf("--log-group %q: unknown placeholder(s) %s (known: {vpc-id} {region} {account})", s.LogGroupTemplate, strings.Join(bad, " "))
		}
		if n := s.LogGroupName("111122223333", "us-east-1", "vpc-0123456789abcdef0"); !inventory.ValidLogGroupName(n) {
			return fmt.Errorf("--log-group %q: a log group name is 1 to 512 of A-Z a-z 0-9 _ - / . #", s.LogGroupTemplate)
		}
		if !validRetention(s.RetentionDays) {
			return fmt.Errorf("--retention-days %d: CloudWatch Logs accepts %v", s.RetentionDays, RetentionValues)
		}
		if s.HivePartitions || s.PerHourPartitions || (s.FileFormat != "" && s.FileFormat != "plain-text") {
			return fmt.Errorf("--file-format, --hive-partitions and --per-hour-partitions need --destination s3")
		}
	case inventory.DestinationS3:
		if b := s.BucketARN("111122223333", "us-east-1"); inventory.BucketFromARN(b) == "" || !strings.Contains(b, ":s3:::") {
			return fmt.Errorf("--destination s3 needs --s3-bucket-arn arn:aws:s3:::BUCKET[/PREFIX], got %q", s.S3BucketARN)
		}
		if bad := placeholderNames(strings.ReplaceAll(s.S3BucketARN, "{vpc-id}", "{x}")); len(bad) > 0 {
			return fmt.Errorf("--s3-bucket-arn %q: unknown placeholder(s) %s (known: {region} {account})", s.S3BucketARN, strings.Join(bad, " "))
		}
		if s.FileFormat == "" {
			s.FileFormat = "plain-text"
		}
		if s.FileFormat != "plain-text" && s.FileFormat != "parquet" {
			return fmt.Errorf("--file-format %q: want plain-text or parquet", s.FileFormat)
		}
		if s.FixRetention {
			return fmt.Errorf("--fix-retention applies to CloudWatch Logs log groups; it cannot be combined with --destination s3")
		}
	default:
		return fmt.Errorf("--destination %q: want cloud-watch-logs or s3", s.Destination)
	}
	if s.MaxAggregationInterval != 60 && s.MaxAggregationInterval != 600 {
		return fmt.Errorf("--max-aggregation-interval %d: want 60 or 600", s.MaxAggregationInterval)
	}
	if s.LogFormat != "" {
		f, err := logformat.Normalize(s.LogFormat)
		if err != nil {
			return fmt.Errorf("--log-format: %w", err)
		}
		s.LogFormat = f
	}
	for k := range s.Tags {
		if strings.HasPrefix(k, "flowguard:") {
			return fmt.Errorf("--tag %s: the flowguard: prefix is reserved for flowguard's own tags", k)
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return fmt.Errorf("--tag %s: the aws: prefix is reserved", k)
		}
	}
	if _, _, err := s.priority(); err != nil {
		return err
	}
	if s.BatchSize < 0 || s.MaxBatches < 0 {
		return fmt.Errorf("--batch-size and --max-batches must not be negative")
	}
	if s.PolicyName == "" {
		s.PolicyName = DefaultPolicyName
	}
	return nil
}

func validRetention(d int32) bool {
	for _, v := range RetentionValues {
		if v == d {
			return true
		}
	}
	return false
}

func placeholderNames(tpl string) []string {
	var bad []string
	for _, m := range placeholderRE.FindAllString(tpl, -1) {
		switch m {
		case "{vpc-id}", "{region}", "{account}":
		default:
			bad = append(bad, m)
		}
	}
	return bad
}

func (s Settings) priority() (key, glob string, err error) {
	if s.PriorityTag == "" {
		return "", "", nil
	}
	k, g, ok := strings.Cut(s.PriorityTag, "=")
	if !ok || k == "" || g == "" {
		return "", "", fmt.Errorf("--prod-tag %q: want KEY=GLOB, e.g. Environment=prod*", s.PriorityTag)
	}
	if _, err := path.Match(strings.ToLower(g), ""); err != nil {
		return "", "", fmt.Errorf("--prod-tag %q: bad pattern: %v", s.PriorityTag, err)
	}
	return k, strings.ToLower(g), nil
}

// IsProduction reports whether tags match the production selector.
func (s Settings) IsProduction(tags map[string]string) bool {
	k, g, err := s.priority()
	if err != nil || k == "" {
		return false
	}
	for tk, tv := range tags {
		if strings.EqualFold(tk, k) {
			if ok, _ := path.Match(g, strings.ToLower(tv)); ok {
				return true
			}
		}
	}
	return false
}

// LogGroupName is the log group of vpc in account/region.
func (s Settings) LogGroupName(account, region, vpc string) string {
	return strings.NewReplacer("{vpc-id}", vpc, "{region}", region, "{account}", account).Replace(s.LogGroupTemplate)
}

// BucketARN is the S3 destination for account/region: {region} and {account} in --s3-bucket-arn are replaced
// (one bucket per region is common).
func (s Settings) BucketARN(account, region string) string {
	return strings.NewReplacer("{region}", region, "{account}", account).Replace(s.S3BucketARN)
}

// logGroupPrefix is the fixed start of every name the template produces in account/region (for
// DescribeLogGroups by prefix).
func (s Settings) logGroupPrefix(account, region string) string {
	name := strings.NewReplacer("{region}", region, "{account}", account).Replace(s.LogGroupTemplate)
	if i := strings.IndexByte(name, '{'); i >= 0 {
		return name[:i]
	}
	return name
}

// resourceTags are the tags flowguard puts on what run creates.
func (s Settings) resourceTags(run string) map[string]string {
	out := map[string]string{TagManaged: "true", TagRunID: run}
	for k, v := range s.Tags {
		out[k] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func roleNameFromARN(arn string) string {
	if !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":iam::") {
		return ""
	}
	i := strings.Index(arn, ":role/")
	if i < 0 {
		return ""
	}
	rest := arn[i+len(":role/"):]
	return rest[strings.LastIndexByte(rest, '/')+1:]
}

func accountFromARN(arn string) string {
	p := strings.Split(arn, ":")
	if len(p) > 4 {
		return p[4]
	}
	return ""
}
