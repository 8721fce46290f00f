package athena

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/layout"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/golden"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

var v5 = flowlog.FormatOf(flowlog.FieldsOfVersion(5)...)

func TestDDLGolden(t *testing.T) {
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		t    Table
	}{
		{"text-default", Table{Location: "s3://my-flow-logs/", Accounts: []string{"111122223333"}, Regions: []string{"us-east-1", "eu-west-1"}, ProjectionStart: start}},
		{"text-v5-per-hour", Table{Location: "s3://my-flow-logs/vpc", Format: v5, Layout: layout.Options{PerHour: true}, Accounts: []string{"111122223333", "444455556666"}, Regions: []string{"us-east-1"}, ProjectionStart: start}},
		{"parquet-hive-per-hour", Table{Database: "security", Name: "flows", Location: "s3://my-flow-logs/", Format: v5, Layout: layout.Options{Parquet: true, Hive: true, PerHour: true}, Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}, ProjectionStart: start}},
		{"text-hive-custom", Table{Location: "s3://my-flow-logs/", Format: mustFormat(t, "${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action} ${reject-reason} ${next-hop-type}"), Layout: layout.Options{Hive: true}, Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}, ProjectionStart: start}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ddl, err := tt.t.DDL()
			if err != nil {
				t.Fatal(err)
			}
			golden.String(t, filepath.Join("testdata", "ddl-"+tt.name+".sql"), ddl)
		})
	}
	for _, bad := range []Table{
		{Location: "my-flow-logs", Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}},
		{Location: "s3://b-ok/'; DROP", Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}},
		{Location: "s3://bucket/", Accounts: []string{"1111"}, Regions: []string{"us-east-1"}},
		{Location: "s3://bucket/", Accounts: []string{"111122223333"}, Regions: []string{"us-east-1'"}},
		{Location: "s3://bucket/", Regions: []string{"us-east-1"}},
		{Location: "s3://bucket/", Name: "Bad-Name", Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}},
	} {
		if _, err := bad.DDL(); err == nil {
			t.Errorf("DDL accepted %+v", bad)
		}
	}
}

