package loadgen

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestCheckLoopback(t *testing.T) {
	for url, ok := range map[string]bool{
		"http://127.0.0.1:8080": true, "http://localhost:1": true, "http://[::1]:8080": true, "http://127.9.9.9": true,
		"http://10.0.0.1:8080": false, "http://192.168.1.5": false, "http://example.com": false, "ftp://127.0.0.1": false, "": false,
	} {
		if err := CheckLoopback(url); (err == nil) != ok {
			t.Errorf("CheckLoopback(%q) = %v", url, err)
		}
	}
}

func TestRunIsBoundedAndReportsRatios(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/slow" {
			time.Sleep(2 * time.Millisecond)
		}
		if r.URL.Path == "/bad" {
			w.WriteHeader(500)
		}
	}))
	defer srv.Close()
	rs, err := Run(context.Background(), Config{BaseURL: srv.URL, Duration: 5 * time.Second, Concurrency: 2, MaxRequests: 50},
		[]Scenario{{Name: "base", Method: "GET", Path: "/"}, {Name: "slow", Method: "GET", Path: "/slow"},
			{Name: "bad", Method: "GET", Path: "/bad"}, {Name: "needs login", Method: "GET", Path: "/", SignedIn: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || hits.Load() != 150 {
		t.Fatalf("results %d, hits %d: want 3 scenarios of 50 requests (signed-in skipped without credentials)", len(rs), hits.Load())
	}
	for _, r := range rs {
		if r.Requests != 50 {
			t.Errorf("%s: %d requests, want 50", r.Scenario, r.Requests)
		}
	}
	if rs[0].Ratio != 1 || rs[1].Ratio >= 1 || rs[1].P50 < 2*time.Millisecond {
		t.Fatalf("ratios %+v", rs)
	}
	if rs[2].Errors != 50 || rs[2].PerSecond != 0 {
		t.Fatalf("/bad: %d errors, %.0f ok/s; want 50 and 0", rs[2].Errors, rs[2].PerSecond)
	}
	var b strings.Builder
	Report(&b, rs)
	if !strings.Contains(b.String(), "ratio") || strings.Count(b.String(), "\n") != 4 {
		t.Fatalf("report:\n%s", b.String())
	}
	if _, err := Run(context.Background(), Config{BaseURL: "http://10.1.1.1", Duration: time.Second, Concurrency: 1, MaxRequests: 1}, nil); err == nil {
		t.Fatal("a non-loopback target was accepted")
	}
}

// TestLoginFlood: the flood's requests are bounded and sorted by answer, and come from the flood's
// address; the ordinary user's come, paced, from the other network.
func TestLoginFlood(t *testing.T) {
	var mu sync.Mutex
	from := map[string]map[string]int{} // source IP → body → requests
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		b, _ := io.ReadAll(r.Body)
		body := string(b)
		mu.Lock()
		if from[host] == nil {
			from[host] = map[string]int{}
		}
		from[host][body]++
		mu.Unlock()
		if strings.Contains(body, "flood") && n.Add(1)%3 != 0 {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	began := time.Now()
	r, err := LoginFlood(context.Background(), FloodConfig{BaseURL: srv.URL, Clients: 3, Duration: 5 * time.Second, Timeout: 5 * time.Second,
		Body: map[string]string{"creditCode": "flood"}, FloodFrom: "127.0.0.1", MaxRequests: 60,
		OrdinaryBody: map[string]string{"username": "ordinary"}, OrdinaryFrom: "127.0.1.1", OrdinaryEvery: 50 * time.Millisecond, MaxOrdinary: 3})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 60 || r.Logins != 20 || r.Refused != 40 || r.TimedOut != 0 || r.Other != 0 {
		t.Errorf("flood = %+v, want 60 requests: 20 logins, 40 refused", r)
	}
	if len(r.Ordinary) != 3 || r.OrdinaryStatus[0] != 200 || r.OrdinaryStatus[2] != 200 {
		t.Errorf("ordinary = %v %v, want 3 logins answered 200", r.Ordinary, r.OrdinaryStatus)
	}
	// Three ordinary logins, 50 ms apart, starting 25 ms in.
	if d := time.Since(began); d < 125*time.Millisecond || d > 4*time.Second {
		t.Errorf("the flood took %v: the ordinary logins were not paced or the bounds not kept", d)
	}
	want := map[string]map[string]int{"127.0.0.1": {`{"creditCode":"flood"}`: 60}, "127.0.1.1": {`{"username":"ordinary"}`: 3}}
	mu.Lock()
	defer mu.Unlock()
	for ip, bodies := range want {
		for body, c := range bodies {
			if from[ip][body] != c {
				t.Errorf("requests from %s with %s = %d, want %d (all: %v)", ip, body, from[ip][body], c, from)
			}
		}
	}
	var b strings.Builder
	ReportFlood(&b, r)
	if !strings.Contains(b.String(), "20 logins") || !strings.Contains(b.String(), "3 of 3 logins succeeded") {
		t.Errorf("report:\n%s", b.String())
	}
}

// TestLoginFloodTimesOut: a request the server does not answer within Timeout counts as timed out.
func TestLoginFloodTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	r, err := LoginFlood(context.Background(), FloodConfig{BaseURL: srv.URL, Clients: 2, Duration: 300 * time.Millisecond, Timeout: 30 * time.Millisecond,
		Body: map[string]string{"creditCode": "x"}, MaxRequests: 4, OrdinaryEvery: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 4 || r.TimedOut != 4 {
		t.Errorf("flood = %+v, want 4 requests, all timed out", r)
	}
	if _, err := LoginFlood(context.Background(), FloodConfig{BaseURL: srv.URL, Clients: 1, Duration: time.Second,
		MaxRequests: 1, FloodFrom: "10.0.0.1"}); err == nil {
		t.Error("a flood from a non-loopback address was accepted")
	}
}

// TestPacedAttackKeepsItsDuration: a paced attack sends no hit after its duration (vegeta alone
// would wait for the next tick and send it late).
func TestPacedAttackKeepsItsDuration(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	a := Attack{Name: "paced", Workers: 1, Duration: 250 * time.Millisecond, Every: 100 * time.Millisecond}
	m, err := a.Metrics(context.Background(), vegetaGet(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if m.Requests != 3 || hits.Load() != 3 { // at 0, 100 and 200 ms
		t.Errorf("%d requests (%d hits), want 3", m.Requests, hits.Load())
	}
}

func vegetaGet(url string) vegeta.Target { return vegeta.Target{Method: http.MethodGet, URL: url} }
