package oidc

import (
	"fmt"
	"net/http"
)

// Reason classifies why a platform sign-in did not complete.
type Reason string

// The reasons. Each has one Chinese message (Message) for the page the web layer shows.
const (
	ReasonDenied        Reason = "denied"         // the user refused at the platform
	ReasonState         Reason = "state"          // no such sign-in, or started in another browser
	ReasonReplay        Reason = "replay"         // the callback of this sign-in was already used
	ReasonExpired       Reason = "expired"        // the sign-in was started too long ago
	ReasonCode          Reason = "code"           // the platform refused the authorization code
	ReasonToken         Reason = "token"          // the ID token failed a check (signature, iss, aud, exp, nonce)
	ReasonUnreachable   Reason = "unreachable"    // the platform could not be reached or discovered
	ReasonProvider      Reason = "provider"       // the platform answered with another error
	ReasonClaims        Reason = "claims"         // a needed claim is missing or malformed
	ReasonCreditCode    Reason = "credit_code"    // the credit code fails its check character
	ReasonNaturalPerson Reason = "natural_person" // a natural person cannot act as an employer
)

var messages = map[Reason]string{
	ReasonDenied:        "您在统一身份认证平台取消了授权，未能登录。如需申报，请重新登录并同意授权。",
	ReasonState:         "登录请求无效，或是在另一个浏览器窗口中发起的，请重新登录。",
	ReasonReplay:        "该登录请求已经使用过，请重新登录。",
	ReasonExpired:       "登录等待时间过长，已经失效，请重新登录。",
	ReasonCode:          "统一身份认证平台的授权已失效，请重新登录。",
	ReasonToken:         "统一身份认证平台返回的身份凭证未通过校验，未能登录。请重新登录；如仍有问题，请联系管理员并提供请求编号。",
	ReasonUnreachable:   "暂时无法连接统一身份认证平台，请稍后重试。",
	ReasonProvider:      "统一身份认证平台返回错误，未能登录，请稍后重试；如仍有问题，请联系管理员并提供请求编号。",
	ReasonClaims:        "统一身份认证平台没有提供登录所需的单位信息，未能登录。请联系所在地残联并提供请求编号。",
	ReasonCreditCode:    "统一身份认证平台提供的统一社会信用代码校验位错误，未能登录。请联系统一身份认证平台核实单位信息。",
	ReasonNaturalPerson: "您是以个人身份登录的统一身份认证平台。用人单位申报须使用法人账号：请退出后在统一身份认证平台选择“法人登录”。",
}

// Error is a sign-in that did not complete. Message is for the user (Chinese); Error() adds the
// reason and the internal detail for the log, never a token or a secret.
type Error struct {
	Reason  Reason
	Message string
	detail  string
	cause   error
}

func newError(r Reason, detail string, cause error) *Error {
	return &Error{Reason: r, Message: messages[r], detail: detail, cause: cause}
}

func (e *Error) Error() string {
	s := "oidc sign-in: " + string(e.Reason)
	if e.detail != "" {
		s += ": " + e.detail
	}
	if e.cause != nil {
		s += fmt.Sprintf(": %v", e.cause)
	}
	return s
}

func (e *Error) Unwrap() error { return e.cause }

// Retryable reports whether starting the sign-in again may succeed. The others need another account
// (a natural person) or a fix at the platform (its data or configuration).
func (e *Error) Retryable() bool {
	switch e.Reason {
	case ReasonNaturalPerson, ReasonCreditCode, ReasonClaims:
		return false
	}
	return true
}

// Status is the HTTP status of the page that reports the error: the platform's failures are a bad
// gateway, the user's refusal and a natural person are forbidden, the rest a bad request. Never 500.
func (e *Error) Status() int {
	switch e.Reason {
	case ReasonUnreachable, ReasonProvider:
		return http.StatusBadGateway
	case ReasonDenied, ReasonNaturalPerson:
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}
