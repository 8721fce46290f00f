package athena

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/flowguard/flowguard/internal/pagination"
)

// API is the part of the Athena client the runner calls.
type API interface {
	StartQueryExecution(context.Context, *athena.StartQueryExecutionInput, ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error)
	GetQueryExecution(context.Context, *athena.GetQueryExecutionInput, ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error)
	GetQueryResults(context.Context, *athena.GetQueryResultsInput, ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error)
	StopQueryExecution(context.Context, *athena.StopQueryExecutionInput, ...func(*athena.Options)) (*athena.StopQueryExecutionOutput, error)
}

// Runner runs queries through the Athena API.
type Runner struct {
	Client         API
	Database       string
	Catalog        string // default AwsDataCatalog
	WorkGroup      string // default: the service's (primary)
	OutputLocation string // s3://…; required unless the workgroup sets one
	// PollMin and PollMax bound the wait between GetQueryExecution calls (it doubles from min to max).
	PollMin, PollMax time.Duration
	// OnPoll, when set, is called after each GetQueryExecution that finds the query still queued or running
	// (the CLI's progress line on a terminal).
	OnPoll func(Poll)
}

// Poll is what one GetQueryExecution said of a query not finished yet.
type Poll struct {
	QueryExecutionID string
	State            string // QUEUED or RUNNING
	Elapsed          time.Duration
	ScannedBytes     int64
}

// Result is a query's output.
type Result struct {
	QueryExecutionID string
	Columns          []string
	Rows             [][]string
	ScannedBytes     int64
}

// Run starts sql, waits for it and reads every result page. Cancelling ctx stops the query.
func (r *Runner) Run(ctx context.Context, sql string) (*Result, error) {
	in := &athena.StartQueryExecutionInput{QueryString: aws.String(sql)}
	if r.Database != "" || r.Catalog != "" {
		in.QueryExecutionContext = &types.QueryExecutionContext{Database: nonEmpty(r.Database), Catalog: nonEmpty(r.Catalog)}
	}
	if r.WorkGroup != "" {
		in.WorkGroup = aws.String(r.WorkGroup)
	}
	if r.OutputLocation != "" {
		in.ResultConfiguration = &types.ResultConfiguration{OutputLocation: aws.String(r.OutputLocation)}
	}
	start, err := r.Client.StartQueryExecution(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("start Athena query: %w", err)
	}
	id := aws.ToString(start.QueryExecutionId)
	res := &Result{QueryExecutionID: id}
	began := time.Now()
	wait := r.PollMin
	if wait <= 0 {
		wait = 200 * time.Millisecond
	}
	maxWait := r.PollMax
	if maxWait <= 0 {
		maxWait = 5 * time.Second
	}
	for {
		out, err := r.Client.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			if ctx.Err() != nil {
				r.stop(ctx, id)
			}
			return nil, fmt.Errorf("query %s in Athena: %w", id, err)
		}
		qe := out.QueryExecution
		var state types.QueryExecutionState
		if qe != nil && qe.Status != nil {
			state = qe.Status.State
		}
		if qe != nil && qe.Statistics != nil {
			res.ScannedBytes = aws.ToInt64(qe.Statistics.DataScannedInBytes)
		}
		switch state {
		case types.QueryExecutionStateSucceeded:
			return res, r.results(ctx, id, res)
		case types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			reason := ""
			if qe.Status.StateChangeReason != nil {
				reason = ": " + aws.ToString(qe.Status.StateChangeReason)
			}
			return nil, fmt.Errorf("query %s in Athena: %s%s", id, state, reason)
		}
		if r.OnPoll != nil {
			r.OnPoll(Poll{QueryExecutionID: id, State: string(state), Elapsed: time.Since(began), ScannedBytes: res.ScannedBytes})
		}
		select {
		case <-ctx.Done():
			r.stop(ctx, id)
			return nil, fmt.Errorf("query %s in Athena: %w", id, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, maxWait)
	}
}

// stop cancels a query whose caller gave up, so it does not go on running (and billing) after Ctrl-C.
func (r *Runner) stop(ctx context.Context, id string) {
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	r.Client.StopQueryExecution(stopCtx, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)})
}

func (r *Runner) results(ctx context.Context, id string, res *Result) error {
	p := athena.NewGetQueryResultsPaginator(r.Client, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)},
		func(o *athena.GetQueryResultsPaginatorOptions) { o.StopOnDuplicateToken = true })
	guard := pagination.New(0)
	first := true
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err == nil {
			err = guard.Next(page.NextToken)
		}
		if err != nil {
			return fmt.Errorf("results of Athena query %s: %w", id, err)
		}
		if page.ResultSet == nil {
			continue
		}
		if first && page.ResultSet.ResultSetMetadata != nil {
			for _, c := range page.ResultSet.ResultSetMetadata.ColumnInfo {
				res.Columns = append(res.Columns, aws.ToString(c.Name))
			}
		}
		for i, row := range page.ResultSet.Rows {
			cells := make([]string, len(row.Data))
			for j, d := range row.Data {
				cells[j] = aws.ToString(d.VarCharValue)
			}
			// A SELECT's first row repeats the column names.
			if first && i == 0 && equal(cells, res.Columns) {
				continue
			}
			res.Rows = append(res.Rows, cells)
		}
		first = false
	}
	if len(res.Columns) == 0 && len(res.Rows) > 0 {
		return errors.New("the Athena answer has rows without column names")
	}
	return nil
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
