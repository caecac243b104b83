// Package metrics exports the server's figures to Prometheus (GET /metrics): request durations by
// route pattern and status, the database pools and transactions, imports in progress, the login
// queue and the build. It holds its own registry (no global state), so tests and several servers
// in one process do not share counters.
package metrics

import (
	"context"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"quotacert/internal/store"
)

// Registry is the server's set of metrics.
type Registry struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	inFlight prometheus.Gauge

	importsRunning atomic.Int64
	importRows     atomic.Int64 // rows read so far by the imports running now
	importRowsDone *prometheus.CounterVec
}

// New returns a registry with the Go runtime, process and build figures registered; version is the
// release ("" reads the module's build information).
func New(version string) *Registry {
	m := &Registry{reg: prometheus.NewRegistry()}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(collectors.NewBuildInfoCollector())
	if version == "" {
		version = "unknown"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			version = bi.Main.Version
		}
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{Name: "quotacert_build_info",
		Help: "The running release (always 1).", ConstLabels: prometheus.Labels{"version": version}})
	build.Set(1)
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "quotacert_http_request_duration_seconds",
		Help:    "Time to answer a request, by route pattern (as in the route list), method and status.",
		Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"route", "method", "code"})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "quotacert_http_requests_in_flight",
		Help: "Requests being answered now."})
	m.importRowsDone = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "quotacert_import_rows_total",
		Help: "Data rows read by finished imports, by outcome (accepted, rejected)."}, []string{"outcome"})
	m.reg.MustRegister(build, m.requests, m.inFlight, m.importRowsDone,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "quotacert_imports_running",
			Help: "Data-exchange imports running now."}, func() float64 { return float64(m.importsRunning.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "quotacert_import_rows_read",
			Help: "Rows read so far by the imports running now (their progress)."}, func() float64 { return float64(m.importRows.Load()) }))
	return m
}

// Handler serves the figures in the Prometheus text format.
func (m *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registerer is the registry for figures registered elsewhere (tests).
func (m *Registry) Registerer() prometheus.Registerer { return m.reg }

// DB exports the figures of a database handle: both pools (open, in use, idle, waits), the
// transactions begun (read-only apart), the retries after a broken connection, the faults by kind
// and the time spent inside transactions.
func (m *Registry) DB(stats func() store.Stats) {
	m.reg.MustRegister(dbCollector{stats: stats})
}

// LoginQueue exports the sign-in password checks waiting and running.
func (m *Registry) LoginQueue(load func() (waiting, running int)) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "quotacert_login_queue_waiting",
			Help: "Sign-in password checks waiting for a hashing slot."}, func() float64 { w, _ := load(); return float64(w) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "quotacert_login_checks_running",
			Help: "Sign-in password checks running now."}, func() float64 { _, r := load(); return float64(r) }))
}

// Import tracks one import: call the returned progress function with the rows read so far, and
// done with the outcome when it ends. A nil registry tracks nothing.
func (m *Registry) Import() (progress func(rows int), done func(accepted bool)) {
	if m == nil {
		return func(int) {}, func(bool) {}
	}
	m.importsRunning.Add(1)
	var last int64
	progress = func(rows int) {
		m.importRows.Add(int64(rows) - last)
		last = int64(rows)
	}
	done = func(accepted bool) {
		m.importRows.Add(-last)
		m.importsRunning.Add(-1)
		outcome := "rejected"
		if accepted {
			outcome = "accepted"
		}
		m.importRowsDone.WithLabelValues(outcome).Add(float64(last))
	}
	return progress, done
}

type routeKey struct{}

// route is where the router writes the pattern of the matched route for the middleware to read.
type route struct{ pattern string }

// SetRoute records the route pattern that matched the request (the router calls it). Outside an
// instrumented request it does nothing.
func SetRoute(ctx context.Context, pattern string) {
	if r, ok := ctx.Value(routeKey{}).(*route); ok {
		r.pattern = pattern
	}
}

