package testidp_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"quotacert/internal/testidp"
)

const redirect = "http://127.0.0.1:18080/cb"

func start(t *testing.T, opt testidp.Options) *testidp.Server {
	t.Helper()
	s, err := testidp.Start(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.AddClient(testidp.Client{ID: "c", Secret: "s", RedirectURIs: []string{redirect}})
	return s
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// authorize sends an authorization request and returns where the provider sent the browser.
func authorize(t *testing.T, s *testidp.Server, extra url.Values) *url.URL {
	t.Helper()
	q := url.Values{"client_id": {"c"}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"openid"},
		"state": {"st"}, "nonce": {"n"}}
	for k, v := range extra {
		q[k] = v
	}
	resp, err := noRedirect.Get(s.Issuer() + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("authorize answered %d without a redirect", resp.StatusCode)
	}
	return loc
}

func TestLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0"} {
		if s, err := testidp.Start(testidp.Options{Addr: addr}); err == nil {
			s.Close()
			t.Errorf("listened on %s", addr)
		}
	}
}

func TestDiscovery(t *testing.T) {
	s := start(t, testidp.Options{})
	var doc struct {
		Issuer     string   `json:"issuer"`
		EndSession string   `json:"end_session_endpoint"`
		PKCE       []string `json:"code_challenge_methods_supported"`
		JWKS       string   `json:"jwks_uri"`
	}
	getJSON(t, s.Issuer()+"/.well-known/openid-configuration", &doc)
	if doc.Issuer != s.Issuer() || !strings.HasPrefix(s.Issuer(), "http://127.0.0.1:") || doc.EndSession == "" ||
		!slices.Contains(doc.PKCE, "S256") {
		t.Errorf("discovery %+v", doc)
	}
}

func TestPKCERequired(t *testing.T) {
	s := start(t, testidp.Options{})
	if loc := authorize(t, s, nil); loc.Query().Get("error") != "invalid_request" || !strings.HasPrefix(loc.String(), redirect) {
		t.Errorf("without PKCE: redirected to %s", loc)
	}
	if loc := authorize(t, s, url.Values{"code_challenge": {"abc"}, "code_challenge_method": {"plain"}}); loc.Query().Get("error") == "" {
		t.Errorf("plain PKCE accepted: %s", loc)
	}
	withPKCE := url.Values{"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
	if loc := authorize(t, s, withPKCE); loc.Path != "/login" {
		t.Errorf("with PKCE: redirected to %s, want the login page", loc)
	}
	lax := start(t, testidp.Options{AllowNoPKCE: true})
	if loc := authorize(t, lax, nil); loc.Path != "/login" {
		t.Errorf("AllowNoPKCE: redirected to %s", loc)
	}
}

func TestPromptNoneWithoutSession(t *testing.T) {
	s := start(t, testidp.Options{AllowNoPKCE: true})
	loc := authorize(t, s, url.Values{"prompt": {"none"}})
	resp, err := noRedirect.Get(s.Issuer() + loc.RequestURI())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := resp.Location()
	if err != nil || back.Query().Get("error") != "login_required" || back.Query().Get("state") != "st" {
		t.Errorf("prompt=none without a session: %d %v %v", resp.StatusCode, back, err)
	}
}

func TestKeyRotation(t *testing.T) {
	s := start(t, testidp.Options{})
	kids := func() []string {
		var set struct {
			Keys []struct {
				Kid string `json:"kid"`
			} `json:"keys"`
		}
		getJSON(t, s.Issuer()+"/keys", &set)
		var ids []string
		for _, k := range set.Keys {
			ids = append(ids, k.Kid)
		}
		return ids
	}
	old := s.SigningKeyID()
	if got := kids(); !slices.Equal(got, []string{old}) {
		t.Fatalf("keys %v, want [%s]", got, old)
	}
	cur, err := s.RotateKey()
	if err != nil {
		t.Fatal(err)
	}
	if got := kids(); !slices.Equal(got, []string{old, cur}) || s.SigningKeyID() != cur {
		t.Errorf("during rotation: keys %v, signing %s", got, s.SigningKeyID())
	}
	s.RetireOldKeys()
	if got := kids(); !slices.Equal(got, []string{cur}) {
		t.Errorf("after retiring: keys %v, want [%s]", got, cur)
	}
}

func TestUnknownLoginRequest(t *testing.T) {
	s := start(t, testidp.Options{})
	resp, err := http.Get(s.Issuer() + "/login?authRequestID=nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown auth request: %d", resp.StatusCode)
	}
}
