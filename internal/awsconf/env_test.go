package awsconf

import (
	"context"
	"os"
	"strings"
	"testing"
)

// LoadEnv reads the AWS variables through the getenv it is given, not the process environment, and flags
// outrank them: tests pass their own environment and run in parallel.
func TestLoadEnvReadsTheGivenEnvironment(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "tok",
		"AWS_REGION": "eu-west-3", "AWS_ENDPOINT_URL": "http://127.0.0.1:5999",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	}
	getenv := func(k string) string { return env[k] }
	cfg, err := LoadEnv(context.Background(), Options{}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-3" || cfg.BaseEndpoint == nil || *cfg.BaseEndpoint != "http://127.0.0.1:5999" ||
		creds.AccessKeyID != "AKIDENV" || creds.SessionToken != "tok" {
		t.Errorf("region %q endpoint %v creds %+v", cfg.Region, cfg.BaseEndpoint, creds)
	}
	cfg, err = LoadEnv(context.Background(), Options{Regions: []string{"ap-south-1"}, EndpointURL: "http://127.0.0.1:6000"}, getenv)
	if err != nil || cfg.Region != "ap-south-1" || *cfg.BaseEndpoint != "http://127.0.0.1:6000" {
		t.Errorf("flags do not outrank the environment: %v %q %v", err, cfg.Region, cfg.BaseEndpoint)
	}
	env2 := map[string]string{"AWS_ENDPOINT_URL": "http://user:s3cr3tpw@127.0.0.1:badport", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull}
	_, err = LoadEnv(context.Background(), Options{}, func(k string) string { return env2[k] })
	if err == nil || !strings.Contains(err.Error(), "AWS_ENDPOINT_URL") || strings.Contains(err.Error(), "s3cr3tpw") {
		t.Errorf("a bad AWS_ENDPOINT_URL: %v", err)
	}
}
