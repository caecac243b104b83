package placement

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/readtx"
	"quotacert/internal/rules"
)

// One rate limit for disability data (issue 13). Every use case that shows an employer a person's
// disability data — the registry look-up, creating a placement (the next page shows the person's
// certificates), reading a placement (its registry certificates and month checks) and saving its
// months (the refusals name failed checks) — counts the person here first, so no route reveals
// more than another: the limit is decided once, in this service, whatever the handler.
//
// It counts distinct persons per window, not requests: a clerk who opens, saves and reopens the
// same person's grid ten times has seen one person's data, and must not run out of budget for it,
// while a scraper needs a new person for every new piece of data. Each employer has a budget, and
// so has each client address, so that many accounts behind one address (or one account from many)
// do not multiply it; an address gets twice an employer's budget, since one office may declare for
// several employers. Staff are not limited: their views are confined to their jurisdiction and
// audited one by one.
const (
	DisclosureWindowLength = time.Hour
	DisclosurePerEmployer  = 60
	DisclosurePerAddress   = 2 * DisclosurePerEmployer
)

// DisclosureLimits are the budgets of the limit: distinct persons per employer and per client
// address in each window.
type DisclosureLimits struct {
	PerEmployer, PerAddress int
	Window                  time.Duration
}

// DefaultDisclosureLimits are the limits of the constants above.
func DefaultDisclosureLimits() DisclosureLimits {
	return DisclosureLimits{PerEmployer: DisclosurePerEmployer, PerAddress: DisclosurePerAddress, Window: DisclosureWindowLength}
}

// WithDisclosureLimits returns a copy of s counting with other limits (benchmarks of a large
// employer's pages, which open more persons than a clerk could). The copy remembers its own
// windows: what was remembered under other limits is not known to hold under these.
func (s *Service) WithDisclosureLimits(l DisclosureLimits) *Service {
	c := *s
	c.limits = l
	c.seen = newSeenWindows()
	return &c
}

// seenWindows remembers, for a bucket and a person, until when a read of committed rows found the
// person counted in the bucket's current window. While that lasts, a clerk going back to a
// person's grid is free without reading the windows again (one statement of the three of a kept
// grid). It is exact: a committed disclosure row stays until its window is over (only a later
// transaction that finds the window over deletes it: RecordDisclosures with reset), so what the
// read found holds until then. Only reads of a read-only transaction are remembered, never what a
// transaction found after its own writes, which may yet roll back. Each instance keeps its own;
// an entry ends a tenth of the window early, for the clocks of instances that differ.
type seenWindows struct {
	until *lru.Cache[string, time.Time]
}

// seenEntries bounds the remembered pairs (some 100 bytes each).
const seenEntries = 8192

func newSeenWindows() seenWindows {
	c, err := lru.New[string, time.Time](seenEntries)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return seenWindows{until: c}
}

func seenKey(bucket, hash string) string { return bucket + "\x00" + hash }

// all reports whether every person was found counted in every bucket's window, still open at now.
func (w seenWindows) all(buckets, hashes []string, now time.Time) bool {
	for _, b := range buckets {
		for _, h := range hashes {
			if until, ok := w.until.Get(seenKey(b, h)); !ok || !now.Before(until) {
				return false
			}
		}
	}
	return true
}

// remember notes that each person was found counted in each window of ws (the buckets' windows,
// in order).
func (w seenWindows) remember(buckets, hashes []string, ws []DisclosureWindow, window time.Duration) {
	for i, b := range buckets {
		until := ws[i].OpenedAt.Add(window - window/10)
		for _, h := range hashes {
			w.until.Add(seenKey(b, h), until)
		}
	}
}

// DisclosureWindow is what a bucket's window says about some persons: when it opened, how many
// persons were disclosed in it, and which of the persons asked about (keyed hashes of their ID
// numbers) are among them.
type DisclosureWindow struct {
	OpenedAt time.Time
	Persons  int
	Seen     []string
}

// LimitError is the cause of a disclosure refusal: the budget is spent until Until.
type LimitError struct{ Until time.Time }

func (e *LimitError) Error() string {
	return "disclosure limit reached until " + e.Until.UTC().Format(time.RFC3339)
}

type disclosureBucket struct {
	key   string
	limit int
	who   string // the subject of the refusal message
}

func disclosureBuckets(a actor.Actor, l DisclosureLimits) []disclosureBucket {
	// The employer first, the address second: every transaction locks them in this order.
	out := []disclosureBucket{{key: fmt.Sprintf("employer:%d", a.EmployerID), limit: l.PerEmployer, who: "本单位"}}
	if a.ClientAddr != "" {
		out = append(out, disclosureBucket{key: "addr:" + a.ClientAddr, limit: l.PerAddress, who: "同一网络地址"})
	}
	return out
}

