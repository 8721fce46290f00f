// Package serve is the `flowguard serve` command: the read-only dashboard over the history store.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/serve"
	"github.com/flowguard/flowguard/internal/store"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// TokenEnv is the environment variable that holds the dashboard's token (better than --token, which other
// users of the machine can read in the process list).
const TokenEnv = "FLOWGUARD_SERVE_TOKEN"

// Options are the serve command's flags.
type Options struct {
	IO     *cmdutil.IOStreams
	Ctx    context.Context
	Now    func() time.Time
	Getenv func(string) string

	Store      string
	Listen     string
	Token      string
	AuthHeader string
	// Ready, when set, is called with the dashboard's URL once it listens (tests).
	Ready func(url string)
}

// NewCmdServe builds the serve command; runF replaces Run in tests.
func NewCmdServe(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: f.IOStreams, Now: f.Now, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "A local, read-only web dashboard over the history store",
		Long: `serve shows the history store in a browser: compliance over time (overall and per account, region and check)
with the failures that changed it, open failures with their age and time-to-fix statistics, exceptions expiring
soon or expired, fix runs and guard actions with what they created and their rollback state, and every finding
with its evidence. Filters live in the URL, so links can be shared; every page is also JSON (the same path
under /api, or Accept: application/json).

It listens on 127.0.0.1:8080 by default and only answers requests for that host name. Bound to any other
address it requires a token (--token or FLOWGUARD_SERVE_TOKEN: send it as Authorization: Bearer TOKEN, or open
the URL once with ?token=TOKEN) or a header set by an authenticating proxy in front of it (--auth-header).
It never changes the store. Ctrl-C stops it.`,
		Example: `  flowguard serve
  flowguard serve --store postgres://flowguard@db.internal/flowguard --listen 127.0.0.1:9000
  FLOWGUARD_SERVE_TOKEN=$(openssl rand -hex 16) flowguard serve --listen 0.0.0.0:8080
  flowguard serve --listen 10.0.0.5:8080 --auth-header X-Forwarded-User     # behind oauth2-proxy`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Store, "store", "", cmdutil.StoreReadUsage)
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:8080", "address to listen on; anything but loopback needs --token or --auth-header")
	fs.StringVar(&o.Token, "token", "", "require this token (default $"+TokenEnv+")")
	fs.StringVar(&o.AuthHeader, "auth-header", "", "trust this header, set by an authenticating proxy in front (e.g. X-Forwarded-User): requests without it are refused")
	return cmd
}

// loopback reports whether host (of --listen) is a loopback address or localhost.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Run serves until the context ends.
func Run(o *Options) error {
	token := o.Token
	if token == "" {
		token = o.Getenv(TokenEnv)
	}
	if token != "" && len(token) < 16 {
		return cmdutil.UsageError("the token must be at least 16 characters")
	}
	host, port, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return cmdutil.UsageError("--listen %q: %v", o.Listen, err)
	}
	local := loopback(host)
	if !local && token == "" && o.AuthHeader == "" {
		return cmdutil.UsageError("--listen %s is not a loopback address: set a token (--token or %s) or --auth-header, so that only your team reads the dashboard", o.Listen, TokenEnv)
	}
	dsn := store.Resolve(o.Store, o.Getenv)
	if dsn == "" {
		dsn = store.DefaultPath(o.Getenv)
	}
	ctx := o.Ctx
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
	}
	defer st.Close()
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return cmdutil.UsageError("listen on %s: %v", o.Listen, err)
	}
	defer ln.Close()
	if p := ln.Addr().(*net.TCPAddr).Port; port == "0" {
		port = strconv.Itoa(p)
	}
	opts := serve.Options{Now: o.Now, Token: token, AuthHeader: o.AuthHeader, Log: log.New(o.IO.ErrOut, "flowguard serve: ", log.LstdFlags)}
	if local {
		// A page on another site cannot reach the dashboard through a DNS name rebound to 127.0.0.1.
		opts.Hosts = []string{"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port}
		if h := strings.ToLower(host); h != "127.0.0.1" && h != "localhost" && h != "::1" {
			opts.Hosts = append(opts.Hosts, net.JoinHostPort(h, port))
		}
	}
	h, err := serve.New(st, opts)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10, ErrorLog: opts.Log}
	urlHost := host
	if urlHost == "" || urlHost == "0.0.0.0" || urlHost == "::" {
		urlHost = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(urlHost, port) + "/"
	fmt.Fprintf(o.IO.ErrOut, "flowguard: dashboard of %s on %s (read-only; Ctrl-C stops it)\n", textsafe.Terminal(store.Redact(dsn)), url)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if o.Ready != nil {
		o.Ready(url)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
		}
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}
	return nil
}
