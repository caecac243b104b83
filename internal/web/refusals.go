package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/audit"
	"quotacert/internal/httpx"
	"quotacert/internal/scope"
)

// refusalsPerMinute bounds the distinct refusals one instance writes to the audit trail per minute;
// beyond it refusals are only counted, in one summary entry.
const refusalsPerMinute = 600

// refusalKey is what makes two refusals "the same": who (user or network), what, and the answer.
type refusalKey struct {
	status       int
	method, path string
	userID       int64
	prefix       string
}

// refusalLog writes every refusal (401, 403, 404 of a route — the "not found or not yours" of the
// services —, 429, and the cross-origin 403) to the audit trail with the real client address, in one
// place. Identical refusals are aggregated per minute: the first is written at once, with who and
// from where; the repeats are counted and written as one summary entry ("×N") when the minute is
// over. So a flood of N identical refusals costs two audit rows a minute instead of N, a flood of
// varied ones at most refusalsPerMinute rows and one overflow count, and nothing is lost: each
// kind's count is exact. The counts live in memory per instance (each instance writes its own
// summaries); a crash loses at most the last minute's repeat counts, never a first refusal.
type refusalLog struct {
	record func(context.Context, []audit.Entry) error
	now    func() time.Time
	log    *slog.Logger

	mu       sync.Mutex
	minute   time.Time
	counts   map[refusalKey]*refusalCount
	written  int
	overflow int
}

type refusalCount struct {
	first audit.Entry
	n     int
}

func newRefusalLog(record func(context.Context, []audit.Entry) error, now func() time.Time, log *slog.Logger) *refusalLog {
	return &refusalLog{record: record, now: now, log: log, counts: map[refusalKey]*refusalCount{}}
}

// add counts one refusal and writes it if it is the first of its kind this minute.
func (l *refusalLog) add(ctx context.Context, k refusalKey, e audit.Entry) {
	now := l.now().UTC()
	l.mu.Lock()
	pending := l.rollLocked(now)
	var first []audit.Entry
	switch c := l.counts[k]; {
	case c != nil:
		c.n++
	case l.written >= refusalsPerMinute:
		l.overflow++
	default:
		l.counts[k] = &refusalCount{first: e, n: 1}
		l.written++
		first = []audit.Entry{e}
	}
	l.mu.Unlock()
	l.write(ctx, append(pending, first...))
}

// flush writes the summaries of minutes that are over (the server calls it every minute).
func (l *refusalLog) flush(ctx context.Context) {
	l.mu.Lock()
	pending := l.rollLocked(l.now().UTC())
	l.mu.Unlock()
	l.write(ctx, pending)
}

// rollLocked starts a new minute when now is past the current one, returning the summaries of the
// one that ended. The caller holds mu.
func (l *refusalLog) rollLocked(now time.Time) []audit.Entry {
	m := now.Truncate(time.Minute)
	if !m.After(l.minute) {
		return nil
	}
	var out []audit.Entry
	for _, c := range l.counts {
		if c.n > 1 {
			e := c.first
			e.At = l.minute.Add(time.Minute - time.Second)
			e.Detail = fmt.Sprintf("%s; repeated %d more time(s) in the minute from %s", c.first.Detail, c.n-1, l.minute.Format("15:04"))
			out = append(out, e)
		}
	}
	if l.overflow > 0 {
		out = append(out, audit.Entry{At: l.minute.Add(time.Minute - time.Second), ActorName: "system:refusals", Action: "refused",
			ObjectType: "http", Detail: fmt.Sprintf("%d further refusals in the minute from %s beyond %d kinds (not itemised)",
				l.overflow, l.minute.Format("15:04"), refusalsPerMinute)})
	}
	l.minute, l.counts, l.written, l.overflow = m, map[refusalKey]*refusalCount{}, 0, 0
	return out
}

func (l *refusalLog) write(ctx context.Context, entries []audit.Entry) {
	if len(entries) == 0 {
		return
	}
	// The request may be cancelled; its refusal must still be recorded.
	ctx = context.WithoutCancel(ctx)
	if err := l.record(ctx, entries); err != nil {
		l.log.Error("audit refusals", "err", err, "entries", len(entries))
	}
}

// refusedStatus reports whether an answer is a refusal worth auditing.
func refusedStatus(code int) bool {
	switch code {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusTooManyRequests:
		return true
	}
	return false
}

// auditRefusals is the middleware: it sees every answer after the session is resolved and records
// the refusals. A 404 counts only on a route (an object not found or not the caller's), not for an
// unknown page or a missing static file.
func (s *Server) auditRefusals(mux *http.ServeMux, next http.Handler) http.Handler {
	if s.refusals == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &codeRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if !refusedStatus(rec.code) || rec.recorded {
			return
		}
		_, pattern := mux.Handler(r)
		if rec.code == http.StatusNotFound && (pattern == "" || pattern == "GET /static/") {
			return
		}
		a, _ := s.actor(r)
		a.ClientAddr = s.clientAddr(r)
		if a.UserID == 0 {
			a.Name = "anonymous"
		}
		path := httpx.MaskIDs(r.URL.Path)
		e := audit.For(a, "refused", "http", r.Method+" "+path)
		e.Outcome = audit.Failure
		e.Detail = fmt.Sprintf("HTTP %d", rec.code)
		if rec.csrf {
			e.Detail += " cross-origin request"
		}
		s.refusals.add(r.Context(), refusalKey{status: rec.code, method: r.Method, path: path, userID: a.UserID,
			prefix: account.AddrPrefix(a.ClientAddr)}, e)
	})
}

// codeRecorder remembers the status of an answer.
type codeRecorder struct {
	http.ResponseWriter
	code int
	csrf bool
	// recorded: a domain service has already written this refusal, with its object and reason
	// (scope.Audited), so the log writes no second entry.
	recorded bool
}

// refusalRecorded tells the refusal log that err, about to be answered, is already in the audit
// trail (scope.WasAudited).
func refusalRecorded(w http.ResponseWriter, err error) {
	if c, ok := w.(*codeRecorder); ok && scope.WasAudited(err) {
		c.recorded = true
	}
}

func (c *codeRecorder) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *codeRecorder) Write(b []byte) (int, error) {
	if c.code == 0 {
		c.code = http.StatusOK
	}
	return c.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *codeRecorder) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// FlushRefusals writes the per-minute summaries of repeated refusals; serve calls it every minute.
func (s *Server) FlushRefusals(ctx context.Context) {
	if s.refusals != nil {
		s.refusals.flush(ctx)
	}
}
