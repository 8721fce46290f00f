package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// TestLogsReportS3 runs the binary against a bucket holding what `logs generate` wrote.
func TestLogsReportS3(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	env := acct.Env(srv.URL, "us-east-1")
	dir := t.TempDir()
	if r := flowguard(t, env, "logs", "generate", "--out", dir, "--records", "20000", "--duration", "48h", "--account", acct.ID,
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
	if r := flowguard(t, env, "logs", "report", "s3://no-such-bucket-"+acct.ID+"/"); r.code != 2 || r.stderr == "" {
		t.Errorf("missing bucket: exit %d %q", r.code, r.stderr)
	}
}
