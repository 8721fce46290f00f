package guard

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are guard's Prometheus metrics, in a registry of their own. A nil *Metrics records nothing.
type Metrics struct {
	Registry *prometheus.Registry

	events     *prometheus.CounterVec
	errors     *prometheus.CounterVec
	findings   *prometheus.CounterVec
	verdictLat prometheus.Histogram
	fixLat     prometheus.Histogram
	lag        prometheus.Histogram
	lastLag    prometheus.Gauge
	fixes      prometheus.Counter
	conflicts  prometheus.Counter
	reconciles *prometheus.CounterVec
	inFlight   prometheus.Gauge

	// lastPoll is the unix nanoseconds of the last receive that reached the queue (for /healthz).
	lastPoll atomic.Int64
}

// latencyBuckets span a fast reaction (100 ms) to a slow one (15 min).
var latencyBuckets = []float64{0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900}

// NewMetrics registers guard's metrics (and the Go and process collectors) in a new registry.
func NewMetrics() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{Registry: r,
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flowguard_guard_events_total",
			Help: "Events by outcome: handled, ignored (not of interest, out of scope or flowguard's own), self (flowguard's own, also counted as ignored), failed (left for redelivery), malformed (poison)."}, []string{"outcome"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flowguard_guard_errors_total",
			Help: "Errors by stage: receive, delete, visibility, enter, read, plan, fix, publish."}, []string{"stage"}),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flowguard_guard_findings_changed_total",
			Help: "Findings whose status changed, by new status."}, []string{"status"}),
		verdictLat: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "flowguard_guard_event_to_verdict_seconds",
			Help: "Time from the event (its CloudTrail time) to guard's verdict on its account-region.", Buckets: latencyBuckets}),
		fixLat: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "flowguard_guard_event_to_fix_seconds",
			Help: "Time from the event to the flow log guard created for it.", Buckets: latencyBuckets}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "flowguard_guard_queue_lag_seconds",
			Help: "Time a message waited in the queue (SentTimestamp to receipt).", Buckets: latencyBuckets}),
		lastLag: prometheus.NewGauge(prometheus.GaugeOpts{Name: "flowguard_guard_queue_lag_last_seconds",
			Help: "Queue lag of the last message received."}),
		fixes: prometheus.NewCounter(prometheus.CounterOpts{Name: "flowguard_guard_flow_logs_created_total",
			Help: "Flow logs guard created."}),
		conflicts: prometheus.NewCounter(prometheus.CounterOpts{Name: "flowguard_guard_conflicts_total",
			Help: "Repairs refused by the per-resource limit (another automation keeps undoing them)."}),
		reconciles: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flowguard_guard_reconciles_total",
			Help: "Full reconciles, by result (ok, error)."}, []string{"result"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "flowguard_guard_messages_in_flight",
			Help: "Messages received and not yet handled."}),
	}
	r.MustRegister(m.events, m.errors, m.findings, m.verdictLat, m.fixLat, m.lag, m.lastLag, m.fixes, m.conflicts, m.reconciles, m.inFlight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) event(outcome string) { m.eventN(outcome, 1) }

func (m *Metrics) eventN(outcome string, n int) {
	if m != nil {
		m.events.WithLabelValues(outcome).Add(float64(n))
	}
}

func (m *Metrics) error(stage string) {
	if m != nil {
		m.errors.WithLabelValues(stage).Inc()
	}
}

func (m *Metrics) finding(status string) {
	if m != nil {
		m.findings.WithLabelValues(status).Inc()
	}
}

func (m *Metrics) verdict(d time.Duration) {
	if m != nil {
		m.verdictLat.Observe(max(d, 0).Seconds())
	}
}

func (m *Metrics) fixLatency(d time.Duration) {
	if m != nil {
		m.fixLat.Observe(max(d, 0).Seconds())
	}
}

func (m *Metrics) queueLag(d time.Duration) {
	if m != nil {
		s := max(d, 0).Seconds()
		m.lag.Observe(s)
		m.lastLag.Set(s)
	}
}

func (m *Metrics) fixed() {
	if m != nil {
		m.fixes.Inc()
	}
}

func (m *Metrics) conflict() {
	if m != nil {
		m.conflicts.Inc()
	}
}

func (m *Metrics) reconciled(ok bool) {
	if m != nil {
		r := "ok"
		if !ok {
			r = "error"
		}
		m.reconciles.WithLabelValues(r).Inc()
	}
}

func (m *Metrics) inflight(delta int) {
	if m != nil {
		m.inFlight.Add(float64(delta))
	}
}

func (m *Metrics) polled(t time.Time) {
	if m != nil {
		m.lastPoll.Store(t.UnixNano())
	}
}

// Handler serves /metrics (Prometheus text format) and /healthz: 200 while the queue was reached within
// stale (or before the first receive, during startup grace), 503 otherwise.
func (m *Metrics) Handler(now func() time.Time, started time.Time, stale time.Duration) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		last := m.lastPoll.Load()
		t := now()
		switch {
		case last == 0 && t.Sub(started) < stale:
			w.Write([]byte("starting\n"))
		case last != 0 && t.Sub(time.Unix(0, last)) < stale:
			w.Write([]byte("ok\n"))
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("the queue has not been reached recently\n"))
		}
	})
	return mux
}
