package account

import (
	"sync"
	"time"

	"quotacert/internal/apperr"
)

// refusedCache remembers throttle refusals (key → until when, and the answer) so that repeats are
// answered from memory. It is only a shortcut: the database counters stay the rule, shared by every
// instance; an entry just repeats a refusal the database gave. Its size is bounded: when full,
// expired entries are dropped, and if none are, new refusals are not remembered.
type refusedCache struct {
	max int

	mu      sync.Mutex
	entries map[string]refusal
}

type refusal struct {
	until time.Time
	msg   string
}

func newRefusedCache(max int) *refusedCache {
	return &refusedCache{max: max, entries: map[string]refusal{}}
}

// check returns the remembered refusal of any key, or nil.
func (c *refusedCache) check(now time.Time, keys ...string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if r, ok := c.entries[k]; ok {
			if wait := r.until.Sub(now); wait > 0 {
				return apperr.Throttledf(r.msg, wait)
			}
			delete(c.entries, k)
		}
	}
	return nil
}

// remember keeps a throttle refusal of key for its Retry-After.
func (c *refusedCache) remember(now time.Time, key string, err error) {
	e := apperr.As(err)
	if e.Code != apperr.Throttled || e.RetryAfter <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for k, r := range c.entries {
			if !r.until.After(now) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= c.max {
			return
		}
	}
	c.entries[key] = refusal{until: now.Add(e.RetryAfter), msg: e.Message}
}
