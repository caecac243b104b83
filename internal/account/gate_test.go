package account_test

import (
	"context"
	"testing"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/apperr"
)

// TestGateBounds: the hashing gate refuses at once (429) what exceeds a per-account or per-network
// bound or the queue, and what waited too long; a refused client never holds a slot.
func TestGateBounds(t *testing.T) {
	ctx := context.Background()
	g := account.NewGate(account.GateConfig{Concurrent: 1, Queue: 1, Wait: 50 * time.Millisecond, PerAccount: 2, PerPrefix: 3})
	throttled := func(err error) bool { return apperr.CodeOf(err) == apperr.Throttled }

	run1, err := g.Enter(ctx, "acct-a", "10.0.0.0/24") // running
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { // waiting (the queue of one)
		rel, err := g.Enter(ctx, "acct-a", "10.0.1.0/24")
		if err == nil {
			rel()
		}
		waited <- err
	}()
	time.Sleep(10 * time.Millisecond)
	if _, err := g.Enter(ctx, "acct-a", "10.0.2.0/24"); !throttled(err) {
		t.Errorf("third hash of one account: %v, want throttled", err)
	}
	if _, err := g.Enter(ctx, "acct-b", "10.0.3.0/24"); !throttled(err) {
		t.Errorf("beyond the queue: %v, want throttled", err)
	}
	if err := <-waited; !throttled(err) {
		t.Errorf("waiting past Wait: %v, want throttled", err)
	}
	run1()
	rel, err := g.Enter(ctx, "acct-b", "10.0.3.0/24")
	if err != nil {
		t.Fatalf("a free slot after release: %v", err)
	}
	rel()
	rel() // releasing twice is harmless

	// Per network: three holds of one prefix, the fourth is refused whatever the account.
	g2 := account.NewGate(account.GateConfig{Concurrent: 3, PerPrefix: 3})
	var rels []func()
	for _, a := range []string{"x", "y", "z"} {
		r, err := g2.Enter(ctx, a, "192.0.2.0/24")
		if err != nil {
			t.Fatal(err)
		}
		rels = append(rels, r)
	}
	if _, err := g2.Enter(ctx, "w", "192.0.2.0/24"); !throttled(err) {
		t.Errorf("fourth hash of one network: %v", err)
	}
	for _, r := range rels {
		r()
	}
}

func TestAddrPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.77":         "203.0.113.0/24",
		"::ffff:203.0.113.77":  "203.0.113.0/24",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2::1%eth0": "2001:db8:1:2::/64",
		"not an address":       "not an address",
		"":                     "",
	} {
		if got := account.AddrPrefix(in); got != want {
			t.Errorf("AddrPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBrowserOf(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36":                             "Chrome · Windows",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120":                     "Edge · Windows",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1": "Safari · iOS",
		"": "未知",
	} {
		if got := account.BrowserOf(ua); got != want {
			t.Errorf("BrowserOf(%.40q) = %q, want %q", ua, got, want)
		}
	}
}
