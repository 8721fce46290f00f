package awsconf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
)

// A call whose connection cannot be made (refused, unknown host, unreachable) is tried this many times, a
// short wait apart, whatever --max-attempts says: the SDK would otherwise retry a wrong --endpoint-url for
// minutes, silently. Throttling and server errors keep the whole --max-attempts budget.
const (
	MaxConnectAttempts = 2
	connectRetryDelay  = 250 * time.Millisecond
)

// CodeCannotConnect is the code of a read error whose call could not connect to its endpoint.
const CodeCannotConnect = "CannotConnect"

// Retry describes a retry the SDK is about to make, before it waits.
type Retry struct {
	Operation   string // service:Action, e.g. ec2:DescribeFlowLogs
	Region      string
	Attempt     int    // the attempt about to be made: 2 for the first retry
	MaxAttempts int    // the cap on attempts for this kind of failure
	Code        string // the error code (RequestLimitExceeded, …), CannotConnect, or empty
	Throttle    bool   // the service throttled the call
}

// Retryer is the SDK's adaptive retry mode (client-side rate limiting on throttles) with a cap on attempts and
// backoff. The retry-quota token bucket is off: adaptive mode already paces retries, and a drained bucket would
// turn a burst of throttles into hard failures. A connection that cannot be made is tried MaxConnectAttempts
// times only (when the config carries the call state LoadEnv adds; see RetryOptions).
func Retryer(maxAttempts int, maxBackoff time.Duration) func() aws.Retryer {
	return retryerWith(maxAttempts, maxBackoff, nil)
}

func retryerWith(maxAttempts int, maxBackoff time.Duration, onRetry func(Retry)) func() aws.Retryer {
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	if maxBackoff <= 0 {
		maxBackoff = DefaultMaxBackoff
	}
	return func() aws.Retryer {
		return &observedRetryer{RetryerV2: retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
			o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
				so.MaxAttempts = maxAttempts
				so.MaxBackoff = maxBackoff
				so.RateLimiter = ratelimit.None
			})
		}), onRetry: onRetry}
	}
}

// RetryOptions is the API option that gives every call the state the retryer counts its attempts in: add it
// to a config's APIOptions along with Retryer (LoadEnv does).
func RetryOptions(stack *middleware.Stack) error {
	m := middleware.FinalizeMiddlewareFunc("flowguardRetryState", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		return next.HandleFinalize(context.WithValue(ctx, callStateKey{}, &callState{}), in)
	})
	if _, ok := stack.Finalize.Get("Retry"); ok {
		return stack.Finalize.Insert(m, "Retry", middleware.Before)
	}
	return stack.Finalize.Add(m, middleware.Before)
}

type callStateKey struct{}

// callState is one call's retry count (the retry loop of a call is sequential).
type callState struct{ retries, connectFailures int }

var errGaveUpConnecting = fmt.Errorf("gave up after %d attempts: the endpoint cannot be reached", MaxConnectAttempts)

type observedRetryer struct {
	aws.RetryerV2
	onRetry func(Retry)
}

func (r *observedRetryer) GetRetryToken(ctx context.Context, opErr error) (func(error) error, error) {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	if st == nil {
		return r.RetryerV2.GetRetryToken(ctx, opErr)
	}
	st.retries++
	ev := Retry{Operation: operationName(ctx), Region: awsmiddleware.GetRegion(ctx), Attempt: st.retries + 1,
		MaxAttempts: r.MaxAttempts(), Throttle: retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(opErr).Bool()}
	if _, _, ok := connectFailure(opErr); ok {
		st.connectFailures++
		if st.connectFailures >= MaxConnectAttempts {
			return nil, errGaveUpConnecting
		}
		ev.Code, ev.MaxAttempts = CodeCannotConnect, MaxConnectAttempts
	} else if code := errorCode(opErr); code != "" {
		ev.Code = code
	}
	if r.onRetry != nil {
		r.onRetry(ev)
	}
	return r.RetryerV2.GetRetryToken(ctx, opErr)
}

func (r *observedRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	if _, _, ok := connectFailure(err); ok {
		return connectRetryDelay, nil
	}
	return r.RetryerV2.RetryDelay(attempt, err)
}

func errorCode(err error) string {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// operationName is service:Action the way IAM policies (and flowguard's errors) name it.
func operationName(ctx context.Context) string {
	svc := awsmiddleware.GetServiceID(ctx)
	switch svc {
	case "CloudWatch Logs":
		svc = "logs"
	default:
		svc = strings.ToLower(strings.ReplaceAll(svc, " ", ""))
	}
	return svc + ":" + awsmiddleware.GetOperationName(ctx)
}

// CannotConnect describes an error of a call that could not connect to its endpoint, as "cannot connect to
// http://127.0.0.1:1 (connection refused)" (the endpoint's password redacted); ok is false for other errors.
func CannotConnect(err error) (msg string, ok bool) {
	endpoint, cause, ok := connectFailure(err)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("cannot connect to %s (%s)", endpoint, cause), true
}

// connectFailure finds a connection error that retrying will not fix soon: a refused connection, an unknown
// host, an unreachable host or network, a connect that got no answer within ConnectTimeout (dropped SYNs), a
// TLS handshake that got no answer within TLSHandshakeTimeout. A slow network that may still answer gets the
// one retry MaxConnectAttempts allows.
func connectFailure(err error) (endpoint, cause string, ok bool) {
	if err == nil {
		return "", "", false
	}
	var op *net.OpError
	var dns *net.DNSError
	var ue *url.Error
	isDial := errors.As(err, &op) && op.Op == "dial"
	switch {
	case isDial && errors.Is(err, syscall.ECONNREFUSED):
		cause = "connection refused"
	case isDial && errors.As(err, &dns) && dns.IsNotFound:
		cause = "no such host"
	case isDial && errors.Is(err, syscall.EHOSTUNREACH):
		cause = "host unreachable"
	case isDial && errors.Is(err, syscall.ENETUNREACH):
		cause = "network unreachable"
	case isDial && (op.Timeout() || errors.Is(err, syscall.ETIMEDOUT)):
		cause = fmt.Sprintf("connection timed out: no answer within %s", ConnectTimeout)
	case !isDial && errors.As(err, &ue) && isTLSHandshakeTimeout(ue.Err):
		cause = fmt.Sprintf("TLS handshake timed out: no answer within %s", TLSHandshakeTimeout)
	default:
		return "", "", false
	}
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			endpoint = RedactURL((&url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host}).String())
		}
	}
	if endpoint == "" && op != nil && op.Addr != nil {
		endpoint = op.Addr.String()
	}
	if endpoint == "" && dns != nil {
		endpoint = dns.Name
	}
	return endpoint, cause, true
}

// isTLSHandshakeTimeout recognises net/http's TLS handshake timeout, an unexported type: by its message.
func isTLSHandshakeTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout() && err.Error() == "net/http: TLS handshake timeout"
}
