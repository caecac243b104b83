package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FloodConfig is issue 14's login flood: Clients clients log in to one account at once, each again
// as soon as it is answered, for Duration (every request bounded by Timeout), from one address;
// meanwhile an ordinary user logs in to another account from another network (OrdinaryFrom, a
// loopback address outside the flood's /24) every second.
type FloodConfig struct {
	BaseURL           string
	Clients           int
	Duration, Timeout time.Duration
	Body              map[string]string // the flood's login body
	FloodFrom         string            // its source address ("" = any)
	OrdinaryBody      map[string]string // the ordinary user's
	OrdinaryFrom      string            // its source address, e.g. 127.0.1.1
	OrdinaryEvery     time.Duration
	MaxOrdinary       int // ordinary logins at most (the per-account limit is 20 per 15 minutes)
	MaxRequests       int // all flood clients together, at most
	ServerPID         int // read the server's peak resident memory (/proc/PID/status) when > 0
}

// FloodResult is what the flood measured.
type FloodResult struct {
	Requests, Logins, Refused, TimedOut, Other int
	Elapsed                                    time.Duration
	LoginsPerSecond                            float64
	P50, P99                                   time.Duration // of every flood request
	LoginP50, LoginP99                         time.Duration // of the flood's successful logins
	Ordinary                                   []time.Duration
	OrdinaryStatus                             []int
	PeakRSSKiB                                 int // VmHWM of the server at the end (0: not sampled)
}

// dialFrom returns a transport whose connections leave from the local address from ("" = any).
func dialFrom(from string, conns int) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	return &http.Transport{DialContext: d.DialContext, MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
}

// LoginFlood runs the flood and the ordinary user's logins.
func LoginFlood(ctx context.Context, cfg FloodConfig) (FloodResult, error) {
	if err := CheckLoopback(cfg.BaseURL); err != nil {
		return FloodResult{}, err
	}
	for _, from := range []string{cfg.FloodFrom, cfg.OrdinaryFrom} {
		if ip := net.ParseIP(from); from != "" && (ip == nil || !ip.IsLoopback()) {
			return FloodResult{}, fmt.Errorf("source address %q is not a loopback address", from)
		}
	}
	floodBody, err := json.Marshal(cfg.Body)
	if err != nil {
		return FloodResult{}, err
	}
	ordBody, err := json.Marshal(cfg.OrdinaryBody)
	if err != nil {
		return FloodResult{}, err
	}
	url := strings.TrimRight(cfg.BaseURL, "/") + "/api/v1/login"
	post := func(c *http.Client, body []byte) (int, time.Duration, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return 0, 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		began := time.Now()
		res, err := c.Do(req)
		if err != nil {
			return 0, time.Since(began), err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, time.Since(began), nil
	}

	floodClient := &http.Client{Transport: dialFrom(cfg.FloodFrom, cfg.Clients), Timeout: cfg.Timeout}
	ordClient := &http.Client{Transport: dialFrom(cfg.OrdinaryFrom, 2), Timeout: cfg.Timeout}
	var res FloodResult
	var mu sync.Mutex
	var all, logins []time.Duration
	var sent atomic.Int64
	deadline := time.Now().Add(cfg.Duration)
	began := time.Now()
	var wg sync.WaitGroup
	for range cfg.Clients {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if cfg.MaxRequests > 0 && sent.Add(1) > int64(cfg.MaxRequests) {
					return
				}
				code, d, err := post(floodClient, floodBody)
				mu.Lock()
				res.Requests++
				all = append(all, d)
				switch {
				case err != nil && strings.Contains(err.Error(), "Timeout"):
					res.TimedOut++
				case err != nil:
					res.Other++
				case code == http.StatusOK:
					res.Logins++
					logins = append(logins, d)
				case code == http.StatusTooManyRequests:
					res.Refused++
				default:
					res.Other++
				}
				mu.Unlock()
				if err != nil && !strings.Contains(err.Error(), "Timeout") {
					time.Sleep(10 * time.Millisecond) // a refused connection: do not spin
				}
			}
		})
	}
	// The ordinary user, from another network, while the flood runs.
	var ord sync.WaitGroup
	ord.Go(func() {
		time.Sleep(cfg.OrdinaryEvery / 2)
		for n := 0; time.Now().Before(deadline) && ctx.Err() == nil && (cfg.MaxOrdinary == 0 || n < cfg.MaxOrdinary); n++ {
			code, d, err := post(ordClient, ordBody)
			if err != nil {
				code = 0
				d = cfg.Timeout
			}
			mu.Lock()
			res.Ordinary = append(res.Ordinary, d)
			res.OrdinaryStatus = append(res.OrdinaryStatus, code)
			mu.Unlock()
			time.Sleep(cfg.OrdinaryEvery)
		}
	})
	wg.Wait()
	ord.Wait()
	res.Elapsed = time.Since(began)
	res.LoginsPerSecond = float64(res.Logins) / res.Elapsed.Seconds()
	res.P50, res.P99 = percentile(all, 50), percentile(all, 99)
	res.LoginP50, res.LoginP99 = percentile(logins, 50), percentile(logins, 99)
	if cfg.ServerPID > 0 {
		res.PeakRSSKiB = procStatusKiB(cfg.ServerPID, "VmHWM")
	}
	return res, nil
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*p/100)]
}

// procStatusKiB reads a "Name:  N kB" line of /proc/PID/status (0 when unavailable).
func procStatusKiB(pid int, name string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, name+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return n
		}
	}
	return 0
}

// ReportFlood prints the flood's figures.
func ReportFlood(w io.Writer, r FloodResult) {
	fmt.Fprintf(w, "flood: %d requests in %s: %d logins (%.2f logins/s), %d refused (429), %d timed out, %d other\n",
		r.Requests, r.Elapsed.Round(time.Millisecond), r.Logins, r.LoginsPerSecond, r.Refused, r.TimedOut, r.Other)
	fmt.Fprintf(w, "flood latency: p50 %s, p99 %s; successful logins p50 %s, p99 %s\n",
		r.P50.Round(time.Millisecond), r.P99.Round(time.Millisecond), r.LoginP50.Round(time.Millisecond), r.LoginP99.Round(time.Millisecond))
	worst := time.Duration(0)
	ok := 0
	for i, d := range r.Ordinary {
		worst = max(worst, d)
		if r.OrdinaryStatus[i] == http.StatusOK {
			ok++
		}
	}
	var each []string
	for _, d := range r.Ordinary {
		each = append(each, d.Round(time.Millisecond).String())
	}
	fmt.Fprintf(w, "ordinary user (another network): %d of %d logins succeeded, slowest %s, statuses %v, each %s\n",
		ok, len(r.Ordinary), worst.Round(time.Millisecond), r.OrdinaryStatus, strings.Join(each, " "))
	if r.PeakRSSKiB > 0 {
		fmt.Fprintf(w, "server peak RSS (VmHWM): %d MiB\n", r.PeakRSSKiB/1024)
	}
}
