// Command demo shows flowguard on a machine without an AWS account: it starts moto_server on a free loopback
// port, builds a small account (one VPC per outcome of the control over three regions), runs
// `flowguard scan --skip-unused` against it with any extra arguments, and stops the server.
//
//	go run ./cmd/demo                                    # table report
//	go run ./cmd/demo -o json,html --out-dir reports     # extra scan flags
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/flowguard/flowguard/internal/cli"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/testenv/fixture"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	fmt.Fprintln(os.Stderr, "demo: starting moto_server on 127.0.0.1 …")
	srv, err := moto.Start(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 3
	}
	defer srv.Close()
	acct, err := srv.NewAccount(ctx, "111122223333")
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 3
	}
	fmt.Fprintf(os.Stderr, "demo: building account %s at %s: 7 VPCs in %v\n", acct.ID, srv.URL, fixture.DemoRegions)
	if _, err := fixture.Demo(ctx, fixture.New(acct.Config(srv.URL, "us-east-1"), acct.ID)); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 3
	}
	env := map[string]string{}
	for _, kv := range acct.Env(srv.URL, "us-east-1") {
		k, v, _ := cut(kv)
		env[k] = v
	}
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	scanArgs := []string{"scan", "--skip-unused"}
	// The demo's VPCs live in three regions; moto answers DescribeRegions with every partition's regions,
	// so without --region the demo would read (and report) twenty regions holding only default VPCs.
	if !hasFlag(args, "--region") {
		scanArgs = append(scanArgs, "--region", strings.Join(fixture.DemoRegions, ","))
	}
	scanArgs = append(scanArgs, args...)
	fmt.Fprintf(os.Stderr, "demo: flowguard %v   (AWS_ENDPOINT_URL=%s)\n\n", scanArgs, srv.URL)
	return cli.Main(ctx, scanArgs, cmdutil.NewFactory(cmdutil.SystemStreams(), getenv))
}

func cut(kv string) (string, string, bool) {
	for i := 0; i < len(kv); i++ {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:], true
		}
	}
	return kv, "", false
}

// hasFlag reports whether args set flag (--flag VALUE or --flag=VALUE).
func hasFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}
