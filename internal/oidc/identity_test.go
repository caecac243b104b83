package oidc

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"quotacert/internal/idnum"
)

const validCode = "91220101MA14U8XK2R"

func TestMapClaims(t *testing.T) {
	def := DefaultClaims()
	staff := def
	staff.StaffUsername, staff.StaffValues = "staff_account", []string{"staff"}
	anyStaff := def
	anyStaff.StaffUsername = "staff_account"
	legalOnly := ClaimMap{CreditCode: "creditCode", OrgName: "entName"}
	nested := ClaimMap{CreditCode: "ent.code", UserType: "roles", LegalValues: []string{"FR"}}

	for _, tc := range []struct {
		name   string
		m      ClaimMap
		claims string
		want   Identity
		reason Reason // "" = success
	}{
		{"legal person, defaults", def,
			`{"uscc":" 91220101ma14u8xk2r ","org_name":"示例公司","name":"王小明","phone_number":"0431-88886666","user_type":"legal"}`,
			Identity{Kind: LegalPerson, CreditCode: validCode, OrgName: "示例公司", OperatorName: "王小明", OperatorPhone: "0431-88886666"}, ""},
		{"legal person, Chinese value", def, `{"uscc":"` + validCode + `","user_type":"法人"}`,
			Identity{Kind: LegalPerson, CreditCode: validCode}, ""},
		{"user type as array", def, `{"uscc":"` + validCode + `","user_type":["x","legal"]}`,
			Identity{Kind: LegalPerson, CreditCode: validCode}, ""},
		{"natural person", def, `{"name":"张三","user_type":"natural"}`, Identity{Kind: NaturalPerson, OperatorName: "张三"}, ""},
		{"no user type is not a legal person", def, `{"uscc":"` + validCode + `"}`, Identity{Kind: NaturalPerson}, ""},
		{"legal-only platform", legalOnly, `{"creditCode":"` + validCode + `","entName":"某局"}`,
			Identity{Kind: LegalPerson, CreditCode: validCode, OrgName: "某局"}, ""},
		{"nested claims, numeric phone", nested, `{"ent":{"code":"` + validCode + `"},"roles":["FR"]}`,
			Identity{Kind: LegalPerson, CreditCode: validCode}, ""},
		{"exact name wins over path", nested, `{"ent.code":"` + validCode + `","ent":{"code":"bad"},"roles":"FR"}`,
			Identity{Kind: LegalPerson, CreditCode: validCode}, ""},
		{"number as user type", ClaimMap{CreditCode: "c", UserType: "t", LegalValues: []string{"2"}},
			`{"c":"` + validCode + `","t":2}`, Identity{Kind: LegalPerson, CreditCode: validCode}, ""},
		{"staff", staff, `{"user_type":"staff","staff_account":"reviewer"}`, Identity{Kind: Staff, StaffUsername: "reviewer"}, ""},
		{"staff claim from a non-staff type", staff, `{"user_type":"natural","staff_account":"admin"}`, Identity{Kind: NaturalPerson}, ""},
		{"staff of any type", anyStaff, `{"user_type":"natural","staff_account":"admin"}`, Identity{Kind: Staff, StaffUsername: "admin"}, ""},
		{"staff type without the claim", staff, `{"user_type":"staff"}`, Identity{Kind: NaturalPerson}, ""},
		{"legal person with a staff claim", staff, `{"uscc":"` + validCode + `","user_type":["legal","staff"],"staff_account":"admin"}`,
			Identity{Kind: LegalPerson, CreditCode: validCode}, ""},

		{"legal person without code", def, `{"user_type":"legal"}`, Identity{}, ReasonClaims},
		{"wrong check character", def, `{"uscc":"91220101MA14U8XK2Q","user_type":"legal"}`, Identity{}, ReasonCreditCode},
		{"code too short", def, `{"uscc":"9122","user_type":"legal"}`, Identity{}, ReasonCreditCode},
		{"code is an object", def, `{"uscc":{"v":1},"user_type":"legal"}`, Identity{}, ReasonClaims},
		{"name is an array", def, `{"name":["a"],"user_type":"natural"}`, Identity{}, ReasonClaims},
		{"control character", def, `{"org_name":"a\u0000b","user_type":"natural"}`, Identity{}, ReasonClaims},
		{"too long", def, `{"org_name":"` + strings.Repeat("长", 201) + `","user_type":"natural"}`, Identity{}, ReasonClaims},
		{"user type array of objects", def, `{"user_type":[{}]}`, Identity{}, ReasonClaims},
	} {
		t.Run(tc.name, func(t *testing.T) {
			claims, err := decodeClaims([]byte(tc.claims))
			if err != nil {
				t.Fatal(err)
			}
			got, err := mapClaims(claims, tc.m)
			if tc.reason != "" {
				var e *Error
				if !errors.As(err, &e) || e.Reason != tc.reason {
					t.Fatalf("err = %v, want reason %s", err, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// FuzzMapClaims: any JSON object, under any mapping, maps to a consistent identity or a typed error.
func FuzzMapClaims(f *testing.F) {
	f.Add([]byte(`{"uscc":"91220101MA14U8XK2R","org_name":"示例","name":"王","phone_number":13912345678,"user_type":"legal"}`), "uscc", "user_type")
	f.Add([]byte(`{"a":{"b":{"c":"91220101MA14U8XK2R"}},"t":[1,"legal"]}`), "a.b.c", "t")
	f.Add([]byte(`{"x.y":"1","x":{"y":2},"t":null}`), "x.y", "t")
	f.Add([]byte(`{"staff":"admin","t":"staff"}`), "staff", "t")
	f.Fuzz(func(t *testing.T, raw []byte, codeClaim, typeClaim string) {
		claims, err := decodeClaims(raw)
		if err != nil {
			return
		}
		for _, m := range []ClaimMap{
			DefaultClaims(),
			{CreditCode: codeClaim, OrgName: typeClaim, UserType: typeClaim, LegalValues: []string{"legal", "1"},
				StaffUsername: codeClaim, StaffValues: []string{"staff"}},
			{CreditCode: codeClaim, OperatorName: codeClaim, OperatorPhone: typeClaim, StaffUsername: typeClaim},
		} {
			id, err := mapClaims(claims, m)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Message == "" {
					t.Fatalf("untyped error %v", err)
				}
				if id != (Identity{}) {
					t.Fatalf("identity %+v with error %v", id, err)
				}
				continue
			}
			switch id.Kind {
			case LegalPerson:
				if c, err := idnum.ParseCreditCode(id.CreditCode); err != nil || c != id.CreditCode || id.StaffUsername != "" {
					t.Fatalf("legal person %+v", id)
				}
			case Staff:
				if id.StaffUsername == "" || id.CreditCode != "" {
					t.Fatalf("staff %+v", id)
				}
			case NaturalPerson:
				if id.CreditCode != "" || id.StaffUsername != "" {
					t.Fatalf("natural person %+v", id)
				}
			default:
				t.Fatalf("kind %q", id.Kind)
			}
			for _, s := range []string{id.OrgName, id.OperatorName, id.OperatorPhone, id.StaffUsername} {
				if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxClaimRunes || strings.ContainsFunc(s, unicode.IsControl) ||
					s != strings.TrimSpace(s) {
					t.Fatalf("unclean value %q", s)
				}
			}
		}
	})
}

func TestSafeReturnPath(t *testing.T) {
	for in, want := range map[string]string{
		"/employer/profile":             "/employer/profile",
		"/years/2026?tab=a#x":           "/years/2026?tab=a#x",
		"":                              "/",
		"employer":                      "/",
		"//evil.example.com/":           "/",
		"/\\evil.example.com":           "/",
		"https://evil.example.com":      "/",
		"/a\nb":                         "/",
		"/%2F%2Fevil":                   "/%2F%2Fevil", // stays a path on this site
		"/" + strings.Repeat("a", 1100): "/",
	} {
		if got := SafeReturnPath(in); got != want {
			t.Errorf("SafeReturnPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSafeReturnPath(f *testing.F) {
	for _, s := range []string{"/", "/a?b=c", "//x", "/\\x", "http://x", "/\t/x", "/@x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := SafeReturnPath(in)
		if got != "/" && got != in {
			t.Fatalf("SafeReturnPath(%q) = %q: neither kept nor replaced", in, got)
		}
		if got[0] != '/' || strings.HasPrefix(got, "//") || strings.Contains(got, "\\") ||
			strings.ContainsFunc(got, unicode.IsControl) {
			t.Fatalf("SafeReturnPath(%q) = %q could leave the site", in, got)
		}
	})
}

func TestConfig(t *testing.T) {
	ok := Config{Issuer: "https://sso.jl.gov.cn/oidc", ClientID: "quotacert", ClientSecret: "s", BaseURL: "https://cert.example.cn/"}
	c, err := ok.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if c.RedirectURL() != "https://cert.example.cn/login/oidc/callback" || c.PostLogoutURL() != "https://cert.example.cn/login" {
		t.Errorf("redirect %s, post-logout %s", c.RedirectURL(), c.PostLogoutURL())
	}
	if c.Claims.CreditCode != "uscc" || c.Scopes[0] != "openid" || c.FlowTTL == 0 || c.HTTPClient == nil || c.Now == nil {
		t.Errorf("defaults not filled: %+v", c)
	}
	withScopes := ok
	withScopes.Scopes = []string{"profile", "uscc"}
	if c, _ := withScopes.withDefaults(); strings.Join(c.Scopes, " ") != "openid profile uscc" {
		t.Errorf("scopes %v", c.Scopes)
	}

	for name, edit := range map[string]func(*Config){
		"plain http issuer":      func(c *Config) { c.Issuer = "http://sso.jl.gov.cn" },
		"issuer with query":      func(c *Config) { c.Issuer = "https://sso.jl.gov.cn/?x=1" },
		"relative base URL":      func(c *Config) { c.BaseURL = "/quotacert" },
		"no client id":           func(c *Config) { c.ClientID = " " },
		"no secret":              func(c *Config) { c.ClientSecret = "" },
		"no credit-code claim":   func(c *Config) { c.Claims = ClaimMap{OrgName: "org"} },
		"user type, no values":   func(c *Config) { c.Claims = ClaimMap{CreditCode: "uscc", UserType: "t"} },
		"staff values, no claim": func(c *Config) { c.Claims = ClaimMap{CreditCode: "uscc", StaffValues: []string{"s"}} },
	} {
		c := ok
		edit(&c)
		if _, err := c.withDefaults(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	loop := ok
	loop.Issuer = "http://127.0.0.1:9998"
	if _, err := loop.withDefaults(); err != nil {
		t.Errorf("loopback http issuer refused: %v", err)
	}
}

func TestReadSecretFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "secret")
	if err := os.WriteFile(good, []byte("  abc-123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := ReadSecretFile(good); err != nil || s != "abc-123" {
		t.Errorf("ReadSecretFile = %q, %v", s, err)
	}
	for _, content := range []string{"", "\n", "a\nb\n"} {
		p := filepath.Join(dir, "bad")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadSecretFile(p); err == nil {
			t.Errorf("secret file %q accepted", content)
		}
	}
	if _, err := ReadSecretFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing secret file accepted")
	}
}
