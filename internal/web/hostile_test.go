package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/admin"
	"quotacert/internal/attachment"
	"quotacert/internal/blob"
	"quotacert/internal/declaration"
	"quotacert/internal/employer"
	"quotacert/internal/exchange"
	"quotacert/internal/notice"
	"quotacert/internal/pii"
	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/review"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
	"quotacert/internal/web"
)

// fullSite is a site with every service the hostile requests reach.
func fullSite(t *testing.T, db *store.DB, clock *storetest.Clock) *site {
	t.Helper()
	ctx := context.Background()
	cfg := account.DefaultConfig()
	cfg.Secrets = testSecrets(t)
	cfg.CaptchaRequired = false
	cfg.StaffMFARequired = false // the second factor has tests of its own
	cfg.Argon2 = account.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
	acc, err := account.NewService(cfg, store.AccountRunner(db), db.IsUniqueViolation)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Register(ctx, account.RegisterInput{CreditCode: empCode, Name: "长春示范科技有限公司", ContactName: "王芳",
		ContactPhone: "13812345678", Password: password, Password2: password, ClientAddr: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	for _, st := range []account.StaffInput{{Username: "province", Password: password, Role: actor.Reviewer, Office: "220000"},
		{Username: "root", Password: password, Role: actor.Admin, Office: "220000"}} {
		if _, err := acc.CreateStaff(ctx, actor.System("test"), st); err != nil {
			t.Fatal(err)
		}
	}
	prot, err := pii.New(bytes.Repeat([]byte{7}, pii.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	ex := exchange.NewService(store.ExchangeRunner(db), prot)
	for _, kind := range []exchange.Kind{exchange.Certificates, exchange.Wages, exchange.Social, exchange.Medical} {
		if _, err := ex.ImportFile(ctx, actor.System("test"), kind, "../demo/data/"+string(kind)+".csv", exchange.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	blobs, err := blob.SealedFiles(filepath.Join(t.TempDir(), "files"), testBlobKey)
	if err != nil {
		t.Fatal(err)
	}
	pl := placement.NewService(store.PlacementRunner(db), ex, prot, clock.Now)
	cookies := &web.SessionCookies{Accounts: acc}
	s, err := web.New(web.Deps{DB: db, Accounts: acc, Sessions: cookies, Cookies: cookies, Now: clock.Now,
		Employers:    employer.NewService(store.EmployerRunner(db)),
		Files:        attachment.NewService(store.AttachmentRunner(db), blob.Attachments(blobs)),
		Placements:   pl,
		Reviews:      review.NewService(store.ReviewRunner(db), pl, clock.Now),
		Declarations: declaration.NewService(store.DeclarationRunner(db), ex, prot, clock.Now),
		Notices:      notice.NewService(store.NoticeRunner(db)),
		Admin:        admin.NewService(store.AdminRunner(db)),
		Exchange:     ex})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &site{t: t, db: db, srv: srv}
}

// raw sends a body as it is (json.Marshal would repair invalid UTF-8).
func (c *client) raw(method, path, body string) (int, string) {
	c.s.t.Helper()
	req := c.request(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	st, text, _ := c.do(req)
	return st, text
}

// TestHostileText replays the 15 hostile requests of issue 14 that answered 500 on PostgreSQL (a
// NUL byte in a text field) and the other hostile text the boundary refuses — invalid UTF-8, lone
// surrogates, control characters, in JSON, forms, the query and the path — on both databases:
// each is a 422 naming the field, and nothing of it is stored. Newlines stay text where a field is
// multi-line.
func TestHostileText(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s := fullSite(t, db, clock)
		emp := s.login("creditCode", empCode)
		if st, body := emp.json("PUT", "/api/v1/employer", fullProfile()); st != 200 {
			t.Fatalf("profile: %d %s", st, body)
		}
		file := emp.fileID("合同.pdf")
		st, body := emp.json("POST", "/api/v1/employer/affiliates", map[string]any{"creditCode": otherCode, "name": "子公司",
			"kind": "subsidiary", "fileIds": []string{file}})
		if st != 201 {
			t.Fatalf("affiliate: %d %s", st, body)
		}
		affiliate := int64(decode[map[string]any](t, body)["id"].(float64))
		st, body = emp.json("POST", "/api/v1/years/2025/placements", personBody("22010219880712035X", "刘喆", file))
		if st != 201 {
			t.Fatalf("placement: %d %s", st, body)
		}
		pa := int64(decode[map[string]any](t, body)["id"].(float64))
		pb := personBody("220102198603270620", "吴秀兰", file)
		pb["contracts"] = []map[string]any{{"start": "2022-01-01", "end": "2026-12-31", "fileIds": []string{file}}}
		st, body = emp.json("POST", "/api/v1/years/2025/placements", pb)
		if st != 201 {
			t.Fatalf("placement: %d %s", st, body)
		}
		pbID := int64(decode[map[string]any](t, body)["id"].(float64))
		claim := func(note string) map[string]any {
			return map[string]any{"claims": []map[string]any{{"month": "2025-02", "fileIds": []string{file}, "note": note}}}
		}
		months := fmt.Sprintf("/api/v1/placements/%d/months", pbID)
		// A multi-line field keeps its newlines and tabs.
		if st, body := emp.json("PUT", months, claim("第一行\r\n第二行\t补发")); st != 200 {
			t.Fatalf("claim with a multi-line note: %d %s", st, body)
		}
		prov := s.login("username", "province")
		st, body = prov.json("GET", "/api/v1/reviews?status=pending", nil)
		// The affiliate added above waits for review too; the claim is the item under test.
		queue := decode[struct {
			Items []struct {
				ID   int64
				Kind string
			}
		}](t, body)
		var item int64
		for _, it := range queue.Items {
			if it.Kind == "claim" {
				item = it.ID
			}
		}
		if st != 200 || item == 0 {
			t.Fatalf("review queue: %d %s", st, body)
		}
		root := s.login("username", "root")
		anon := s.login("", "")

		const nul = "\x00"
		profile := func(field string) map[string]any {
			p := fullProfile()
			p[field] = p[field].(string)[:2] + nul + p[field].(string)[2:]
			return p
		}
		person := func(name, fileID string) map[string]any { return personBody("220104199011050461", name, fileID) }
		cases := []struct {
			name   string
			c      *client
			method string
			path   string
			body   any
			field  string
		}{
			// The 15 of issue 14.
			{"employer federationOffice", emp, "PUT", "/api/v1/employer", profile("federationOffice"), "federationOffice"},
			{"employer taxOffice", emp, "PUT", "/api/v1/employer", profile("taxOffice"), "taxOffice"},
			{"employer district", emp, "PUT", "/api/v1/employer", profile("district"), "district"},
			{"affiliate create fileIds", emp, "POST", "/api/v1/employer/affiliates", map[string]any{"creditCode": "911100001000044477",
				"name": "派遣公司", "kind": "dispatch", "fileIds": []string{file + nul}}, "fileIds[0]"},
			{"affiliate update fileIds", emp, "PUT", fmt.Sprintf("/api/v1/employer/affiliates/%d", affiliate), map[string]any{"creditCode": otherCode,
				"name": "子公司", "kind": "subsidiary", "fileIds": []string{nul}}, "fileIds[0]"},
			{"notice body", root, "POST", "/api/v1/notices", map[string]any{"title": "通知", "body": "正文" + nul}, "body"},
			{"review decision comment", prov, "POST", fmt.Sprintf("/api/v1/reviews/%d/decision", item), map[string]any{"approve": true, "comment": "同意" + nul}, "comment"},
			{"placement create name", emp, "POST", "/api/v1/years/2025/placements", person("孙"+nul+"雅琴", file), "name"},
			{"placement create fileIds", emp, "POST", "/api/v1/years/2025/placements", person("孙雅琴", nul+file), "contracts[0].fileIds[0]"},
			{"placement update name", emp, "PUT", fmt.Sprintf("/api/v1/placements/%d", pa), personBody("22010219880712035X", "刘"+nul, file), "name"},
			{"placement update fileIds", emp, "PUT", fmt.Sprintf("/api/v1/placements/%d", pa), personBody("22010219880712035X", "刘喆", file+nul), "contracts[0].fileIds[0]"},
			{"months claim note", emp, "PUT", months, claim("补发" + nul), "claims[0].note"},
			{"months claim fileIds", emp, "PUT", months, map[string]any{"claims": []map[string]any{{"month": "2025-02", "fileIds": []string{nul}}}}, "claims[0].fileIds[0]"},
			{"register creditCode", anon, "POST", "/api/v1/register", map[string]any{"creditCode": "91110000" + nul + "1000044477", "name": "单位",
				"password": password, "password2": password, "contactName": "王五", "contactPhone": "13812345678"}, "creditCode"},
			{"login creditCode", anon, "POST", "/api/v1/login", map[string]any{"creditCode": empCode[:4] + nul + empCode[4:], "password": password}, "creditCode"},
			// Beyond NUL: other control characters, and a newline where a field is one line.
			{"bell in a name", emp, "POST", "/api/v1/years/2025/placements", person("孙\a雅琴", file), "name"},
			{"C1 control in an address", emp, "PUT", "/api/v1/employer", func() map[string]any { p := fullProfile(); p["address"] = "长春\u0085市"; return p }(), "address"},
			{"DEL in a title", root, "POST", "/api/v1/notices", map[string]any{"title": "通\x7f知", "body": "正文"}, "title"},
			{"newline in a one-line field", emp, "PUT", "/api/v1/employer", func() map[string]any { p := fullProfile(); p["contactName"] = "王\n芳"; return p }(), "contactName"},
			{"tab in a one-line field", anon, "POST", "/api/v1/login", map[string]any{"username": "ro\tot", "password": password}, "username"},
		}
		for _, tc := range cases {
			st, body := tc.c.json(tc.method, tc.path, tc.body)
			e := decode[apiErr](t, body)
			if st != http.StatusUnprocessableEntity || e.Error.Code != "invalid" || e.Error.Fields[tc.field] == "" {
				t.Errorf("%s: %d %s, want 422 naming %s", tc.name, st, body, tc.field)
			}
		}
		// Bytes that json.Marshal cannot send: invalid UTF-8 and lone surrogates.
		for _, tc := range []struct{ name, body, field string }{
			{"invalid UTF-8", `{"title":"通知","body":"正文` + "\xff\xfe" + `"}`, "body"},
			{"an encoded surrogate", `{"title":"通知` + "\xed\xa0\x80" + `","body":"正文"}`, "title"},
			{"a lone high surrogate", `{"title":"通知\ud800","body":"正文"}`, "title"},
			{"a lone low surrogate", `{"title":"\udc00通知","body":"正文"}`, "title"},
			{"a high surrogate before a letter", `{"title":"\ud83dA","body":"正文"}`, "title"},
			{"an escaped NUL in a member name", `{"ti\u0000tle":"通知","body":"正文"}`, "ti\x00tle"},
		} {
			st, body := root.raw("POST", "/api/v1/notices", tc.body)
			e := decode[apiErr](t, body)
			if st != http.StatusUnprocessableEntity || e.Error.Fields[tc.field] == "" {
				t.Errorf("%s: %d %s, want 422 naming %q", tc.name, st, body, tc.field)
			}
		}
		if st, body := root.raw("POST", "/api/v1/notices", `{"title":"通知 \ud83d\ude00","body":"正文"}`); st != 201 {
			t.Errorf("a surrogate pair (an emoji) is text: %d %s", st, body)
		}
		// Forms, the query and the path.
		if st, page, _ := anon.postForm("/login", url.Values{"creditCode": {empCode + nul}, "password": {password}}); st != 422 || !strings.Contains(page, "creditCode") {
			t.Errorf("login form with NUL: %d %.300s", st, page)
		}
		if st, page, _ := emp.multipart(fmt.Sprintf("/placements/%d/months", pbID), url.Values{"claims.2025-02.note": {"补" + nul}}, "", nil); st != 422 || !strings.Contains(page, "claims.2025-02.note") {
			t.Errorf("multipart field with NUL: %d %.300s", st, page)
		}
		if st, body := root.json("GET", "/api/v1/notices?q=%00", nil); st != 422 || decode[apiErr](t, body).Error.Fields["q"] == "" {
			t.Errorf("query with NUL: %d %s", st, body)
		}
		if st, body := emp.json("GET", "/api/v1/registry/persons/2201021988%000712035X", nil); st != 422 || decode[apiErr](t, body).Error.Fields["path"] == "" {
			t.Errorf("path with NUL: %d %s", st, body)
		}
		// Nothing of it was stored.
		var n int
		s.scan(`SELECT COUNT(*) FROM notices`, &n)
		if n != 1 {
			t.Errorf("%d notices, want the one valid", n)
		}
		s.scan(`SELECT COUNT(*) FROM affiliates`, &n)
		if n != 1 {
			t.Errorf("%d affiliates", n)
		}
		var note string
		s.scan(`SELECT note FROM review_items WHERE kind = 'claim'`, &note)
		if note != "第一行\r\n第二行\t补发" {
			t.Errorf("claim note %q", note)
		}
	})
}
