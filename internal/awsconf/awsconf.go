// Package awsconf turns flowguard's AWS flags into an aws-sdk-go-v2 config the way AWS users expect: the
// default credential chain, named profiles, AWS_ENDPOINT_URL or --endpoint-url for emulators, and adaptive
// retries with a cap, so throttling in busy production accounts slows a scan down instead of failing it.
package awsconf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/middleware"
	"github.com/spf13/pflag"
)

// Options are the AWS settings shared by every command that calls AWS.
type Options struct {
	Profile     string
	Regions     []string // --region, repeatable and comma-separated
	EndpointURL string
	// MaxAttempts caps tries per call (first try included); MaxBackoff caps the wait between tries.
	MaxAttempts int
	MaxBackoff  time.Duration
	// OnRetry, when set, is called before each retry of an AWS call (not a flag: scan shows it on a terminal).
	OnRetry func(Retry)
}

// Defaults for retries: generous enough to ride out throttling, bounded so a dead region fails in time.
const (
	DefaultMaxAttempts = 10
	DefaultMaxBackoff  = 20 * time.Second
)

// Connection timeouts. The SDK's own defaults (30 s to connect, 10 s for TLS) let an endpoint that never
// answers (a firewall dropping SYNs, a wrong private IP, a VPC endpoint without a route) hang every call for
// half a minute per attempt. 3.1 s is what the SDK itself uses in its "standard" and "cross-region" defaults
// modes: long enough for Linux's SYN retransmissions at 1 s and 3 s to get an answer from a distant region,
// short enough that a dead endpoint fails within seconds. Such a dial counts as a connection that cannot be
// made: MaxConnectAttempts tries, so a call gives up after about 2 × 3.1 s + 0.25 s.
const (
	ConnectTimeout      = 3100 * time.Millisecond
	TLSHandshakeTimeout = 3100 * time.Millisecond
)

// HTTPClient is the SDK's buildable HTTP client with flowguard's connection timeouts. It stays buildable, so
// a profile's defaults_mode can still tune it.
func HTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = ConnectTimeout }).
		WithTransportOptions(func(t *http.Transport) { t.TLSHandshakeTimeout = TLSHandshakeTimeout })
}

// AddFlags registers the AWS flags on fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Profile, "profile", "", "AWS named profile (default: AWS_PROFILE or the default chain)")
	fs.StringSliceVar(&o.Regions, "region", nil, "region(s) to use, repeatable or comma-separated (default: every enabled region)")
	fs.StringVar(&o.EndpointURL, "endpoint-url", "", "send every AWS call to this endpoint, e.g. a local moto_server (AWS_ENDPOINT_URL works too)")
	fs.IntVar(&o.MaxAttempts, "max-attempts", DefaultMaxAttempts, "tries per AWS call before giving up (throttling and transient errors are retried)")
	fs.DurationVar(&o.MaxBackoff, "max-backoff", DefaultMaxBackoff, "longest wait between retries")
	fs.Lookup("max-backoff").Hidden = true
}

// NormalizedRegions returns the --region values split on commas, trimmed, de-duplicated, in order.
func (o *Options) NormalizedRegions() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range o.Regions {
		for _, p := range strings.Split(r, ",") {
			p = strings.TrimSpace(p)
			if p != "" && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// Load builds the SDK config from o and the process environment (see LoadEnv).
func Load(ctx context.Context, o Options) (aws.Config, error) { return LoadEnv(ctx, o, os.Getenv) }

// LoadEnv builds the SDK config. The home region is the first --region, else the profile's or environment's
// region, else us-east-1 (only used for global calls such as STS and DescribeRegions). The AWS_* variables
// flowguard documents (profile, region, endpoint, static credentials, config and credentials files) are read
// through getenv and handed to the SDK explicitly, so a caller (a test) decides the environment the SDK sees;
// flags outrank them.
func LoadEnv(ctx context.Context, o Options, getenv func(string) string) (aws.Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var opts []func(*config.LoadOptions) error
	if f := getenv("AWS_CONFIG_FILE"); f != "" {
		opts = append(opts, config.WithSharedConfigFiles([]string{f}))
	}
	if f := getenv("AWS_SHARED_CREDENTIALS_FILE"); f != "" {
		opts = append(opts, config.WithSharedCredentialsFiles([]string{f}))
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	} else if p := getenv("AWS_PROFILE"); p != "" {
		opts = append(opts, config.WithSharedConfigProfile(p))
	}
	if rs := o.NormalizedRegions(); len(rs) > 0 {
		opts = append(opts, config.WithRegion(rs[0]))
	} else if r := firstNonEmpty(getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION")); r != "" {
		opts = append(opts, config.WithRegion(r))
	}
	if id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(id, secret, getenv("AWS_SESSION_TOKEN"))))
	}
	if o.EndpointURL != "" {
		if err := CheckEndpointURL(o.EndpointURL); err != nil {
			return aws.Config{}, fmt.Errorf("--endpoint-url: %w", err)
		}
		opts = append(opts, config.WithBaseEndpoint(o.EndpointURL))
	} else if e := getenv("AWS_ENDPOINT_URL"); e != "" {
		// The SDK would echo it, password included, in every error: refuse a bad one here, redacted.
		if err := CheckEndpointURL(e); err != nil {
			return aws.Config{}, fmt.Errorf("AWS_ENDPOINT_URL or profile endpoint_url: %w", err)
		}
		opts = append(opts, config.WithBaseEndpoint(e))
	}
	opts = append(opts, config.WithHTTPClient(HTTPClient()))
	opts = append(opts, config.WithRetryer(retryerWith(o.MaxAttempts, o.MaxBackoff, o.OnRetry)),
		config.WithAPIOptions([]func(*middleware.Stack) error{RetryOptions}))
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != "" && o.EndpointURL == "" {
		// From the profile: the SDK would echo it, password included, in every error.
		if err := CheckEndpointURL(*cfg.BaseEndpoint); err != nil {
			return aws.Config{}, fmt.Errorf("AWS_ENDPOINT_URL or profile endpoint_url: %w", err)
		}
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return cfg, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// CheckEndpointURL refuses an endpoint URL the SDK could not use: one that does not parse, is not http or
// https, or has no host. The error shows the URL with the password of its userinfo replaced by "xxxxx".
func CheckEndpointURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		reason := err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			reason = ue.Err.Error() // without the URL, which holds the password
		}
		return fmt.Errorf("endpoint URL %s does not parse: %s", RedactURL(raw), reason)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("endpoint URL %s: want http:// or https://", RedactURL(raw))
	}
	if u.Host == "" {
		return fmt.Errorf("endpoint URL %s has no host", RedactURL(raw))
	}
	return nil
}

// RedactURL returns raw with the password of its userinfo replaced by "xxxxx" (url.URL.Redacted), also when
// raw does not parse; userinfo without a scheme is replaced as a whole.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Opaque == "" {
		return u.Redacted()
	}
	prefix, rest := "", raw
	if i := strings.Index(raw, "://"); i >= 0 {
		prefix, rest = raw[:i+3], raw[i+3:]
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return raw
	}
	user := rest[:at]
	if c := strings.IndexByte(user, ':'); c >= 0 && prefix != "" {
		user = user[:c+1] + "xxxxx"
	} else {
		user = "xxxxx"
	}
	return prefix + user + rest[at:]
}

// UsesCustomEndpoint reports whether calls go to a non-AWS endpoint (then S3 needs path-style addressing).
func UsesCustomEndpoint(cfg aws.Config) bool {
	return cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != ""
}
