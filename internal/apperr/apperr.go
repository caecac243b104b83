// Package apperr is the application's error type: a machine code that maps to an HTTP status, a
// message a user may read (Chinese), and per-field messages for forms. Internal causes stay wrapped
// inside so that logs keep the detail while users never see it.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for callers: the web layer maps it to a status code.
type Code string

// The codes, shared with the JSON API (CONTRACT.md) so clients can branch on them.
const (
	Invalid      Code = "invalid"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Throttled    Code = "throttled"
	Internal     Code = "internal"
	// Unavailable: the service cannot do this now: the database (or another backing service)
	// failed, timed out or refuses writes — nothing was changed and the same request may succeed
	// later; never used for "signed out" — or a configuration or an installed part is missing (the
	// letter's fonts, its signing key, the public base URL), which an administrator can fix.
	Unavailable Code = "unavailable"
)

// Error is an error that is safe to show: Message and Fields are written for the user.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	// RetryAfter tells a throttled client when to try again (the Retry-After header); zero: unknown.
	RetryAfter time.Duration
	cause      error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap gives errors.Is/As access to the internal cause.
func (e *Error) Unwrap() error { return e.cause }

// New returns an error with a user-facing message.
func New(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// Wrap returns an error with a user-facing message that keeps cause for the logs.
func Wrap(code Code, message string, cause error) *Error {
	return &Error{Code: code, Message: message, cause: cause}
}

// Throttledf is the Throttled error with the time after which a new try may succeed.
func Throttledf(message string, retryAfter time.Duration) *Error {
	return &Error{Code: Throttled, Message: message, RetryAfter: retryAfter}
}

// FieldErrors returns an Invalid error listing the message of each bad field; the form shows each beside
// its input. The overall message says how many fields need attention.
func FieldErrors(fields map[string]string) *Error {
	return &Error{Code: Invalid, Message: fmt.Sprintf("有 %d 项填写有误，请按提示修改", len(fields)), Fields: fields}
}

// NotFoundf is the not-found error; "not yours" uses it too so that existence is never revealed.
func NotFoundf(what string) *Error { return New(NotFound, what+"不存在或无权访问") }

// CodeOf returns the code of err, Internal for errors that are not *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the *Error inside err, or a generic internal error that reveals nothing.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "系统内部错误，请稍后重试；如仍有问题请联系管理员并提供请求编号", cause: err}
}
