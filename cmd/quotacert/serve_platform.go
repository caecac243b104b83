package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"quotacert/internal/oidc"
	"quotacert/internal/store"
)

// platformFlags configure the sign-in through a provincial unified identity platform (统一身份认证平台,
// OpenID Connect, issue 16). Every flag has its QUOTACERT_OIDC_* environment form.
type platformFlags struct {
	issuer, clientID, secretFile, scopes           string
	creditCode, orgName, operatorName, operatorTel string
	userType, legalValues, staff, staffValues      string
	userInfo                                       bool
	localRegister, localLogin                      string
}

func (f *platformFlags) register(fs *flag.FlagSet, getenv env) {
	d := oidc.DefaultClaims()
	fs.StringVar(&f.issuer, "oidc-issuer", getenv("QUOTACERT_OIDC_ISSUER"), "issuer `URL` of the unified identity platform; empty = no platform, employers register here (QUOTACERT_OIDC_ISSUER)")
	fs.StringVar(&f.clientID, "oidc-client-id", getenv("QUOTACERT_OIDC_CLIENT_ID"), "client id registered at the platform (QUOTACERT_OIDC_CLIENT_ID)")
	fs.StringVar(&f.secretFile, "oidc-client-secret-file", getenv("QUOTACERT_OIDC_CLIENT_SECRET_FILE"), "`file` holding the client secret; or give the secret itself in QUOTACERT_OIDC_CLIENT_SECRET (QUOTACERT_OIDC_CLIENT_SECRET_FILE)")
	fs.StringVar(&f.scopes, "oidc-scopes", envOr(getenv, "QUOTACERT_OIDC_SCOPES", "openid profile"), "scopes to request, separated by spaces or commas; openid is always added (QUOTACERT_OIDC_SCOPES)")
	fs.StringVar(&f.creditCode, "oidc-claim-credit-code", envOr(getenv, "QUOTACERT_OIDC_CLAIM_CREDIT_CODE", d.CreditCode), "`claim` holding the legal person's unified social credit code; a.b reads a nested claim (QUOTACERT_OIDC_CLAIM_CREDIT_CODE)")
	fs.StringVar(&f.orgName, "oidc-claim-org-name", envOr(getenv, "QUOTACERT_OIDC_CLAIM_ORG_NAME", d.OrgName), "`claim` holding the organisation's name (QUOTACERT_OIDC_CLAIM_ORG_NAME)")
	fs.StringVar(&f.operatorName, "oidc-claim-operator-name", envOr(getenv, "QUOTACERT_OIDC_CLAIM_OPERATOR_NAME", d.OperatorName), "`claim` holding the operator's (经办人) name (QUOTACERT_OIDC_CLAIM_OPERATOR_NAME)")
	fs.StringVar(&f.operatorTel, "oidc-claim-operator-phone", envOr(getenv, "QUOTACERT_OIDC_CLAIM_OPERATOR_PHONE", d.OperatorPhone), "`claim` holding the operator's phone (QUOTACERT_OIDC_CLAIM_OPERATOR_PHONE)")
	fs.StringVar(&f.userType, "oidc-claim-user-type", envOr(getenv, "QUOTACERT_OIDC_CLAIM_USER_TYPE", d.UserType), "`claim` telling a legal person (法人) from a natural person (个人); \"none\" = every platform user is a legal person (QUOTACERT_OIDC_CLAIM_USER_TYPE)")
	fs.StringVar(&f.legalValues, "oidc-legal-values", envOr(getenv, "QUOTACERT_OIDC_LEGAL_VALUES", strings.Join(d.LegalValues, ",")), "comma-separated values of the user-type claim that mean a legal person (QUOTACERT_OIDC_LEGAL_VALUES)")
	fs.StringVar(&f.staff, "oidc-claim-staff", getenv("QUOTACERT_OIDC_CLAIM_STAFF"), "`claim` whose value is the user name of an existing staff account; empty = staff sign in with their passwords only (QUOTACERT_OIDC_CLAIM_STAFF)")
	fs.StringVar(&f.staffValues, "oidc-staff-values", getenv("QUOTACERT_OIDC_STAFF_VALUES"), "comma-separated user-type values allowed to sign in as staff; empty = any user with the staff claim (QUOTACERT_OIDC_STAFF_VALUES)")
	fs.BoolVar(&f.userInfo, "oidc-userinfo", getenv("QUOTACERT_OIDC_USERINFO") == "on", "also read claims from the platform's userinfo endpoint (QUOTACERT_OIDC_USERINFO=on)")
	fs.StringVar(&f.localRegister, "local-register", getenv("QUOTACERT_LOCAL_REGISTER"), "on|off: employers may register here with a password; default off with --oidc-issuer, on without (QUOTACERT_LOCAL_REGISTER)")
	fs.StringVar(&f.localLogin, "local-login", envOr(getenv, "QUOTACERT_LOCAL_LOGIN", "on"), "on|off: employers may sign in with their own password here (staff always may) (QUOTACERT_LOCAL_LOGIN)")
}

