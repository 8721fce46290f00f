// Command flowguard makes sure every VPC in every region of every AWS account has working flow logs.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/flowguard/flowguard/internal/cli"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first Ctrl-C cancels gracefully (finished work is still reported); the next one kills.
	go func() { <-ctx.Done(); stop() }()
	code := cli.Main(ctx, os.Args[1:], cmdutil.System())
	stop()
	os.Exit(code)
}
