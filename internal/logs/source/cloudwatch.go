package source

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/pagination"
)

// CloudWatchClients are the clients the CloudWatch Logs source needs: Logs for the events, EC2 for the flow
// log's LogFormat.
type CloudWatchClients struct {
	Logs *cloudwatchlogs.Client
	EC2  *ec2.Client
}

// NewCloudWatchClients builds the clients from cfg.
func NewCloudWatchClients(cfg aws.Config) CloudWatchClients {
	return CloudWatchClients{Logs: cloudwatchlogs.NewFromConfig(cfg), EC2: ec2.NewFromConfig(cfg)}
}

// FlowLogFormat finds the LogFormat of the flow log delivering to a log group (events carry no header). It
// returns DefaultFormat when the flow log has none, and an error when no flow log delivers there.
func FlowLogFormat(ctx context.Context, c *ec2.Client, group string) (*flowlog.Format, string, error) {
	p := ec2.NewDescribeFlowLogsPaginator(c, &ec2.DescribeFlowLogsInput{}, func(o *ec2.DescribeFlowLogsPaginatorOptions) { o.StopOnDuplicateToken = true })
	guard := pagination.New(0)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err == nil {
			err = guard.Next(page.NextToken)
		}
		if err != nil {
			return nil, "", fmt.Errorf("describe flow logs to find the format of log group %s: %w", group, err)
		}
		for _, fl := range page.FlowLogs {
			if aws.ToString(fl.LogGroupName) != group && !strings.HasSuffix(aws.ToString(fl.LogDestination), ":log-group:"+group) {
				continue
			}
			lf := aws.ToString(fl.LogFormat)
			if lf == "" {
				return flowlog.DefaultFormat, aws.ToString(fl.FlowLogId), nil
			}
			f, err := flowlog.ParseFormat(lf)
			if err != nil {
				return nil, "", fmt.Errorf("flow log %s: LogFormat: %w", aws.ToString(fl.FlowLogId), err)
			}
			return f, aws.ToString(fl.FlowLogId), nil
		}
	}
	return nil, "", fmt.Errorf("no flow log delivers to log group %s in this region: give the record format with --log-format", group)
}

// ListCloudWatch lists the streams (one per interface) of a log group that may hold events in [since, until].
// format nil means: look it up with FlowLogFormat.
// A log group that does not exist is a *NotFoundError ("no such log group … in <region>"), whether or not the
// format was given.
func ListCloudWatch(ctx context.Context, c CloudWatchClients, group string, format *flowlog.Format, since, until time.Time) ([]Unit, error) {
	if err := logGroupExists(ctx, c.Logs, group); err != nil {
		return nil, err
	}
	if format == nil {
		f, _, err := FlowLogFormat(ctx, c.EC2, group)
		if err != nil {
			return nil, err
		}
		format = f
	}
	var out []Unit
	p := cloudwatchlogs.NewDescribeLogStreamsPaginator(c.Logs, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group)},
		func(o *cloudwatchlogs.DescribeLogStreamsPaginatorOptions) { o.StopOnDuplicateToken = true })
	guard := pagination.New(0)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err == nil {
			err = guard.Next(page.NextToken)
		}
		if err != nil {
			return nil, fmt.Errorf("describe log streams of %s: %w", group, err)
		}
		for _, s := range page.LogStreams {
			// A stream whose last event is before --since has nothing for us.
			if last := aws.ToInt64(s.LastEventTimestamp); last > 0 && !since.IsZero() && last < since.UnixMilli() {
				continue
			}
			out = append(out, LogStream{Client: c.Logs, Group: group, Stream: aws.ToString(s.LogStreamName), Format: format, Since: since, Until: until})
		}
	}
	return out, nil
}

// LogStream is one CloudWatch Logs stream; each event's message is one record.
type LogStream struct {
	Client       *cloudwatchlogs.Client
	Group        string
	Stream       string
	Format       *flowlog.Format
	Since, Until time.Time
	PageSize     int32 // events per FilterLogEvents page; 0 means the service default
}

func (s LogStream) Name() string { return s.Group + ":" + s.Stream }

func (s LogStream) Read(ctx context.Context, opts flowlog.Options, fn func(*flowlog.Record)) (flowlog.Stats, error) {
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(s.Group), LogStreamNames: []string{s.Stream}}
	// Event timestamps are the record's start (±), so the API does the time filtering; the report filter
	// applies the exact bounds on the record's start field.
	if !s.Since.IsZero() {
		in.StartTime = aws.Int64(s.Since.Add(-deliveryPad).UnixMilli())
	}
	if !s.Until.IsZero() {
		in.EndTime = aws.Int64(s.Until.Add(deliveryPad).UnixMilli())
	}
	if s.PageSize > 0 {
		in.Limit = aws.Int32(s.PageSize)
	}
	p := flowlog.NewParser(s.Name(), s.Format, opts)
	pg := cloudwatchlogs.NewFilterLogEventsPaginator(s.Client, in, func(o *cloudwatchlogs.FilterLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	guard := pagination.New(0)
	var n int64
	var line []byte
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err == nil {
			err = guard.Next(page.NextToken)
		}
		if err != nil {
			return p.Stats, fmt.Errorf("filter log events of %s: %w", s.Name(), err)
		}
		for _, e := range page.Events {
			n++
			addBytes(ctx, int64(len(aws.ToString(e.Message))))
			line = append(line[:0], aws.ToString(e.Message)...)
			if k := len(line); k > 0 && line[k-1] == '\n' {
				line = line[:k-1]
			}
			rec, err := p.Parse(line, n)
			if err != nil {
				return p.Stats, err
			}
			if rec != nil {
				fn(rec)
			}
		}
	}
	return p.Stats, nil
}

// logGroupExists returns a *NotFoundError when group is not a log group of the client's region.
func logGroupExists(ctx context.Context, c *cloudwatchlogs.Client, group string) error {
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(group)},
		func(o *cloudwatchlogs.DescribeLogGroupsPaginatorOptions) { o.StopOnDuplicateToken = true })
	guard := pagination.New(0)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err == nil {
			err = guard.Next(page.NextToken)
		}
		if err != nil {
			return fmt.Errorf("describe log groups %s: %w", group, err)
		}
		for _, g := range page.LogGroups {
			if aws.ToString(g.LogGroupName) == group {
				return nil
			}
		}
	}
	return &NotFoundError{fmt.Sprintf("no such log group %s in %s", group, c.Options().Region)}
}

// NotFoundError is an input that does not exist: a log group, a bucket, or a prefix with no objects.
type NotFoundError struct{ Msg string }

func (e *NotFoundError) Error() string { return e.Msg }
