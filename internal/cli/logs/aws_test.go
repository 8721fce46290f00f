package logs_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// TestLogsReportS3 runs flowguard in-process against a bucket holding what `logs generate` wrote.
func TestLogsReportS3(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	env := acct.Env(srv.URL, "us-east-1")
	dir := t.TempDir()
	if r := flowguard(t, env, "logs", "generate", "--out-dir", dir, "--records", "20000", "--duration", "48h", "--account", acct.ID,
		"--brute-force", "2", "--vertical-scans", "1"); r.code != 0 {
		t.Fatalf("generate: %d %s", r.code, r.stderr)
	}
	c := s3.NewFromConfig(acct.Config(srv.URL, "us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "logs-" + acct.ID
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		_, err = c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(filepath.ToSlash(rel)), Body: bytes.NewReader(data)})
		return err
	})
	// The second day holds the second brute force only (attacks are planted one per hour from the start).
	r := flowguard(t, env, "logs", "report", "s3://"+bucket+"/", "-o", "json")
	if r.code != 0 {
		t.Fatalf("report: %d %s", r.code, r.stderr)
	}
	var all analyze.Report
	if err := json.Unmarshal([]byte(r.stdout), &all); err != nil {
		t.Fatal(err)
	}
	if all.Totals.Records < 20000 || len(all.Detections) != 3 {
		t.Errorf("whole bucket: %d records, detections %+v", all.Totals.Records, all.Detections)
	}
	r = flowguard(t, env, "logs", "report", "s3://"+bucket+"/", "-o", "json", "--since", "2026-01-01T01:00:00Z", "--until", "2026-01-01T02:00:00Z")
	var hour analyze.Report
	if err := json.Unmarshal([]byte(r.stdout), &hour); err != nil {
		t.Fatalf("%v: %s", err, r.stderr)
	}
	if len(hour.Detections) != 1 || hour.Detections[0].Kind != analyze.KindBruteForce || hour.Totals.Records >= all.Totals.Records/10 {
		t.Errorf("one hour: %d records, detections %+v", hour.Totals.Records, hour.Detections)
	}
	// Inputs that do not exist: exit 2, and the message as it is.
	if r := flowguard(t, env, "logs", "report", "s3://no-such-bucket-"+acct.ID+"/"); r.code != 2 || r.stderr != "flowguard: bucket no-such-bucket-"+acct.ID+" does not exist\n" {
		t.Errorf("missing bucket: exit %d %q", r.code, r.stderr)
	}
	if r := flowguard(t, env, "logs", "report", "s3://"+bucket+"/nothing-here/"); r.code != 2 || r.stderr != "flowguard: no objects under s3://"+bucket+"/nothing-here/\n" {
		t.Errorf("empty prefix: exit %d %q", r.code, r.stderr)
	}
}

// TestLogsAthena runs `logs athena ddl` and `logs athena run` (against moto, which returns queued results:
// it does not execute SQL).
func TestLogsAthena(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	env := acct.Env(srv.URL, "us-east-1")

	r := flowguard(t, env, "logs", "athena", "ddl", "--location", "s3://my-flow-logs/", "--bucket-account", acct.ID, "--bucket-region", "us-east-1", "--file-format", "parquet", "--hive-partitions")
	if r.code != 0 || !strings.Contains(r.stdout, "STORED AS PARQUET") || !strings.Contains(r.stdout, "aws-account-id=${p_account}") {
		t.Errorf("ddl: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := flowguard(t, env, "logs", "athena", "ddl", "--location", "s3://my-flow-logs/"); r.code != 3 {
		t.Errorf("ddl without accounts: exit %d", r.code)
	}
	r = flowguard(t, env, "logs", "athena", "run", "brute-force", "--print-sql", "--since", "2026-01-01", "--until", "2026-01-02", "--brute-force-rejects", "20")
	if r.code != 0 || !strings.Contains(r.stdout, "HAVING count(*) >= 20") || !strings.Contains(r.stdout, `"start" >= 1767225600`) {
		t.Errorf("print-sql: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := flowguard(t, env, "logs", "athena", "run", "nope", "--print-sql"); r.code != 3 {
		t.Errorf("unknown report: exit %d", r.code)
	}

	c := athena.NewFromConfig(acct.Config(srv.URL, "us-east-1"))
	if _, err := c.CreateWorkGroup(t.Context(), &athena.CreateWorkGroupInput{Name: aws.String("sec")}); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"account_id": acct.ID, "region": "us-east-1", "results": []any{map[string]any{
		"rows": []any{
			map[string]any{"Data": []any{map[string]string{"VarCharValue": "source"}, map[string]string{"VarCharValue": "records"}}},
			map[string]any{"Data": []any{map[string]string{"VarCharValue": "203.0.113.10"}, map[string]string{"VarCharValue": "40"}}},
		},
		"column_info": []any{map[string]string{"Name": "source", "Type": "varchar"}, map[string]string{"Name": "records", "Type": "bigint"}},
	}}})
	resp, err := http.Post(srv.URL+"/moto-api/static/athena/query-results", "application/json", bytes.NewReader(body))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("queue results: %v", err)
	}
	resp.Body.Close()
	r = flowguard(t, env, "logs", "athena", "run", "top-rejected-sources", "--workgroup", "sec", "--output-location", "s3://results-"+acct.ID+"/", "-o", "json")
	if r.code != 0 {
		t.Fatalf("run: exit %d %s", r.code, r.stderr)
	}
	var doc struct {
		Tables []struct {
			ID      string     `json:"id"`
			Columns []string   `json:"columns"`
			Rows    [][]string `json:"rows"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Tables) != 1 || doc.Tables[0].ID != "top-rejected-sources" || len(doc.Tables[0].Rows) != 1 || doc.Tables[0].Rows[0][0] != "203.0.113.10" {
		t.Errorf("run output: %s", r.stdout)
	}
	qs, err := c.ListQueryExecutions(t.Context(), &athena.ListQueryExecutionsInput{WorkGroup: aws.String("sec")})
	if err != nil || len(qs.QueryExecutionIds) != 1 {
		t.Errorf("executions in workgroup: %v %v", qs, err)
	}
}
