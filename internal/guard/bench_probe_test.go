package guard

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// probe is the HTTP client of guard's config in the benchmarks: it measures, on guard's side of the proxy,
// how long guard waits on AWS (per service:Action, and the wall time during which at least one call of a
// kind is outstanding), so that the figures separate the emulator's time from guard's own.
type probe struct {
	next *awshttp.BuildableClient

	mu      sync.Mutex
	start   time.Time
	open    map[string]int           // "aws" (everything but SQS), "sqs", "any" -> calls outstanding
	since   map[string]time.Time     // when open[kind] went from 0 to 1
	busy    map[string]time.Duration // wall time with open[kind] > 0
	calls   map[string]int
	waited  map[string]time.Duration // summed latency per service:Action
	maxOpen int
}

func newProbe() *probe {
	p := &probe{next: awshttp.NewBuildableClient()}
	p.Reset()
	return p
}

// Reset starts a new measurement.
func (p *probe) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start = time.Now()
	p.open, p.since, p.busy = map[string]int{}, map[string]time.Time{}, map[string]time.Duration{}
	p.calls, p.waited = map[string]int{}, map[string]time.Duration{}
	p.maxOpen = 0
}

// callName is service:Action from the SigV4 scope and the request (query protocol or JSON target).
func callName(r *http.Request) string {
	svc := "?"
	if _, cred, ok := strings.Cut(r.Header.Get("Authorization"), "Credential="); ok {
		if parts := strings.Split(cred, "/"); len(parts) >= 4 {
			svc = parts[3]
		}
	}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		_, a, _ := strings.Cut(t, ".")
		return svc + ":" + a
	}
	if r.GetBody != nil {
		if b, err := r.GetBody(); err == nil {
			buf := make([]byte, 4096)
			n, _ := b.Read(buf)
			b.Close()
			if v, err := url.ParseQuery(string(buf[:n])); err == nil && v.Get("Action") != "" {
				return svc + ":" + v.Get("Action")
			}
		}
	}
	return svc + ":" + r.Method
}

func (p *probe) Do(r *http.Request) (*http.Response, error) {
	name := callName(r)
	kinds := []string{"any", "aws"}
	if strings.HasPrefix(name, "sqs:") {
		kinds[1] = "sqs"
	}
	t0 := time.Now()
	p.mu.Lock()
	for _, k := range kinds {
		if p.open[k] == 0 {
			p.since[k] = t0
		}
		p.open[k]++
	}
	p.maxOpen = max(p.maxOpen, p.open["any"])
	p.mu.Unlock()
	resp, err := p.next.Do(r)
	t1 := time.Now()
	p.mu.Lock()
	for _, k := range kinds {
		p.open[k]--
		if p.open[k] == 0 {
			p.busy[k] += t1.Sub(p.since[k])
		}
	}
	p.calls[name]++
	p.waited[name] += t1.Sub(t0)
	p.mu.Unlock()
	return resp, err
}

// probeFigures is one measurement.
type probeFigures struct {
	Elapsed               time.Duration
	AWSBusy, SQSBusy, Any time.Duration // wall time with a call of the kind outstanding
	AWSCalls, SQSCalls    int
	AWSWait, SQSWait      time.Duration // summed call latencies
	MaxOpen               int
	Table                 string // per service:Action: calls and mean latency
}

func (p *probe) Figures() probeFigures {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	f := probeFigures{Elapsed: now.Sub(p.start), AWSBusy: p.busy["aws"], SQSBusy: p.busy["sqs"], Any: p.busy["any"], MaxOpen: p.maxOpen}
	for k, n := range p.open { // calls still outstanding count up to now
		if n > 0 {
			switch k {
			case "aws":
				f.AWSBusy += now.Sub(p.since[k])
			case "sqs":
				f.SQSBusy += now.Sub(p.since[k])
			case "any":
				f.Any += now.Sub(p.since[k])
			}
		}
	}
	names := make([]string, 0, len(p.calls))
	for n := range p.calls {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		if strings.HasPrefix(n, "sqs:") {
			f.SQSCalls += p.calls[n]
			f.SQSWait += p.waited[n]
		} else {
			f.AWSCalls += p.calls[n]
			f.AWSWait += p.waited[n]
		}
		fmt.Fprintf(&b, "  %-40s %5d calls  %7.1f ms mean\n", n, p.calls[n], float64(p.waited[n].Milliseconds())/float64(p.calls[n]))
	}
	f.Table = b.String()
	return f
}
