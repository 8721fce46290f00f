// Package moto runs moto_server, the AWS API emulator, on a loopback port and hands out isolated AWS accounts
// in it, so that tests and the demo talk to real aws-sdk-go-v2 clients end to end.
//
// Each account is entered by AssumeRole into arn:aws:iam::<account>:role/x: moto keeps a separate state per
// account id, so tests that each take their own account can run in parallel without resets.
package moto

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	testshared "github.com/flowguard/flowguard/internal/testenv/shared"
)

// InstallHint tells a user how to get moto_server.
const InstallHint = "moto_server was not found on PATH (or in $MOTO_SERVER, or ~/.pyenv/shims); " +
	"install it with pip install 'moto[server]' (moto 5.x) and re-run"

// DefaultAccount is the account moto answers as for its built-in credentials.
const DefaultAccount = "123456789012"

// Server is a running moto_server process.
type Server struct {
	URL  string
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
}

// Find returns the path of the moto_server executable.
func Find() (string, error) {
	if p := os.Getenv("MOTO_SERVER"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("moto_server"); err == nil {
		return p, nil
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".pyenv", "shims", "moto_server")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New(InstallHint)
}

// Start launches moto_server on a free 127.0.0.1 port and waits until it answers.
func Start(ctx context.Context) (*Server, error) {
	bin, err := Find()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.CreateTemp("", "moto-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// MOTO_ACCOUNT_ID would pin every request to one account and break per-test accounts.
	cmd.Env = withoutEnv(os.Environ(), "MOTO_ACCOUNT_ID")
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start moto_server (%s): %w", bin, err)
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, log: logf, done: make(chan struct{})}
	go func() { cmd.Wait(); close(s.done) }()
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(s.URL + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.done:
			out, _ := os.ReadFile(s.log.Name())
			return fmt.Errorf("moto_server exited before it answered:\n%s", out)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("moto_server did not answer on %s within %s", s.URL, limit)
		}
	}
}

// Close stops the server and its process group.
func (s *Server) Close() error {
	if s.cmd.Process != nil {
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.done
		}
	}
	if s.log != nil {
		s.log.Close()
		os.Remove(s.log.Name())
	}
	return nil
}

func withoutEnv(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Account is one isolated AWS account inside moto.
type Account struct {
	ID    string
	Creds aws.Credentials
}

var nextAccount atomic.Int64

// UniqueAccountID returns a 12-digit account id not handed out before by this process.
func UniqueAccountID() string {
	return fmt.Sprintf("%012d", 200000000000+nextAccount.Add(1))
}

// NewAccount enters account id (a fresh one when id is "") through AssumeRole and returns its credentials.
func (s *Server) NewAccount(ctx context.Context, id string) (Account, error) {
	if id == "" {
		id = UniqueAccountID()
	}
	base := BaseConfig(s.URL, "us-east-1", aws.Credentials{AccessKeyID: "AKIAFLOWGUARDTEST", SecretAccessKey: "secret"})
	out, err := sts.NewFromConfig(base).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + id + ":role/flowguard-test"),
		RoleSessionName: aws.String("flowguard-test"),
	})
	if err != nil {
		return Account{}, fmt.Errorf("assume role into moto account %s: %w", id, err)
	}
	c := out.Credentials
	return Account{ID: id, Creds: aws.Credentials{
		AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken: aws.ToString(c.SessionToken), Source: "moto",
	}}, nil
}

// Config returns an SDK config for the account, talking to endpoint (the server, or a proxy in front of it).
func (a Account) Config(endpoint, region string) aws.Config {
	return BaseConfig(endpoint, region, a.Creds)
}

// Env returns the environment variables that point a flowguard process (or the AWS CLI) at the account.
func (a Account) Env(endpoint, region string) []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + a.Creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + a.Creds.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + a.Creds.SessionToken,
		"AWS_REGION=" + region,
		"AWS_ENDPOINT_URL=" + endpoint,
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// BaseConfig is a minimal SDK config for a local endpoint: static credentials, no shared files, no IMDS.
func BaseConfig(endpoint, region string, creds aws.Credentials) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.StaticCredentialsProvider{Value: creds},
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   &http.Client{Timeout: 60 * time.Second},
	}
}

// shared is the test binary's server: started on first use, stopped by Main.
var shared = testshared.New("moto", Start)

// TB is the part of testing.TB the helpers need.
type TB = testshared.TB

// Shared returns the test binary's moto_server, starting it on first use. A missing moto_server fails the
// test with the install hint: tests against AWS never skip.
func Shared(t TB) *Server {
	t.Helper()
	return shared.Get(t)
}

// Main runs a test binary's tests and then stops the shared server: call it from TestMain.
func Main(m interface{ Run() int }) int { return shared.Main(m) }

// NewTestAccount gives the calling test a fresh account in the shared server.
func NewTestAccount(t TB) Account {
	t.Helper()
	a, err := Shared(t).NewAccount(t.Context(), "")
	if err != nil {
		t.Fatalf("%v", err)
	}
	return a
}

// AWSCLI finds the AWS CLI (v1, installed with moto): beside moto_server first, since CI's PATH may not hold
// pyenv's shims, then on PATH.
func AWSCLI() (string, error) {
	if m, err := Find(); err == nil {
		p := filepath.Join(filepath.Dir(m), "aws")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("aws")
	if err != nil {
		return "", fmt.Errorf("the AWS CLI was not found beside moto_server or on PATH (pip install awscli): %w", err)
	}
	return p, nil
}

// TestAWSCLI returns the AWS CLI's path or fails the test: tests against AWS tools never skip.
func TestAWSCLI(t TB) string {
	t.Helper()
	p, err := AWSCLI()
	if err != nil {
		t.Fatalf("%v", err)
	}
	return p
}
