// Package loadgen is the server load command's engine: it drives a running quotacert with a few
// scenarios (a baseline that only touches the database, a rendered page, the verification engine, and
// signed-in pages when credentials are given) for a bounded time and request count, and reports
// throughput and latency percentiles as ratios against the baseline measured in the same run.
//
// It only targets loopback addresses: load is never sent to another machine by accident.
package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
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
	Scenario      string
	Requests      int
	Errors        int
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

// Run runs every scenario in turn and returns their results, the baseline first.
func Run(ctx context.Context, cfg Config, scenarios []Scenario) ([]Result, error) {
	if err := CheckLoopback(cfg.BaseURL); err != nil {
		return nil, err
	}
	if cfg.Concurrency < 1 || cfg.Duration <= 0 || cfg.MaxRequests < 1 {
		return nil, errors.New("concurrency, duration and max requests must be positive")
	}
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	transport := &http.Transport{MaxIdleConnsPerHost: cfg.Concurrency, MaxConnsPerHost: cfg.Concurrency}
	defer transport.CloseIdleConnections()
	anon := &http.Client{Transport: transport, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var signed *http.Client
	var out []Result
	for _, sc := range scenarios {
		client := anon
		if sc.SignedIn {
			if cfg.CreditCode == "" {
				continue
			}
			if signed == nil {
				var err error
				if signed, err = signIn(ctx, transport, base, cfg.CreditCode, cfg.Password); err != nil {
					return out, err
				}
			}
			client = signed
		}
		r, err := runOne(ctx, client, base, sc, cfg)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	if len(out) > 0 && out[0].PerSecond > 0 {
		for i := range out {
			out[i].Ratio = out[i].PerSecond / out[0].PerSecond
		}
	}
	return out, nil
}

func signIn(ctx context.Context, t http.RoundTripper, base, code, password string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Transport: t, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	body := fmt.Sprintf(`{"creditCode":%q,"password":%q}`, code, password)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	msg, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("sign in: %d %s (is the server running with --demo --captcha off?)", res.StatusCode, msg)
	}
	return c, nil
}

func runOne(ctx context.Context, c *http.Client, base string, sc Scenario, cfg Config) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var issued, errs atomic.Int64
	lat := make([][]time.Duration, cfg.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil && issued.Add(1) <= int64(cfg.MaxRequests) {
				req, _ := http.NewRequestWithContext(ctx, sc.Method, base+sc.Path, bytes.NewReader([]byte(sc.Body)))
				for k, v := range sc.Headers {
					req.Header.Set(k, v)
				}
				t0 := time.Now()
				res, err := c.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode >= 400 {
					errs.Add(1)
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	if len(all) == 0 {
		return Result{}, fmt.Errorf("%s: no request completed", sc.Name)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	return Result{Scenario: sc.Name, Requests: len(all), Errors: int(errs.Load()),
		PerSecond: float64(len(all)) / elapsed.Seconds(), P50: pct(0.50), P90: pct(0.90), P99: pct(0.99)}, nil
}

// Report writes the results as a table.
func Report(w io.Writer, rs []Result) {
	fmt.Fprintf(w, "%-34s %9s %7s %10s %9s %9s %9s %8s\n", "scenario", "requests", "errors", "req/s", "p50", "p90", "p99", "ratio")
	for _, r := range rs {
		fmt.Fprintf(w, "%-34s %9d %7d %10.0f %9s %9s %9s %8.3f\n", r.Scenario, r.Requests, r.Errors, r.PerSecond,
			r.P50.Round(time.Microsecond), r.P90.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Ratio)
	}

}