func mustFormat(t *testing.T, s string) *flowlog.Format {
	f, err := flowlog.ParseFormat(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSQLGolden(t *testing.T) {
	tbl := Table{Location: "s3://my-flow-logs/", Format: v5, Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}}
	cfg := analyze.Config{
		Filter: analyze.Filter{
			Since: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
			Interfaces: []string{"eni-0abc'; --"}, Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")},
			Ports: []int32{22, 3389}, Protocols: []int32{6},
		},
		TopN: 5, VerticalPorts: 20, VerticalWindow: 30 * time.Minute,
	}
	for _, r := range Reports {
		t.Run(r, func(t *testing.T) {
			q, err := SQL(r, Params{Table: tbl, Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			golden.String(t, filepath.Join("testdata", "report-"+r+".sql"), q)
			if strings.Contains(q, "eni-0abc';") {
				t.Error("unescaped quote in SQL")
			}
		})
	}
	// Hive partitions use the hive date values.
	q, _ := SQL("summary", Params{Table: Table{Layout: layout.Options{Hive: true}}, Config: analyze.Config{Filter: analyze.Filter{Since: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}})
	if !strings.Contains(q, "dt >= 'year=2026/month=01/day=01'") {
		t.Errorf("hive date predicate missing:\n%s", q)
	}
	if _, err := SQL("nope", Params{}); err == nil {
		t.Error("unknown report accepted")
	}
	narrow := Table{Format: mustFormat(t, "${version} ${srcaddr} ${action}")}
	if _, err := SQL("top-talkers", Params{Table: narrow}); err == nil || !strings.Contains(err.Error(), "dstaddr") {
		t.Errorf("missing column: %v", err)
	}
}

// setResults queues canned results in moto for the account (moto does not execute SQL).
func setResults(t *testing.T, srv *moto.Server, account string, results ...[][]string) {
	t.Helper()
	type cell struct {
		VarCharValue string `json:"VarCharValue"`
	}
	type row struct {
		Data []cell `json:"Data"`
	}
	var rs []map[string]any
	for _, res := range results {
		var rows []row
		for _, r := range res {
			var cs []cell
			for _, c := range r {
				cs = append(cs, cell{c})
			}
			rows = append(rows, row{cs})
		}
		var cols []map[string]any
		for _, c := range res[0] {
			cols = append(cols, map[string]any{"Name": c, "Label": c, "Type": "varchar"})
		}
		rs = append(rs, map[string]any{"rows": rows, "column_info": cols})
	}
	body, _ := json.Marshal(map[string]any{"account_id": account, "region": "us-east-1", "results": rs})
	resp, err := http.Post(srv.URL+"/moto-api/static/athena/query-results", "application/json", bytes.NewReader(body))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("queue athena results: %v %v", err, resp)
	}
	resp.Body.Close()
}

func TestRunnerAgainstMoto(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	proxy := faultproxy.New(srv.URL, faultproxy.Options{})
	defer proxy.Close()
	c := athena.NewFromConfig(acct.Config(proxy.URL, "us-east-1"))
	ctx := t.Context()
	if _, err := c.CreateWorkGroup(ctx, &athena.CreateWorkGroupInput{Name: aws.String("flowguard")}); err != nil {
		t.Fatal(err)
	}
	setResults(t, srv, acct.ID,
		[][]string{{"source", "records"}, {"203.0.113.10", "40"}, {"45.1.2.3", "3"}},
		[][]string{{"records", "accepted"}, {"100", "90"}},
	)
	r := &Runner{Client: c, Database: "default", WorkGroup: "flowguard", OutputLocation: "s3://athena-results-" + acct.ID + "/flowguard/", PollMin: time.Millisecond, PollMax: 5 * time.Millisecond}
	sql, _ := SQL("top-rejected-sources", Params{})
	res, err := r.Run(ctx, sql)
	if err != nil {
		t.Fatal(err)
	}
	want := &Result{QueryExecutionID: res.QueryExecutionID, Columns: []string{"source", "records"}, Rows: [][]string{{"203.0.113.10", "40"}, {"45.1.2.3", "3"}}}
	if d := cmp.Diff(want, res); d != "" {
		t.Errorf("result (-want +got):\n%s", d)
	}
	// What Athena was asked: the query, the workgroup, the database and the output location.
	qe, err := c.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(res.QueryExecutionID)})
	if err != nil {
		t.Fatal(err)
	}
	got := qe.QueryExecution
	if aws.ToString(got.Query) != sql || aws.ToString(got.WorkGroup) != "flowguard" || aws.ToString(got.QueryExecutionContext.Database) != "default" ||
		!strings.HasPrefix(aws.ToString(got.ResultConfiguration.OutputLocation), "s3://athena-results-"+acct.ID+"/flowguard/") {
		t.Errorf("execution %+v", got)
	}
	res2, err := r.Run(ctx, "SELECT 1")
	if err != nil || len(res2.Rows) != 1 || res2.Rows[0][0] != "100" {
		t.Errorf("second query: %+v %v", res2, err)
	}
	calls := proxy.Calls()
	if calls["athena:StartQueryExecution"] != 2 || calls["athena:GetQueryResults"] != 2 {
		t.Errorf("calls %v", calls)
	}
}

func TestRunnerPollsAndReportsFailure(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	// Moto's queries succeed at once; the proxy plays RUNNING twice, then FAILED. In the second phase it keeps
	// answering RUNNING and cancels the caller's context, as Ctrl-C would.
	var polls atomic.Int32
	var phase2 atomic.Bool
	var cancelRun atomic.Pointer[context.CancelFunc]
	proxy := faultproxy.New(srv.URL, faultproxy.Options{Rewrite: func(c faultproxy.Call, body []byte) []byte {
		if c.Action != "GetQueryExecution" {
			return body
		}
		state := "RUNNING"
		if phase2.Load() {
			if f := cancelRun.Load(); f != nil {
				(*f)()
			}
		} else if polls.Add(1) > 2 {
			state = "FAILED"
		}
		return bytes.Replace(body, []byte(`"State": "SUCCEEDED"`), []byte(fmt.Sprintf(`"State": %q, "StateChangeReason": "SYNTAX_ERROR: line 1:8"`, state)), 1)
	}})
	defer proxy.Close()
	c := athena.NewFromConfig(acct.Config(proxy.URL, "us-east-1"))
	r := &Runner{Client: c, OutputLocation: "s3://x/", PollMin: time.Millisecond, PollMax: 2 * time.Millisecond}
	_, err := r.Run(t.Context(), "SELEC 1")
	if err == nil || !strings.Contains(err.Error(), "FAILED: SYNTAX_ERROR") {
		t.Fatalf("err = %v (after %d polls)", err, polls.Load())
	}
	if calls := proxy.Calls(); calls["athena:GetQueryExecution"] != 3 || calls["athena:GetQueryResults"] != 0 {
		t.Errorf("calls %v", calls)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cancelRun.Store(&cancel)
	phase2.Store(true)
	if _, err := r.Run(ctx, "SELECT 1"); err == nil {
		t.Error("cancelled run succeeded")
	}
	if calls := proxy.Calls(); calls["athena:StopQueryExecution"] != 1 {
		t.Errorf("a cancelled query is stopped: calls %v", calls)
	}
}
