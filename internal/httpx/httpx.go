// Package httpx holds the HTTP plumbing shared by the HTML pages and the JSON API: request ids,
// access logs, panic recovery, security headers, cross-origin protection and the mapping of
// application errors to status codes.
package httpx

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"quotacert/internal/apperr"
	"quotacert/internal/idnum"
)

type ctxKey int

const requestIDKey ctxKey = iota

// RequestID returns the id given to the request by the RequestIDs middleware.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// RequestIDs gives every request a random id, echoed in X-Request-Id, in logs and on error pages,
// so a user's report can be matched to the log line.
func RequestIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// statusRecorder remembers the status code for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (flushing, deadlines).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// AccessLog writes one structured line per request, with the client address that clientAddr finds
// (behind a trusted proxy, the real client's, not the proxy's). The query string is left out: it may
// hold search words or identifiers that do not belong in logs.
func AccessLog(log *slog.Logger, clientAddr func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("id", RequestID(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", MaskIDs(r.URL.Path)),
			slog.Int("status", rec.status),
			slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", time.Since(start)),
			slog.String("client", clientAddr(r)),
		)
	})
}

// MaskIDs masks anything that looks like a resident ID number in s (first 6 and last 4 kept), for
// log lines: CONTRACT.md has URLs with an ID number in the path (GET /registry/persons/{idNumber}).
func MaskIDs(s string) string {
	return idnum.MaskIDsIn(s)
}

// Recover turns a panic into a logged internal error and a 500 page that reveals nothing.
func Recover(log *slog.Logger, onError func(w http.ResponseWriter, r *http.Request, err error), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("panic", "id", RequestID(r.Context()), "panic", p)
				onError(w, r, apperr.As(nil))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// ContentSecurityPolicy allows only our own scripts and styles: no inline script anywhere.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// SecurityHeaders sets the headers every response carries.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// StrictTransport sets HSTS (a year, subdomains included) on answers served over TLS, and on every
// answer when the public base URL is https (TLS ends at a proxy in front of this server).
func StrictTransport(httpsBase bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if httpsBase || r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// Status maps an application error code to an HTTP status (CONTRACT.md).
func Status(code apperr.Code) int {
	switch code {
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Throttled:
		return http.StatusTooManyRequests
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// errorBody is CONTRACT.md's error shape.
type errorBody struct {
	Error struct {
		Code      apperr.Code       `json:"code"`
		Message   string            `json:"message"`
		Fields    map[string]string `json:"fields,omitempty"`
		RequestID string            `json:"requestId,omitempty"`
	} `json:"error"`
}

// WriteJSONError answers with CONTRACT.md's error body. Internal errors are logged with their cause
// by the caller; the body carries only the safe message and the request id.
func WriteJSONError(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	var body errorBody
	body.Error.Code = e.Code
	body.Error.Message = e.Message
	body.Error.Fields = e.Fields
	body.Error.RequestID = RequestID(r.Context())
	WriteJSON(w, Status(e.Code), body)
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	jsonHeaders(w)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// EncodeJSON is v encoded as WriteJSON writes it, for an answer kept to be written again
// (WriteJSONBytes).
func EncodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteJSONBytes writes a JSON answer encoded by EncodeJSON with the given status.
func WriteJSONBytes(w http.ResponseWriter, status int, body []byte) {
	jsonHeaders(w)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func jsonHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
}

// WantsJSON reports whether the request is an API call (errors answered as JSON).
func WantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json")
}