// disclose counts the persons whose disability data the acting employer is about to see. It
// returns refused, with the refusal's audit entry already written in tx, when a budget would be
// exceeded: the caller then commits (the audit entry must stay) and answers refused, having shown
// nothing. Persons already disclosed to a bucket in its window are free.
//
// A re-read of persons every bucket has counted already in its current window (the common case: a
// clerk going back to a grid) only reads: nothing it could race with changes that. Otherwise the
// windows are locked and read again, and the decision is made under the lock.
// errNeedsWrite tells a read-only attempt that the work must be done in a write transaction.
var errNeedsWrite = errors.New("placement: the disclosure budget must be written; run as a write")

// readFirst runs fn read-only, and once more as a write when it met a disclosure to count.
func readFirst(ctx context.Context, fn func(context.Context) error) error {
	if err := fn(readtx.Mark(ctx)); !errors.Is(err, errNeedsWrite) {
		return err
	}
	return fn(ctx)
}

func (s *Service) disclose(ctx context.Context, tx Tx, a actor.Actor, via string, persons ...Person) (refused error, err error) {
	if a.Role != actor.Employer || len(persons) == 0 {
		return nil, nil
	}
	now, window := tx.Now(), s.limits.Window
	buckets := disclosureBuckets(a, s.limits)
	hashes := make([]string, 0, len(persons))
	for _, p := range persons {
		if !slices.Contains(hashes, p.IDHash) {
			hashes = append(hashes, p.IDHash)
		}
	}
	keys := make([]string, len(buckets))
	for i, b := range buckets {
		keys[i] = b.key
	}
	if s.seen.all(keys, hashes, now) {
		return nil, nil
	}
	ws, err := tx.DisclosureWindows(ctx, keys, hashes, false)
	if err != nil {
		return nil, err
	}
	seen := true
	for _, w := range ws {
		if w.OpenedAt.IsZero() || !now.Before(w.OpenedAt.Add(window)) || len(fresh(w, hashes)) > 0 {
			seen = false
			break
		}
	}
	if seen {
		if readtx.Marked(ctx) {
			s.seen.remember(keys, hashes, ws, window)
		}
		return nil, nil
	}
	if readtx.Marked(ctx) {
		// A read-only transaction cannot count new persons: the caller runs again as a write.
		return nil, errNeedsWrite
	}
	type step struct {
		bucket disclosureBucket
		window DisclosureWindow
		reset  bool
		fresh  []string
	}
	var steps []step
	var over *disclosureBucket
	var until time.Time
	if ws, err = tx.DisclosureWindows(ctx, keys, hashes, true); err != nil {
		return nil, err
	}
	for i, b := range buckets {
		st := step{bucket: b, window: ws[i]}
		if !now.Before(ws[i].OpenedAt.Add(window)) {
			st.window, st.reset = DisclosureWindow{OpenedAt: now}, true // the window is over: a new one opens now
		}
		st.fresh = fresh(st.window, hashes)
		if len(st.fresh) > 0 && st.window.Persons+len(st.fresh) > b.limit && over == nil {
			over, until = &b, st.window.OpenedAt.Add(window)
		}
		steps = append(steps, st)
	}
	if over != nil {
		masked := make([]string, len(persons))
		for i, p := range persons {
			masked[i] = p.IDMasked
		}
		e := audit.For(a, "disclosure.refused", "person", strings.Join(masked, ","))
		e.Outcome = audit.Failure
		e.Detail = fmt.Sprintf("via=%s bucket=%s limit=%d until=%s", via, over.key, over.limit, until.UTC().Format(time.RFC3339))
		if err := tx.AppendAudit(ctx, e); err != nil {
			return nil, err
		}
		msg := fmt.Sprintf("查看残疾人信息过于频繁：%s每%s最多可查看 %d 名不同人员的残疾人信息，已达上限，请于 %s 后再试",
			over.who, windowText(window), over.limit, until.In(rules.China()).Format("2006-01-02 15:04"))
		return apperr.Wrap(apperr.Throttled, msg, &LimitError{Until: until}), nil
	}
	for _, st := range steps {
		if len(st.fresh) == 0 && !st.reset {
			continue
		}
		if err := tx.RecordDisclosures(ctx, st.bucket.key, st.window.OpenedAt, st.reset, st.fresh); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// fresh lists the hashes w has not counted.
func fresh(w DisclosureWindow, hashes []string) []string {
	var out []string
	for _, h := range hashes {
		if !slices.Contains(w.Seen, h) {
			out = append(out, h)
		}
	}
	return out
}

// windowText names a window in Chinese: 小时 for an hour, else its minutes.
func windowText(d time.Duration) string {
	if d == time.Hour {
		return "小时"
	}
	return fmt.Sprintf(" %d 分钟", int(d.Minutes()))
}
