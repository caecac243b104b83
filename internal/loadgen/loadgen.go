// Package loadgen is quotacert's one home of load generation, on vegeta (as a library): the
// attack that "quotacert scale" measures its pages with, and "quotacert load", which drives a
// running server with a few scenarios (a baseline that only touches the database, a rendered page,
// the verification engine, and signed-in pages when credentials are given) or with issue 14's login
// flood, for a bounded time and request count, and reports throughput and latency percentiles as
// ratios against the baseline measured in the same run.
//
// It only targets loopback addresses: load is never sent to another machine by accident.
package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Config bounds one run.
type Config struct {
	BaseURL     string
	Duration    time.Duration // per scenario
	Concurrency int
	MaxRequests int // per scenario; the run stops at whichever bound comes first
	// CreditCode and Password sign in an employer for the signed-in scenarios (captcha must be off).
	CreditCode, Password string
}

// Scenario is one kind of request.
type Scenario struct {
	Name    string
	Method  string
	Path    string
	Body    string
	Headers map[string]string
	// SignedIn scenarios run with the employer's session cookie.
	SignedIn bool
}

// Result is one scenario's figures.
type Result struct {
	Scenario string
	Requests int
	Errors   int // transport errors and answers outside 200–399
	// PerSecond counts the successful answers only (vegeta's throughput): a scenario that fails
	// fast must not look fast.
	PerSecond     float64
	P50, P90, P99 time.Duration
	// Ratio is PerSecond divided by the baseline's PerSecond of the same run.
	Ratio float64
}

// VerifyCase is a realistic verification case for POST /api/v1/verify (12 months of records).
const VerifyCase = `{"year":2025,"region":"220102","minimumWages":[{"region":"22","from":"2024-10","amount":1780},
{"region":"220102","from":"2024-10","amount":2120}],"person":{"idNumber":"22010219880712035X"},"dispatched":false,
"certificates":[{"issued":"2019-05-10","validUntil":"2029-05-10","status":"有效","source":"registry","level":3}],
"contracts":[{"start":"2023-03-01","end":null}],
"wages":[{"month":"2025-01","amount":2500},{"month":"2025-02","amount":2500},{"month":"2025-03","amount":2500},
{"month":"2025-04","amount":2500},{"month":"2025-05","amount":2500},{"month":"2025-06","amount":2500},
{"month":"2025-07","amount":2500},{"month":"2025-08","amount":2500},{"month":"2025-09","amount":2500},
{"month":"2025-10","amount":2500},{"month":"2025-11","amount":2500},{"month":"2025-12","amount":2500}],
"socialInsurance":["2025-01","2025-02","2025-03","2025-04","2025-05","2025-06","2025-07","2025-08","2025-09","2025-10","2025-11","2025-12"],
"medicalInsurance":["2025-01","2025-02","2025-03","2025-04","2025-05","2025-06","2025-07","2025-08","2025-09","2025-10","2025-11","2025-12"]}`

// Scenarios are the default scenarios; the first is the baseline.
func Scenarios() []Scenario {
	return []Scenario{
		{Name: "baseline GET /healthz", Method: http.MethodGet, Path: "/healthz"},
		{Name: "GET /login (template)", Method: http.MethodGet, Path: "/login"},
		{Name: "POST /api/v1/verify", Method: http.MethodPost, Path: "/api/v1/verify", Body: VerifyCase,
			Headers: map[string]string{"Content-Type": "application/json"}},
		{Name: "GET / signed in (home)", Method: http.MethodGet, Path: "/", SignedIn: true},
		{Name: "GET /api/v1/employer signed in", Method: http.MethodGet, Path: "/api/v1/employer", SignedIn: true,
			Headers: map[string]string{"Accept": "application/json"}},
	}
}

// CheckLoopback refuses any target that is not this machine.
func CheckLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("--url must be an http(s) URL, got %q", base)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("load is only sent to loopback addresses (127.0.0.0/8, ::1, localhost), not %q", host)
	}
	return nil
}

// Attack is one measurement: the targets in turn, round and round, as fast as Workers connections
// are answered, until Duration has passed or MaxHits requests were sent (0: no bound), or ctx ends.
type Attack struct {
	Name      string
	Workers   int
	Duration  time.Duration
	MaxHits   int
	Timeout   time.Duration // per request; 0: 30 s
	LocalAddr string        // source address of the connections ("": any)
	// Every, when set, paces the requests at one per Every instead of as fast as answered.
	Every time.Duration
}

// hits is the pacer of an Attack: as fast as answered (or one per every), stopping after max hits
// and, when paced, before a hit that would fall after until (vegeta checks its duration before it
// waits for the next hit, not after).
type hits struct {
	max          uint64
	every, until time.Duration
}

func (p hits) Pace(elapsed time.Duration, n uint64) (time.Duration, bool) {
	if p.max > 0 && n >= p.max {
		return 0, true
	}
	if p.every <= 0 {
		return 0, false
	}
	next := time.Duration(n) * p.every
	if next > p.until {
		return 0, true
	}
	return max(0, next-elapsed), false
}

