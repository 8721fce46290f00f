// Package faultproxy is a reverse proxy for tests that sits between the AWS SDK and moto_server: it counts
// calls per API action and injects latency, throttling, server errors, access denials and dropped connections,
// each shaped the way the real service answers, so that retry and error paths run against the real SDK.
package faultproxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is what the proxy does to one call.
type Fault int

const (
	None         Fault = iota
	Throttle           // EC2 RequestLimitExceeded, Logs ThrottlingException, S3 SlowDown, …
	ServerError        // a 500 the SDK treats as transient
	Drop               // close the connection without answering
	AccessDenied       // the service's access-denied error
)

// Call describes one request as the proxy understood it.
type Call struct {
	Service   string // from the SigV4 credential scope: ec2, logs, sts, s3, …
	Action    string // DescribeVpcs, DescribeLogGroups, GetObject, …
	Region    string
	AccessKey string
	Seq       int // 1-based order of arrival, over all calls
	// Params are the request parameters of query-protocol services (EC2, STS, IAM): RoleArn, VpcId.1, …
	Params url.Values
}

// Name is service:Action.
func (c Call) Name() string { return c.Service + ":" + c.Action }

// Options configure the faults.
type Options struct {
	Latency       time.Duration // added before every call is forwarded
	LatencyJitter time.Duration // plus a uniform random share of this
	// Shares of calls, from 0 to 1, answered with each fault. Decided after Decide.
	ThrottleRate, ServerErrorRate, DropRate float64
	Seed                                    uint64
	// Decide, when set, picks a fault for a call; None lets the random shares decide.
	Decide func(Call) Fault
	// Rewrite, when set, may change a forwarded response's body (to play states moto cannot create).
	Rewrite func(c Call, body []byte) []byte
	// Answer, when set, may answer a call itself, without forwarding it (ok true): the status and the body
	// (JSON), to play a service moto does not offer. Tests name the gap they bridge this way.
	Answer func(c Call) (status int, body []byte, ok bool)
}

// Proxy is a running fault-injecting proxy.
type Proxy struct {
	URL    string
	srv    *httptest.Server
	target *url.URL

	mu     sync.Mutex
	opts   Options
	rng    *rand.Rand
	seq    int
	calls  map[string]int            // service:Action -> count
	region map[string]map[string]int // region -> service:Action -> count
	faults map[Fault]int
}

// New starts a proxy in front of target (moto's URL) on a loopback port.
func New(target string, opts Options) *Proxy {
	u, err := url.Parse(target)
	if err != nil {
		panic(fmt.Sprintf("faultproxy: bad target %q: %v", target, err))
	}
	p := &Proxy{target: u, calls: map[string]int{}, region: map[string]map[string]int{}, faults: map[Fault]int{}}
	p.SetOptions(opts)
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.Out.Host = r.In.Host // keep the Host the request was signed for
		},
		ModifyResponse: p.modifyResponse,
		// A client that gives up (a cancelled scan) is not worth a log line.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.serve(w, r, rp) }))
	p.URL = p.srv.URL
	return p
}

// SetOptions replaces the fault options; counts are kept.
func (p *Proxy) SetOptions(o Options) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.opts = o
	p.rng = rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
}

// Close stops the proxy.
func (p *Proxy) Close() { p.srv.Close() }

type callKey struct{}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request, rp *httputil.ReverseProxy) {
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	c := identify(r, body)

	p.mu.Lock()
	p.seq++
	c.Seq = p.seq
	p.calls[c.Name()]++
	if p.region[c.Region] == nil {
		p.region[c.Region] = map[string]int{}
	}
	p.region[c.Region][c.Name()]++
	o := p.opts
	fault := None
	if o.Decide != nil {
		fault = o.Decide(c)
	}
	if fault == None {
		switch x := p.rng.Float64(); {
		case x < o.ThrottleRate:
			fault = Throttle
		case x < o.ThrottleRate+o.ServerErrorRate:
			fault = ServerError
		case x < o.ThrottleRate+o.ServerErrorRate+o.DropRate:
			fault = Drop
		}
	}
	delay := o.Latency
	if o.LatencyJitter > 0 {
		delay += time.Duration(p.rng.Int64N(int64(o.LatencyJitter)))
	}
	p.faults[fault]++
	p.mu.Unlock()

	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	switch fault {
	case None:
		if o.Answer != nil {
			if status, body, ok := o.Answer(c); ok {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Amzn-Requestid", "faultproxy")
				w.WriteHeader(status)
				w.Write(body)
				return
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), callKey{}, c))
		rp.ServeHTTP(w, r)
	case Drop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		w.WriteHeader(http.StatusBadGateway)
	default:
		writeFault(w, c, r, fault)
	}
}