// Instrument measures every request passed to next. The route label is the pattern the router
// recorded with SetRoute, or "unmatched": never the raw path, which would give every placement
// its own series.
func (m *Registry) Instrument(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		rt := &route{pattern: "unmatched"}
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey{}, rt)))
		m.requests.WithLabelValues(rt.pattern, r.Method, strconv.Itoa(sw.code)).Observe(time.Since(start).Seconds())
	})
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wroteHeader {
		s.code, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wroteHeader = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushes of streamed exports).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush passes flushes of streamed answers on.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

var (
	dbConns = prometheus.NewDesc("quotacert_db_connections", "Connections of a database pool by state.",
		[]string{"pool", "state"}, nil)
	dbMaxOpen = prometheus.NewDesc("quotacert_db_connections_max", "The most connections a pool opens.",
		[]string{"pool"}, nil)
	dbWaits = prometheus.NewDesc("quotacert_db_waits_total", "Times a request waited for a free connection.",
		[]string{"pool"}, nil)
	dbWaitSeconds = prometheus.NewDesc("quotacert_db_wait_seconds_total", "Time spent waiting for a free connection.",
		[]string{"pool"}, nil)
	dbTx = prometheus.NewDesc("quotacert_db_transactions_total", "Transactions begun, by mode (read: read-only, without the write lock).",
		[]string{"mode"}, nil)
	dbTxSeconds = prometheus.NewDesc("quotacert_db_transaction_seconds_total", "Time spent inside transactions, begin to end.", nil, nil)
	dbRetries   = prometheus.NewDesc("quotacert_db_transaction_retries_total", "Transactions run again after a broken connection.", nil, nil)
	dbFaults    = prometheus.NewDesc("quotacert_db_faults_total", "Transactions answered 503 for a database fault, by kind (broken, timeout, storage).",
		[]string{"kind"}, nil)
)

// dbCollector reads the store's figures at each scrape.
type dbCollector struct{ stats func() store.Stats }

func (c dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dbConns, dbMaxOpen, dbWaits, dbWaitSeconds, dbTx, dbTxSeconds, dbRetries, dbFaults} {
		ch <- d
	}
}

func (c dbCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	for pool, s := range map[string]struct {
		inUse, idle, max int
		waits            int64
		wait             time.Duration
	}{
		"write": {st.Write.InUse, st.Write.Idle, st.Write.MaxOpenConnections, st.Write.WaitCount, st.Write.WaitDuration},
		"read":  {st.Read.InUse, st.Read.Idle, st.Read.MaxOpenConnections, st.Read.WaitCount, st.Read.WaitDuration},
	} {
		ch <- prometheus.MustNewConstMetric(dbConns, prometheus.GaugeValue, float64(s.inUse), pool, "in_use")
		ch <- prometheus.MustNewConstMetric(dbConns, prometheus.GaugeValue, float64(s.idle), pool, "idle")
		ch <- prometheus.MustNewConstMetric(dbMaxOpen, prometheus.GaugeValue, float64(s.max), pool)
		ch <- prometheus.MustNewConstMetric(dbWaits, prometheus.CounterValue, float64(s.waits), pool)
		ch <- prometheus.MustNewConstMetric(dbWaitSeconds, prometheus.CounterValue, s.wait.Seconds(), pool)
	}
	ch <- prometheus.MustNewConstMetric(dbTx, prometheus.CounterValue, float64(st.ReadOnly), "read")
	ch <- prometheus.MustNewConstMetric(dbTx, prometheus.CounterValue, float64(st.Transactions-st.ReadOnly), "write")
	ch <- prometheus.MustNewConstMetric(dbTxSeconds, prometheus.CounterValue, st.TxTimeSeconds)
	ch <- prometheus.MustNewConstMetric(dbRetries, prometheus.CounterValue, float64(st.Retries))
	for kind, n := range st.Faults {
		ch <- prometheus.MustNewConstMetric(dbFaults, prometheus.CounterValue, float64(n), kind)
	}
}