func (p hits) Rate(time.Duration) float64 {
	if p.every <= 0 {
		return 0
	}
	return float64(time.Second) / float64(p.every)
}

// Run sends the attack's requests and hands each result to each (in the order they complete).
func (a Attack) Run(ctx context.Context, each func(*vegeta.Result), targets ...vegeta.Target) error {
	if len(targets) == 0 || a.Workers < 1 || a.Duration <= 0 {
		return errors.New("an attack needs targets, workers and a duration")
	}
	for _, t := range targets {
		if err := CheckLoopback(t.URL); err != nil {
			return err
		}
	}
	timeout := a.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []func(*vegeta.Attacker){vegeta.Workers(uint64(a.Workers)), vegeta.MaxWorkers(uint64(a.Workers)),
		vegeta.Connections(a.Workers), vegeta.MaxConnections(a.Workers), vegeta.KeepAlive(true),
		vegeta.Timeout(timeout), vegeta.Redirects(vegeta.NoFollow), vegeta.MaxBody(0)}
	if a.LocalAddr != "" {
		ip := net.ParseIP(a.LocalAddr)
		if ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("source address %q is not a loopback address", a.LocalAddr)
		}
		opts = append(opts, vegeta.LocalAddr(net.IPAddr{IP: ip}))
	}
	attacker := vegeta.NewAttacker(opts...)
	stop := context.AfterFunc(ctx, func() { attacker.Stop() })
	defer stop()
	for res := range attacker.Attack(vegeta.NewStaticTargeter(targets...), hits{max: uint64(max(0, a.MaxHits)), every: a.Every, until: a.Duration}, a.Duration, a.Name) {
		each(res)
	}
	return nil
}

// Metrics runs the attack and sums its results.
func (a Attack) Metrics(ctx context.Context, targets ...vegeta.Target) (vegeta.Metrics, error) {
	var m vegeta.Metrics
	err := a.Run(ctx, func(r *vegeta.Result) { m.Add(r) }, targets...)
	m.Close()
	return m, err
}

// Login signs in through the API (POST /api/v1/login with body as JSON) and returns the session's
// Cookie header.
func Login(ctx context.Context, base string, body map[string]string) (string, error) {
	if err := CheckLoopback(base); err != nil {
		return "", err
	}
	b, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/api/v1/login", strings.NewReader(string(b)))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("sign in: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		return "", fmt.Errorf("sign in: %d %s (is the server running with --captcha off?)", resp.StatusCode, msg)
	}
	var parts []string
	for _, ck := range resp.Cookies() {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	return strings.Join(parts, "; "), nil
}

// Run runs every scenario in turn and returns their results, the baseline first.
func Run(ctx context.Context, cfg Config, scenarios []Scenario) ([]Result, error) {
	if err := CheckLoopback(cfg.BaseURL); err != nil {
		return nil, err
	}
	if cfg.Concurrency < 1 || cfg.Duration <= 0 || cfg.MaxRequests < 1 {
		return nil, errors.New("concurrency, duration and max requests must be positive")
	}
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	var cookie string
	var out []Result
	for _, sc := range scenarios {
		h := http.Header{}
		for k, v := range sc.Headers {
			h.Set(k, v)
		}
		if sc.SignedIn {
			if cfg.CreditCode == "" {
				continue
			}
			if cookie == "" {
				var err error
				if cookie, err = Login(ctx, base, map[string]string{"creditCode": cfg.CreditCode, "password": cfg.Password}); err != nil {
					return out, err
				}
			}
			h.Set("Cookie", cookie)
		}
		a := Attack{Name: sc.Name, Workers: cfg.Concurrency, Duration: cfg.Duration, MaxHits: cfg.MaxRequests}
		m, err := a.Metrics(ctx, vegeta.Target{Method: sc.Method, URL: base + sc.Path, Body: []byte(sc.Body), Header: h})
		if err != nil {
			return out, err
		}
		if m.Requests == 0 {
			return out, fmt.Errorf("%s: no request completed", sc.Name)
		}
		ok := int(m.Success*float64(m.Requests) + 0.5)
		out = append(out, Result{Scenario: sc.Name, Requests: int(m.Requests), Errors: int(m.Requests) - ok,
			PerSecond: m.Throughput, P50: m.Latencies.P50, P90: m.Latencies.P90, P99: m.Latencies.P99})
	}
	if len(out) > 0 && out[0].PerSecond > 0 {
		for i := range out {
			out[i].Ratio = out[i].PerSecond / out[0].PerSecond
		}
	}
	return out, nil
}

// Report writes the results as a table.
func Report(w io.Writer, rs []Result) {
	fmt.Fprintf(w, "%-34s %9s %7s %10s %9s %9s %9s %8s\n", "scenario", "requests", "errors", "ok/s", "p50", "p90", "p99", "ratio")
	for _, r := range rs {
		fmt.Fprintf(w, "%-34s %9d %7d %10.0f %9s %9s %9s %8.3f\n", r.Scenario, r.Requests, r.Errors, r.PerSecond,
			r.P50.Round(time.Microsecond), r.P90.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Ratio)
	}
}
