package guard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/sink/report"
)

// Publishers sends to each of its publishers; every one is tried, errors are joined.
type Publishers []Publisher

// Publish implements Publisher.
func (ps Publishers) Publish(ctx context.Context, cfg aws.Config, r *finding.Result) error {
	var errs []error
	for _, p := range ps {
		if err := p.Publish(ctx, cfg, r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// SecurityHub imports findings as ASFF (the report writer's document) with BatchImportFindings, into the
// finding's own account and region (the config of that account), at most 100 per call.
type SecurityHub struct{}

const securityHubBatch = 100

// Publish implements Publisher.
func (SecurityHub) Publish(ctx context.Context, cfg aws.Config, r *finding.Result) error {
	var buf bytes.Buffer
	if err := report.WriteASFF(&buf, r, report.Options{}); err != nil {
		return err
	}
	var all []shtypes.AwsSecurityFinding
	if err := json.Unmarshal(buf.Bytes(), &all); err != nil {
		return fmt.Errorf("securityhub: %w", err)
	}
	byRegion := map[string][]shtypes.AwsSecurityFinding{}
	for _, f := range all {
		region := aws.ToString(f.Region)
		byRegion[region] = append(byRegion[region], f)
	}
	regions := make([]string, 0, len(byRegion))
	for r := range byRegion {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	var errs []error
	for _, region := range regions {
		c := securityhub.NewFromConfig(cfg, func(o *securityhub.Options) { o.Region = region })
		fs := byRegion[region]
		for len(fs) > 0 {
			n := min(len(fs), securityHubBatch)
			out, err := c.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: fs[:n]})
			switch {
			case err != nil:
				errs = append(errs, fmt.Errorf("securityhub:BatchImportFindings in %s: %w", region, err))
			case aws.ToInt32(out.FailedCount) > 0:
				msg := ""
				if len(out.FailedFindings) > 0 {
					msg = ": " + aws.ToString(out.FailedFindings[0].ErrorMessage)
				}
				errs = append(errs, fmt.Errorf("securityhub:BatchImportFindings in %s: %d findings refused%s", region, aws.ToInt32(out.FailedCount), msg))
			}
			fs = fs[n:]
		}
	}
	return errors.Join(errs...)
}

// SNS publishes one message per handled account-region with changed findings: a subject that counts them and
// a body with one line per finding (JSON), cut to SNS's 256 KiB.
type SNS struct {
	// TopicARN is the topic; it is published to in the topic's own region with the caller's config.
	TopicARN string
	// Config is the caller's config (the topic is in its account, not in the event's).
	Config aws.Config
}

const snsMaxBody = 256<<10 - 1024

// Publish implements Publisher.
func (s SNS) Publish(ctx context.Context, _ aws.Config, r *finding.Result) error {
	var bad, good int
	var body bytes.Buffer
	where := map[string]bool{}
	for _, f := range r.Findings {
		if f.Status == finding.StatusPass {
			good++
		} else {
			bad++
		}
		where[f.AccountID+"/"+f.Region] = true
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		if body.Len()+len(b)+1 > snsMaxBody {
			body.WriteString("… more findings left out (SNS message size)\n")
			break
		}
		body.Write(b)
		body.WriteByte('\n')
	}
	places := make([]string, 0, len(where))
	for w := range where {
		places = append(places, w)
	}
	sort.Strings(places)
	subject := fmt.Sprintf("flowguard: %d failing, %d resolved in %s", bad, good, strings.Join(places, ","))
	if len(subject) > 99 {
		subject = subject[:99]
	}
	region := regionOfARN(s.TopicARN)
	_, err := sns.NewFromConfig(s.Config, func(o *sns.Options) {
		if region != "" {
			o.Region = region
		}
	}).Publish(ctx, &sns.PublishInput{TopicArn: aws.String(s.TopicARN), Subject: aws.String(subject), Message: aws.String(body.String())})
	if err != nil {
		return fmt.Errorf("sns:Publish: %w", err)
	}
	return nil
}

// regionOfARN is the region field of an ARN (arn:PARTITION:SERVICE:REGION:…), or "".
func regionOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[3]
}
