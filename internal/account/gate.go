package account

import (
	"context"
	"sync"
	"time"

	"quotacert/internal/apperr"
)

// MsgBusy is the answer when password checks are queued too deep to answer in time.
const MsgBusy = "登录人数较多，请稍候几秒再试"

// GateConfig bounds the argon2 work one client can cause. Each hash takes tens of milliseconds of
// a core and 19 MiB; without bounds, 300 concurrent logins of one account queued for over a minute
// and ordinary users timed out behind them (issue 14).
type GateConfig struct {
	Concurrent int           // hashes running at once (the cores)
	Queue      int           // hashes waiting at most; more are refused at once with 429
	Wait       time.Duration // the longest a hash waits for a slot before it is refused
	PerAccount int           // hashes running or waiting for one account
	PerPrefix  int           // hashes running or waiting for one client address prefix
}

// Gate admits password hashing: at most Concurrent at a time, a short bounded queue, and per-account
// and per-address-prefix bounds, so one account or one network cannot fill the queue. What would
// wait too long is refused early (429 with Retry-After) instead of holding a connection for minutes.
type Gate struct {
	cfg   GateConfig
	slots chan struct{}

	mu      sync.Mutex
	waiting int
	held    map[string]int // in-flight (waiting or running) per key
}

// NewGate returns a gate; zero bounds mean "no bound" (Concurrent at least 1).
func NewGate(cfg GateConfig) *Gate {
	if cfg.Concurrent < 1 {
		cfg.Concurrent = 1
	}
	return &Gate{cfg: cfg, slots: make(chan struct{}, cfg.Concurrent), held: map[string]int{}}
}

// busy is the refusal of the gate: the client may retry soon.
func busy() error { return apperr.Throttledf(MsgBusy, 2*time.Second) }

// Full reports whether Enter would refuse the keys at once (a bound reached, the queue full): the
// login refuses such an attempt before it touches the database.
func (g *Gate) Full(account, prefix string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cfg.PerAccount > 0 && account != "" && g.held["a:"+account] >= g.cfg.PerAccount {
		return true
	}
	if g.cfg.PerPrefix > 0 && prefix != "" && g.held["p:"+prefix] >= g.cfg.PerPrefix {
		return true
	}
	return g.cfg.Queue > 0 && g.waiting >= g.cfg.Queue
}

// Enter waits for a hashing slot on behalf of the given keys (account, prefix; "" keys are ignored).
// It returns the release function, or a Throttled error when a bound is reached or the wait would be
// too long, or the context's error.
func (g *Gate) Enter(ctx context.Context, account, prefix string) (func(), error) {
	keys := make([]string, 0, 2)
	if account != "" {
		keys = append(keys, "a:"+account)
	}
	if prefix != "" {
		keys = append(keys, "p:"+prefix)
	}
	g.mu.Lock()
	for _, k := range keys {
		limit := g.cfg.PerAccount
		if k[0] == 'p' {
			limit = g.cfg.PerPrefix
		}
		if limit > 0 && g.held[k] >= limit {
			g.mu.Unlock()
			return nil, busy()
		}
	}
	// Take a free slot at once if there is one; otherwise join the bounded queue.
	select {
	case g.slots <- struct{}{}:
		for _, k := range keys {
			g.held[k]++
		}
		g.mu.Unlock()
		return g.releaser(keys), nil
	default:
	}
	if g.cfg.Queue > 0 && g.waiting >= g.cfg.Queue {
		g.mu.Unlock()
		return nil, busy()
	}
	g.waiting++
	for _, k := range keys {
		g.held[k]++
	}
	g.mu.Unlock()

	var timeout <-chan time.Time
	if g.cfg.Wait > 0 {
		t := time.NewTimer(g.cfg.Wait)
		defer t.Stop()
		timeout = t.C
	}
	var err error
	select {
	case g.slots <- struct{}{}:
	case <-timeout:
		err = busy()
	case <-ctx.Done():
		err = ctx.Err()
	}
	g.mu.Lock()
	g.waiting--
	if err != nil {
		g.drop(keys)
	}
	g.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return g.releaser(keys), nil
}

func (g *Gate) releaser(keys []string) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			<-g.slots
			g.mu.Lock()
			g.drop(keys)
			g.mu.Unlock()
		})
	}
}

// drop forgets keys' holds; the caller holds mu.
func (g *Gate) drop(keys []string) {
	for _, k := range keys {
		if g.held[k]--; g.held[k] <= 0 {
			delete(g.held, k)
		}
	}
}

// Load reports the password checks waiting for a slot and those running now (the login queue
// figures of /metrics).
func (g *Gate) Load() (waiting, running int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waiting, len(g.slots)
}
