package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/declaration"
	"quotacert/internal/rules"
	"quotacert/internal/store"
)

// resultsSite is the console with the declaration service and three certified employers of 2025:
// A of 长春市南关区, C of 长春市宽城区 (both under 国家税务总局长春市税务局) and B of 吉林市昌邑区.
func resultsSite(t *testing.T, h *harness) {
	t.Helper()
	h.srv.deps.Declarations = declaration.NewService(store.DeclarationRunner(h.db), nil, nil, h.clock.Now)
	withConsole(t, h)
	for _, e := range []struct{ code, office, tax string }{
		{"A", "220102", "12201020000"}, {"B", "220202", "12202020000"}, {"C", "220103", "12201030000"},
	} {
		var emp, decl int64
		if err := h.db.SQL().QueryRow(`INSERT INTO employers (credit_code, name, federation_office, tax_office, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, "CODE"+e.code, "单位"+e.code, e.office, e.tax, start).Scan(&emp); err != nil {
			t.Fatal(err)
		}
		if err := h.db.SQL().QueryRow(`INSERT INTO declarations (employer_id, year, status) VALUES ($1, 2025, 'submitted') RETURNING id`, emp).Scan(&decl); err != nil {
			t.Fatal(err)
		}
		err := store.DeclarationRunner(h.db)(context.Background(), func(tx declaration.Tx) error {
			_, err := tx.InsertLetter(context.Background(), declaration.Letter{DeclarationID: decl, VerifyCode: "v" + e.code, Persons: 2,
				CountedMonths: 24, WeightMonths: rules.WeightMonths(24), FederationOffice: e.office, Status: declaration.LetterValid, Year: 2025,
				CreditCode: "CODE" + e.code, EmployerName: "单位" + e.code, TaxOffice: e.tax, District: e.office})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

type feedJSON struct {
	Items []struct {
		CreditCode   string    `json:"creditCode"`
		Status       string    `json:"status"`
		TaxOffice    string    `json:"taxOffice"`
		ChangedAt    time.Time `json:"changedAt"`
		LetterNumber string    `json:"letterNumber"`
	} `json:"items"`
	Total    int     `json:"total"`
	PageSize int     `json:"pageSize"`
	Cursor   string  `json:"cursor"`
	Next     *string `json:"next"`
}

func (f feedJSON) codes() string {
	var out []string
	for _, it := range f.Items {
		out = append(out, strings.TrimPrefix(it.CreditCode, "CODE")+":"+it.Status)
	}
	return strings.Join(out, " ")
}

var tokenPattern = regexp.MustCompile(`qct_[A-Za-z0-9_-]{43}`)

// TestTaxAPIClient walks the tax bureau's interface: an admin registers a client on the page and
// sees its token once; the client pages through the results of its tax office's subtree with the
// cursor, polls incrementally (nothing, then the cancellation), reads by since, gets CSV; bad input
// is 422; every read is audited; a rotation ends the old token, a revocation the new one; the token
// opens no other route.
func TestTaxAPIClient(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		resultsSite(t, h)
		h.staff("root", actor.Admin, "220000")
		h.staff("prov", actor.Reviewer, "220000")
		root, prov, tax := h.client("10.0.30.1"), h.client("10.0.30.2"), h.client("10.0.30.3")
		wantStatus(t, root.login("root", testPassword), http.StatusOK)
		wantStatus(t, prov.login("prov", testPassword), http.StatusOK)

		// Registration: the token once, in a page that is not cached; a double submit adds nothing.
		reg := url.Values{"name": {"长春市税务局征收系统"}, "taxOffice": {"12201000000"}}
		rec := root.postForm("/admin/api-clients", reg)
		wantStatus(t, rec, http.StatusOK)
		token := tokenPattern.FindString(rec.Body.String())
		if token == "" || rec.Header().Get("Cache-Control") != "no-store" || !strings.Contains(rec.Body.String(), "令牌只显示这一次") {
			t.Fatalf("registration page: token %q, cache %q", token, rec.Header().Get("Cache-Control"))
		}
		rec = root.postForm("/admin/api-clients", reg)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		if tokenPattern.MatchString(rec.Body.String()) || !strings.Contains(rec.Body.String(), `id="apiclient-name-error"`) {
			t.Fatalf("double submit: %.400s", rec.Body.String())
		}
		var n int
		var hash string
		if err := h.db.SQL().QueryRow(`SELECT COUNT(*), MAX(token_hash) FROM api_clients`).Scan(&n, &hash); err != nil || n != 1 ||
			hash == token || strings.Contains(hash, token[4:20]) {
			t.Fatalf("stored clients %d, hash %q (%v)", n, hash, err)
		}
		if page := root.get("/admin/api-clients").Body.String(); tokenPattern.MatchString(page) || !strings.Contains(page, "长春市税务局征收系统") ||
			!strings.Contains(page, "尚未使用") {
			t.Fatal("the list shows a token or lacks the client")
		}

		read := func(tok, query, accept string) *httptest.ResponseRecorder {
			t.Helper()
			req := httptest.NewRequest(http.MethodGet, "/api/v1/years/2025/results"+query, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			return tax.do(req)
		}
		feed := func(tok, query string) feedJSON {
			t.Helper()
			rec := read(tok, query, "")
			wantStatus(t, rec, http.StatusOK)
			var f feedJSON
			if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
				t.Fatal(err)
			}
			return f
		}

		// Pages of one row through next: A then C, never 吉林市's B.
		p1 := feed(token, "?pageSize=1")
		if p1.codes() != "A:valid" || p1.Total != 2 || p1.Next == nil || p1.PageSize != 1 || p1.Items[0].ChangedAt.IsZero() {
			t.Fatalf("first page: %+v", p1)
		}
		// The next page carries the total its first page counted and is not counted again.
		if !strings.Contains(*p1.Next, "total=2") {
			t.Fatalf("next without the pull's total: %s", *p1.Next)
		}
		p2 := feed(token, strings.TrimPrefix(*p1.Next, "/api/v1/years/2025/results"))
		if p2.codes() != "C:valid" || p2.Next != nil || p2.Total != 2 {
			t.Fatalf("second page: %+v", p2)
		}
		// Polling from the cursor: nothing new, the cursor stays; then the cancellation of A.
		if idle := feed(token, "?after="+p2.Cursor); len(idle.Items) != 0 || idle.Cursor != p2.Cursor || idle.Next != nil {
			t.Fatalf("idle poll: %+v", idle)
		}
		if _, err := h.db.SQL().Exec(`UPDATE letters SET status = 'cancelled', cancelled_at = $1 WHERE verify_code = 'vA'`, start); err != nil {
			t.Fatal(err)
		}
		poll := feed(token, "?after="+p2.Cursor)
		if poll.codes() != "A:cancelled" || poll.Cursor == p2.Cursor {
			t.Fatalf("poll after the cancellation: %+v", poll)
		}
		// since: inclusive of the instant given, in any zone.
		since := poll.Items[0].ChangedAt.In(time.FixedZone("CST", 8*3600)).Format(time.RFC3339Nano)
		if s := feed(token, "?since="+url.QueryEscape(since)); s.codes() != "A:cancelled" {
			t.Fatalf("since %s: %+v", since, s)
		}
		if all := feed(token, ""); all.codes() != "C:valid A:cancelled" || all.PageSize != 50 {
			t.Fatalf("full read: %+v", all)
		}
		// CSV: the export's columns with changedAt, the cursor in a header.
		rec = read(token, "?after=0", "text/csv")
		wantStatus(t, rec, http.StatusOK)
		if lines := strings.Split(strings.TrimSpace(rec.Body.String()), "\n"); len(lines) != 3 || !strings.HasSuffix(lines[0], ",status,changedAt") ||
			!strings.HasPrefix(lines[2], "CODEA,") || rec.Header().Get("X-Cursor") != poll.Cursor {
			t.Fatalf("csv: %q cursor %q", rec.Body.String(), rec.Header().Get("X-Cursor"))
		}
		for query, field := range map[string]string{"?since=yesterday": "since", "?after=-1": "after", "?after=x": "after",
			"?pageSize=0": "pageSize", "?pageSize=501": "pageSize", "?page=2": "page", "?after=1&total=-1": "total", "?after=1&total=x": "total"} {
			rec := read(token, query, "")
			wantStatus(t, rec, http.StatusUnprocessableEntity)
			if _, _, fields := errorBody(t, rec); fields[field] == "" {
				t.Errorf("%s: no message for %s: %s", query, field, rec.Body.String())
			}
		}
		if rec := read(token, "", ""); rec.Code != 200 {
			t.Fatalf("read: %d", rec.Code)
		}
		var reads int
		for _, e := range auditSince(t, h) {
			if e.Action == "results.export" && strings.HasPrefix(e.ActorName, "税务接口客户端#") && e.ClientAddr == "10.0.30.3" {
				reads++
			}
		}
		if reads != 8 {
			t.Errorf("%d audited reads, want 8", reads)
		}

		// The token opens nothing else: another route, the pages.
		for _, path := range []string{"/api/v1/reviews", "/api/v1/years/2025/placements", "/admin/api-clients"} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Accept", "application/json")
			if rec := tax.do(req); rec.Code != http.StatusUnauthorized {
				t.Errorf("bearer on %s: %d", path, rec.Code)
			}
		}
		for _, bad := range []string{"", "qct_short", token[:len(token)-1] + "x"} {
			if rec := read(bad, "", ""); rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("token %q: %d", bad, rec.Code)
			}
		}

		// Rotation: confirmation page, then a new token; the old one is refused at once.
		var id int64
		if err := h.db.SQL().QueryRow(`SELECT id FROM api_clients`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if page := root.get(fmt.Sprintf("/admin/api-clients/%d/rotate", id)).Body.String(); !strings.Contains(page, "确定更换令牌") {
			t.Fatal("no rotation confirmation")
		}
		rec = root.postForm(fmt.Sprintf("/admin/api-clients/%d/rotate", id), nil)
		wantStatus(t, rec, http.StatusOK)
		rotated := tokenPattern.FindString(rec.Body.String())
		if rotated == "" || rotated == token {
			t.Fatalf("rotation gave %q", rotated)
		}
		if rec := read(token, "", ""); rec.Code != http.StatusUnauthorized {
			t.Fatalf("old token after rotation: %d", rec.Code)
		}
		feed(rotated, "")
		// Revocation: final, audited when the token is tried again.
		rec = root.postForm(fmt.Sprintf("/admin/api-clients/%d/revoke", id), nil)
		wantStatus(t, rec, http.StatusSeeOther)
		wantStatus(t, root.postForm(fmt.Sprintf("/admin/api-clients/%d/revoke", id), nil), http.StatusSeeOther)
		if rec := read(rotated, "", ""); rec.Code != http.StatusUnauthorized {
			t.Fatalf("revoked token: %d", rec.Code)
		}
		wantStatus(t, root.postForm(fmt.Sprintf("/admin/api-clients/%d/rotate", id), nil), http.StatusConflict)
		actions := map[string]int{}
		for _, e := range auditSince(t, h) {
			if strings.HasPrefix(e.Action, "apiclient.") {
				actions[e.Action+":"+string(e.Outcome)]++
			}
		}
		if actions["apiclient.create:success"] != 1 || actions["apiclient.rotate:success"] != 1 || actions["apiclient.revoke:success"] != 1 ||
			actions["apiclient.auth:failure"] != 1 {
			t.Errorf("audit of the client's life: %v", actions)
		}

		// Staff keep their export: by credit code, in pages with total and next; since gives the feed.
		rec = prov.get("/api/v1/years/2025/results?pageSize=2")
		var staff struct {
			Items []struct{ CreditCode string }
			Total int
			Page  int
			Next  *string
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &staff); err != nil || rec.Code != 200 || staff.Total != 3 || len(staff.Items) != 2 ||
			staff.Items[0].CreditCode != "CODEA" || staff.Next == nil || *staff.Next != "/api/v1/years/2025/results?page=2&pageSize=2" {
			t.Fatalf("staff pages: %d %s", rec.Code, rec.Body.String())
		}
		rec = prov.get("/api/v1/years/2025/results?after=0")
		var staffFeed feedJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &staffFeed); err != nil || staffFeed.codes() != "B:valid C:valid A:cancelled" {
			t.Fatalf("staff feed: %s", rec.Body.String())
		}
	})
}
