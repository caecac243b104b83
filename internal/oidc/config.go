package oidc

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// The paths of quotacert's side of the flow. The callback's absolute URL (BaseURL + CallbackPath) is
// what a province registers as the client's redirect URI; BaseURL + PostLogoutPath is registered as
// its post-logout redirect URI.
const (
	StartPath      = "/login/oidc"
	CallbackPath   = "/login/oidc/callback"
	PostLogoutPath = "/login"
)

// Config is the relying party's configuration (flags --oidc-*, env QUOTACERT_OIDC_*).
type Config struct {
	Issuer       string   // the platform's issuer URL; discovery is at Issuer/.well-known/openid-configuration
	ClientID     string   // as registered at the platform
	ClientSecret string   // from a file (ReadSecretFile) or the environment, never a flag value
	BaseURL      string   // quotacert's public base URL (--base-url); the redirect URL derives from it
	Scopes       []string // requested scopes; "openid" is always included. Default: openid profile
	Claims       ClaimMap
	// UserInfo also asks the userinfo endpoint for claims, for platforms that keep them out of the ID
	// token; its "sub" must equal the ID token's, and ID-token claims win where both have one.
	UserInfo bool
	// FlowTTL is how long a started sign-in may be completed at the callback. Default 10 minutes.
	FlowTTL time.Duration
	// HTTPClient talks to the platform (discovery, keys, token, userinfo). Default: 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock for flow expiry and token expiry. Default time.Now.
	Now func() time.Time
}

// ClaimMap says which claims carry what, because provinces name them differently. A name is looked
// up as a top-level claim first; if there is none and it contains dots, as a path into nested
// objects ("org.uscc"). The zero ClaimMap means DefaultClaims; otherwise an empty name means the
// claim is not read (CreditCode is required).
type ClaimMap struct {
	CreditCode    string // the legal person's unified social credit code
	OrgName       string // the organisation's name
	OperatorName  string // the natural person acting (经办人)
	OperatorPhone string // the operator's phone

	// UserType is the claim telling a legal person (法人) from a natural person (个人); a string, a
	// number, or an array of them. A user is a legal person when a value is among LegalValues. With
	// UserType empty every user of the platform is taken as a legal person (a platform for 法人 only).
	UserType    string
	LegalValues []string

	// StaffUsername is the claim whose value is the user name of an existing staff account; empty (the
	// default) turns staff sign-in through the platform off. It must be a claim the platform
	// administers, never one its users choose. With StaffValues set, only users whose UserType value is
	// among them may sign in as staff.
	StaffUsername string
	StaffValues   []string
}

// DefaultClaims is the claim mapping used where a province configures nothing.
func DefaultClaims() ClaimMap {
	return ClaimMap{CreditCode: "uscc", OrgName: "org_name", OperatorName: "name", OperatorPhone: "phone_number",
		UserType: "user_type", LegalValues: []string{"legal", "法人"}}
}

func (m ClaimMap) isZero() bool {
	return m.CreditCode == "" && m.OrgName == "" && m.OperatorName == "" && m.OperatorPhone == "" && m.UserType == "" &&
		len(m.LegalValues) == 0 && m.StaffUsername == "" && len(m.StaffValues) == 0
}

// RedirectURL is the callback's absolute URL.
func (c Config) RedirectURL() string { return strings.TrimSuffix(c.BaseURL, "/") + CallbackPath }

// PostLogoutURL is where the platform sends the browser back after RP-initiated logout.
func (c Config) PostLogoutURL() string { return strings.TrimSuffix(c.BaseURL, "/") + PostLogoutPath }

// withDefaults fills the defaults and validates; the error names the flag to fix.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if err := checkURL(c.Issuer, true); err != nil {
		errs = append(errs, fmt.Errorf("--oidc-issuer: %w", err))
	}
	if err := checkURL(c.BaseURL, false); err != nil {
		errs = append(errs, fmt.Errorf("--base-url (needed for the sign-in callback): %w", err))
	}
	if strings.TrimSpace(c.ClientID) == "" {
		errs = append(errs, errors.New("--oidc-client-id is required"))
	}
	if c.ClientSecret == "" {
		errs = append(errs, errors.New("the client secret is required (--oidc-client-secret-file or QUOTACERT_OIDC_CLIENT_SECRET)"))
	}
	if c.Claims.isZero() {
		c.Claims = DefaultClaims()
	}
	m := c.Claims
	if m.CreditCode == "" {
		errs = append(errs, errors.New("the credit-code claim name is required (--oidc-claim-credit-code)"))
	}
	if m.UserType != "" && len(m.LegalValues) == 0 {
		errs = append(errs, fmt.Errorf("claim %q tells legal from natural persons, but no value means a legal person", m.UserType))
	}
	if len(m.StaffValues) > 0 && m.UserType == "" {
		errs = append(errs, errors.New("staff user-type values need the user-type claim"))
	}
	if !slices.Contains(c.Scopes, "openid") {
		if len(c.Scopes) == 0 {
			c.Scopes = []string{"openid", "profile"}
		} else {
			c.Scopes = append([]string{"openid"}, c.Scopes...)
		}
	}
	if c.FlowTTL <= 0 {
		c.FlowTTL = 10 * time.Minute
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, errors.Join(errs...)
}

// checkURL requires an absolute http(s) URL without query or fragment. Where the channel carries
// tokens (the issuer), plain http is allowed only to a loopback host: tests and a demo on one machine.
func checkURL(s string, tokens bool) error {
	if s == "" {
		return errors.New("is required")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute http(s) URL without query", s)
	}
	if tokens && u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("%q must use https (plain http only to a loopback address)", s)
	}
	return nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// ReadSecretFile reads a client secret from a file (one line; surrounding white space dropped).
func ReadSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read client secret: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" || strings.ContainsAny(s, "\r\n") {
		return "", fmt.Errorf("client secret file %s must hold the secret on one line", path)
	}
	return s, nil
}