// platformSettings is what the flags decide: the relying party's configuration (nil: no platform)
// and the two local switches (the zero value: no platform, both on).
type platformSettings struct {
	oidc             *oidc.Config
	localRegisterOff bool
	localLoginOff    bool
}

// settings checks the flags; the client secret comes from the file, else from the environment.
func (f *platformFlags) settings(getenv env, baseURL string) (platformSettings, error) {
	var st platformSettings
	onOff := func(name, v string, def bool) (bool, error) {
		switch v {
		case "":
			return def, nil
		case "on":
			return true, nil
		case "off":
			return false, nil
		}
		return false, fmt.Errorf("--%s must be on or off", name)
	}
	register, err := onOff("local-register", f.localRegister, f.issuer == "")
	if err != nil {
		return st, err
	}
	login, err := onOff("local-login", f.localLogin, true)
	if err != nil {
		return st, err
	}
	st.localRegisterOff, st.localLoginOff = !register, !login
	if f.issuer == "" {
		if !register && !login {
			return st, errors.New("without --oidc-issuer employers need --local-register or --local-login on")
		}
		return st, nil
	}
	secret := getenv("QUOTACERT_OIDC_CLIENT_SECRET")
	if f.secretFile != "" {
		if secret, err = oidc.ReadSecretFile(f.secretFile); err != nil {
			return st, fmt.Errorf("--oidc-client-secret-file: %w", err)
		}
	}
	userType := f.userType
	if userType == "none" {
		userType = ""
	}
	cfg := &oidc.Config{Issuer: strings.TrimSuffix(f.issuer, "/"), ClientID: f.clientID, ClientSecret: secret, BaseURL: baseURL,
		Scopes: splitList(f.scopes), UserInfo: f.userInfo,
		Claims: oidc.ClaimMap{CreditCode: f.creditCode, OrgName: f.orgName, OperatorName: f.operatorName, OperatorPhone: f.operatorTel,
			UserType: userType, LegalValues: splitList(f.legalValues), StaffUsername: f.staff, StaffValues: splitList(f.staffValues)}}
	if userType == "" {
		cfg.Claims.LegalValues = nil
	}
	st.oidc = cfg
	return st, nil
}

// splitList splits on commas and white space, dropping empty items.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
}

// newPlatform builds the relying party over the database's pending sign-ins and says at start-up
// whether the platform answers (quotacert starts anyway: discovery is retried at each sign-in).
func newPlatform(ctx context.Context, log *slog.Logger, cfg *oidc.Config, db *store.DB) (*oidc.Client, error) {
	if cfg == nil {
		return nil, nil
	}
	c, err := oidc.New(*cfg, store.NewPendingLogins(db))
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.Check(cctx); err != nil {
		log.Warn("the unified identity platform does not answer yet; sign-ins through it fail until it does", "issuer", cfg.Issuer, "err", err)
	} else {
		log.Info("unified identity platform discovered", "issuer", cfg.Issuer, "callback", c.Config().RedirectURL())
	}
	return c, nil
}
