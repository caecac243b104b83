package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// FloodConfig is issue 14's login flood: Clients clients log in to one account at once, each again
// as soon as it is answered, for Duration (every request bounded by Timeout), from one address;
// meanwhile an ordinary user logs in to another account from another network (OrdinaryFrom, a
// loopback address outside the flood's /24) every OrdinaryEvery (0: no ordinary user).
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

// timedOut tells a request the client gave up on (http.Client's Timeout) from other failures.
func timedOut(r *vegeta.Result) bool { return r.Code == 0 && strings.Contains(r.Error, "Timeout") }

// LoginFlood runs the flood and the ordinary user's logins, two attacks at once.
func LoginFlood(ctx context.Context, cfg FloodConfig) (FloodResult, error) {
	if err := CheckLoopback(cfg.BaseURL); err != nil {
		return FloodResult{}, err
	}
	// Both attacks are checked before either starts: a refused one must not leave the other running.
	for _, from := range []string{cfg.FloodFrom, cfg.OrdinaryFrom} {
		if ip := net.ParseIP(from); from != "" && (ip == nil || !ip.IsLoopback()) {
			return FloodResult{}, fmt.Errorf("source address %q is not a loopback address", from)
		}
	}
	if cfg.Clients < 1 || cfg.Duration <= 0 {
		return FloodResult{}, errors.New("the flood needs clients and a duration")
	}
	floodBody, err := json.Marshal(cfg.Body)
	if err != nil {
		return FloodResult{}, err
	}
	ordBody, err := json.Marshal(cfg.OrdinaryBody)
	if err != nil {
		return FloodResult{}, err
	}
	login := strings.TrimRight(cfg.BaseURL, "/") + "/api/v1/login"
	target := func(body []byte) vegeta.Target {
		return vegeta.Target{Method: http.MethodPost, URL: login, Body: body, Header: http.Header{"Content-Type": {"application/json"}}}
	}
	flood := Attack{Name: "login flood", Workers: cfg.Clients, Duration: cfg.Duration, MaxHits: cfg.MaxRequests,
		Timeout: cfg.Timeout, LocalAddr: cfg.FloodFrom}
	// The ordinary user starts half a period in, once the flood is under way.
	ordinary := Attack{Name: "ordinary login", Workers: 1, Duration: cfg.Duration - cfg.OrdinaryEvery/2, MaxHits: cfg.MaxOrdinary,
		Timeout: cfg.Timeout, LocalAddr: cfg.OrdinaryFrom, Every: cfg.OrdinaryEvery}

	var res FloodResult
	var all, logins vegeta.Metrics
	var ordErr error
	var wg sync.WaitGroup
	began := time.Now()
	wg.Go(func() {
		if ordinary.Every <= 0 || ordinary.Duration <= 0 { // no ordinary user, or none within the flood
			return
		}
		select {
		case <-time.After(cfg.OrdinaryEvery / 2):
		case <-ctx.Done():
			return
		}
		ordErr = ordinary.Run(ctx, func(r *vegeta.Result) {
			d, code := r.Latency, int(r.Code)
			if code == 0 {
				d = cfg.Timeout
			}
			res.Ordinary = append(res.Ordinary, d)
			res.OrdinaryStatus = append(res.OrdinaryStatus, code)
		}, target(ordBody))
	})
	err = flood.Run(ctx, func(r *vegeta.Result) {
		res.Requests++
		all.Add(r)
		switch {
		case timedOut(r):
			res.TimedOut++
		case r.Code == http.StatusOK:
			res.Logins++
			logins.Add(r)
		case r.Code == http.StatusTooManyRequests:
			res.Refused++
		default:
			res.Other++
		}
	}, target(floodBody))
	wg.Wait()
	if err == nil {
		err = ordErr
	}
	if err != nil {
		return FloodResult{}, err
	}
	all.Close()
	logins.Close()
	res.Elapsed = time.Since(began)
	res.LoginsPerSecond = float64(res.Logins) / res.Elapsed.Seconds()
	res.P50, res.P99 = all.Latencies.P50, all.Latencies.P99
	res.LoginP50, res.LoginP99 = logins.Latencies.P50, logins.Latencies.P99
	if cfg.ServerPID > 0 {
		res.PeakRSSKiB = procStatusKiB(cfg.ServerPID, "VmHWM")
	}
	return res, nil
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
