package testidp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Token is an ID token being altered by Tamper functions: its claims, and whether it is to be signed
// with a key the provider never published (under the current key's id, so that only the signature
// check can catch it).
type Token struct {
	Claims     map[string]any
	ForeignKey bool
}

// Tamper alters an ID token before it leaves the token endpoint.
type Tamper func(*Token)

// SignWithForeignKey signs the token with a key that is not in the provider's key set.
func SignWithForeignKey() Tamper { return func(t *Token) { t.ForeignKey = true } }

// Audience replaces the audience (and the authorised party), as in a token issued to another client.
func Audience(aud ...string) Tamper {
	return func(t *Token) {
		t.Claims["aud"] = aud
		if len(aud) > 0 {
			t.Claims["azp"] = aud[0]
		}
	}
}

// Expired makes the token one that expired an hour ago.
func Expired() Tamper {
	return func(t *Token) {
		now := time.Now()
		t.Claims["iat"] = now.Add(-2 * time.Hour).Unix()
		t.Claims["exp"] = now.Add(-time.Hour).Unix()
	}
}

// Nonce replaces the nonce.
func Nonce(n string) Tamper { return func(t *Token) { t.Claims["nonce"] = n } }

// Issuer replaces the issuer.
func Issuer(iss string) Tamper { return func(t *Token) { t.Claims["iss"] = iss } }

// SetClaims sets (or, with a nil value, removes) claims.
func SetClaims(c map[string]any) Tamper {
	return func(t *Token) {
		for k, v := range c {
			if v == nil {
				delete(t.Claims, k)
			} else {
				t.Claims[k] = v
			}
		}
	}
}

// tamperTokens rewrites the ID token of a token-endpoint answer when a test asked for it.
func (s *Server) tamperTokens(next http.Handler) http.Handler {
	tokenPath := s.provider.TokenEndpoint().Relative()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != tokenPath {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if rec.Code == http.StatusOK {
			if t := s.takeTamper(); len(t) > 0 {
				var err error
				if body, err = s.rewriteIDToken(body, t); err != nil {
					http.Error(w, "testidp: tamper: "+err.Error(), http.StatusInternalServerError)
					return
				}
			}
		}
		maps.Copy(w.Header(), rec.Header())
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

func (s *Server) rewriteIDToken(body []byte, tampers []Tamper) ([]byte, error) {
	var resp map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&resp); err != nil {
		return nil, err
	}
	raw, _ := resp["id_token"].(string)
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("no ID token in the answer")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	tok := Token{}
	dec = json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&tok.Claims); err != nil {
		return nil, err
	}
	for _, t := range tampers {
		t(&tok)
	}
	signed, err := s.sign(tok)
	if err != nil {
		return nil, err
	}
	resp["id_token"] = signed
	return json.Marshal(resp)
}

// sign signs claims with the current key, or with the foreign key under the current key's id.
func (s *Server) sign(t Token) (string, error) {
	st := s.storage
	st.mu.Lock()
	cur := st.keys[len(st.keys)-1]
	key := cur.key
	if t.ForeignKey {
		key = st.foreign
	}
	st.mu.Unlock()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), cur.id))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(t.Claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