func (p *Proxy) modifyResponse(resp *http.Response) error {
	p.mu.Lock()
	rewrite := p.opts.Rewrite
	p.mu.Unlock()
	if rewrite == nil {
		return nil
	}
	c, _ := resp.Request.Context().Value(callKey{}).(Call)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	body = rewrite(c, body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// Calls returns the number of calls per service:Action (every attempt, faults included).
func (p *Proxy) Calls() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.calls))
	for k, v := range p.calls {
		out[k] = v
	}
	return out
}

// CallsIn returns the calls per service:Action made in one region.
func (p *Proxy) CallsIn(region string) map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.region[region] {
		out[k] = v
	}
	return out
}

// Total is the number of calls seen.
func (p *Proxy) Total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seq
}

// Faults returns how many calls got each fault.
func (p *Proxy) Faults() map[Fault]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[Fault]int{}
	for k, v := range p.faults {
		out[k] = v
	}
	return out
}

// Reset forgets the counts.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq = 0
	p.calls = map[string]int{}
	p.region = map[string]map[string]int{}
	p.faults = map[Fault]int{}
}

// Mutating returns the service:Action names among calls that change state (anything that is not a read).
func Mutating(calls map[string]int) []string {
	var out []string
	for name := range calls {
		action := name[strings.IndexByte(name, ':')+1:]
		if !IsReadOnly(action) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// IsReadOnly reports whether an API action only reads.
func IsReadOnly(action string) bool {
	for _, p := range []string{"Describe", "List", "Get", "Head", "Lookup", "Search", "Filter", "BatchGet"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	// STS AssumeRole only obtains credentials; it changes nothing in the account.
	return action == "AssumeRole" || action == "GetCallerIdentity"
}

func identify(r *http.Request, body []byte) Call {
	c := Call{Service: "unknown", Action: "unknown"}
	// Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ec2/aws4_request, …
	if auth := r.Header.Get("Authorization"); auth != "" {
		if i := strings.Index(auth, "Credential="); i >= 0 {
			cred := auth[i+len("Credential="):]
			if j := strings.IndexByte(cred, ','); j >= 0 {
				cred = cred[:j]
			}
			parts := strings.Split(cred, "/")
			if len(parts) >= 5 {
				c.AccessKey, c.Region, c.Service = parts[0], parts[2], parts[3]
			}
		}
	}
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		t := r.Header.Get("X-Amz-Target")
		c.Action = t[strings.LastIndexByte(t, '.')+1:]
	case c.Service == "s3":
		c.Action = s3Action(r)
	default:
		if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
			c.Action, c.Params = v.Get("Action"), v
		} else if a := r.URL.Query().Get("Action"); a != "" {
			c.Action = a
		} else if p := strings.Trim(r.URL.Path, "/"); p != "" && !strings.Contains(p, "/") {
			c.Action = p // REST-JSON services that name the operation in the path (observabilityadmin)
		}
	}
	return c
}

func s3Action(r *http.Request) string {
	path := strings.Trim(r.URL.Path, "/")
	q := r.URL.Query()
	object := strings.Contains(path, "/")
	switch r.Method {
	case http.MethodHead:
		if object {
			return "HeadObject"
		}
		return "HeadBucket"
	case http.MethodGet:
		switch {
		case path == "":
			return "ListBuckets"
		case object:
			return "GetObject"
		case q.Has("list-type"):
			return "ListObjectsV2"
		case q.Has("location"):
			return "GetBucketLocation"
		case q.Has("policy"):
			return "GetBucketPolicy"
		}
		return "ListObjects"
	case http.MethodPut:
		if object {
			return "PutObject"
		}
		if q.Has("policy") {
			return "PutBucketPolicy"
		}
		return "CreateBucket"
	case http.MethodDelete:
		if object {
			return "DeleteObject"
		}
		return "DeleteBucket"
	case http.MethodPost:
		if q.Has("delete") {
			return "DeleteObjects"
		}
		return "PostObject"
	}
	return r.Method
}

// writeFault answers with the error the real service would send, in its protocol.
func writeFault(w http.ResponseWriter, c Call, r *http.Request, f Fault) {
	type shape struct {
		status  int
		code    string
		message string
	}
	var s shape
	json := strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json")
	switch f {
	case Throttle:
		switch {
		case c.Service == "ec2":
			s = shape{503, "RequestLimitExceeded", "Request limit exceeded."}
		case c.Service == "s3":
			s = shape{503, "SlowDown", "Please reduce your request rate."}
		case json:
			s = shape{400, "ThrottlingException", "Rate exceeded"}
		default:
			s = shape{400, "Throttling", "Rate exceeded"}
		}
	case ServerError:
		switch {
		case c.Service == "ec2" || c.Service == "s3":
			s = shape{500, "InternalError", "An internal error has occurred"}
		case json:
			s = shape{500, "ServiceUnavailableException", "The service is unavailable"}
		default:
			s = shape{500, "InternalFailure", "An internal error has occurred"}
		}
	case AccessDenied:
		switch {
		case c.Service == "ec2":
			s = shape{403, "UnauthorizedOperation", "You are not authorized to perform this operation."}
		case json:
			s = shape{400, "AccessDeniedException", "User is not authorized to perform: " + c.Service + ":" + c.Action}
		default:
			s = shape{403, "AccessDenied", "User is not authorized to perform: " + c.Service + ":" + c.Action}
		}
	}
	reqID := fmt.Sprintf("faultproxy-%d", c.Seq)
	switch {
	case json:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-ErrorType", s.code)
		w.Header().Set("X-Amzn-RequestId", reqID)
		w.WriteHeader(s.status)
		fmt.Fprintf(w, `{"__type":%q,"message":%q}`, s.code, s.message)
	case c.Service == "ec2":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(s.status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>`, s.code, s.message, reqID)
	case c.Service == "s3":
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("x-amz-request-id", reqID)
		w.WriteHeader(s.status)
		if r.Method != http.MethodHead {
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId></Error>`, s.code, s.message, reqID)
		}
	default:
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(s.status)
		typ := "Sender"
		if s.status >= 500 {
			typ = "Receiver"
		}
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`, typ, s.code, s.message, reqID)
	}
}

// RewriteEC2Items applies f to each top-level <item> of the EC2 XML list element named set (flowLogSet,
// vpcSet, …) and returns the new body. Tests use it to play states moto cannot create, such as a flow log
// that is not ACTIVE or a VPC shared from another account.
func RewriteEC2Items(body []byte, set string, f func(item string) string) []byte {
	s := string(body)
	open, end := "<"+set+">", "</"+set+">"
	i := strings.Index(s, open)
	j := strings.LastIndex(s, end)
	if i < 0 || j < i {
		return body
	}
	inner := s[i+len(open) : j]
	var b strings.Builder
	depth, start := 0, -1
	for k := 0; k < len(inner); {
		switch {
		case strings.HasPrefix(inner[k:], "<item>"):
			if depth == 0 {
				start = k
			}
			depth++
			k += len("<item>")
		case strings.HasPrefix(inner[k:], "</item>"):
			depth--
			k += len("</item>")
			if depth == 0 && start >= 0 {
				b.WriteString(f(inner[start:k]))
				start = -1
			}
		default:
			if depth == 0 {
				b.WriteByte(inner[k])
			}
			k++
		}
	}
	return []byte(s[:i+len(open)] + b.String() + s[j:])
}

// PageEC2 cuts an EC2 list answer into pages of size items, as AWS does and moto does not: the request's
// NextToken is the offset, and the answer carries the next one while items remain. With it, tests prove
// that every describe call follows NextToken to the end.
func PageEC2(c Call, body []byte, set string, size int) []byte {
	offset, _ := strconv.Atoi(c.Params.Get("NextToken"))
	i := 0
	total := 0
	out := RewriteEC2Items(body, set, func(item string) string {
		defer func() { i++ }()
		total++
		if i < offset || i >= offset+size {
			return ""
		}
		return item
	})
	if offset+size < total {
		s := string(out)
		end := strings.Index(s, "</"+set+">") + len("</"+set+">")
		out = []byte(s[:end] + "<nextToken>" + strconv.Itoa(offset+size) + "</nextToken>" + s[end:])
	}
	return out
}
