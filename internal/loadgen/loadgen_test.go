package loadgen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.URL.Path == "/slow" {
			time.Sleep(2 * time.Millisecond)
		}
		if r.URL.Path == "/bad" {
			w.WriteHeader(500)
		}
	}))
	defer srv.Close()
	rs, err := Run(context.Background(), Config{BaseURL: srv.URL, Duration: 5 * time.Second, Concurrency: 1, MaxRequests: 50},
		[]Scenario{{Name: "base", Method: "GET", Path: "/"}, {Name: "slow", Method: "GET", Path: "/slow"},
			{Name: "bad", Method: "GET", Path: "/bad"}, {Name: "needs login", Method: "GET", Path: "/", SignedIn: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || hits != 150 {
		t.Fatalf("results %d, hits %d: want 3 scenarios of 50 requests (signed-in skipped without credentials)", len(rs), hits)
	}
	if rs[0].Ratio != 1 || rs[1].Ratio >= 1 || rs[1].P50 < 2*time.Millisecond {
		t.Fatalf("ratios %+v", rs)
	}
	if rs[2].Errors != 50 {
		t.Fatalf("errors of /bad = %d", rs[2].Errors)
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
