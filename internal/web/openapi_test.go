package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"quotacert/internal/actor"
	"quotacert/internal/admin"
	"quotacert/internal/apiclient"
	"quotacert/internal/notice"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
	"quotacert/internal/web"
)

// loadAPIDoc reads the served document and checks it is valid OpenAPI 3.
func loadAPIDoc(t *testing.T, h http.Handler) *openapi3.T {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("load the document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI 3: %v", err)
	}
	return doc
}

// TestOpenAPICoversEveryRoute: each /api/v1 route of Routes() is an operation of the document, and
// the document names no operation the server does not have. A new API route without its
// description fails here (add it to internal/web/apidoc).
func TestOpenAPICoversEveryRoute(t *testing.T) {
	s, err := web.New(web.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	doc := loadAPIDoc(t, s.Handler())
	var routes, described []string
	for _, rt := range s.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if p, ok := strings.CutPrefix(path, "/api/v1"); ok {
			routes = append(routes, method+" "+p)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			described = append(described, method+" "+path)
		}
	}
	slices.Sort(routes)
	slices.Sort(described)
	for _, r := range routes {
		if !slices.Contains(described, r) {
			t.Errorf("route %s is not described in the OpenAPI document (internal/web/apidoc)", r)
		}
	}
	for _, d := range described {
		if !slices.Contains(routes, d) {
			t.Errorf("the OpenAPI document describes %s, which is no route", d)
		}
	}
}

// apiValidator checks every /api/v1 request and answer passing through it against the document.
type apiValidator struct {
	t    *testing.T
	next http.Handler
	doc  *openapi3.T

	mu       sync.Mutex
	router   routers.Router
	errs     []string
	answered map[string]map[int]bool // operation → statuses seen
}

func (v *apiValidator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/api/v1/") {
		v.next.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	v.next.ServeHTTP(rec, r)
	for k, vals := range rec.Header() {
		w.Header()[k] = vals
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
	v.check(r, body, rec)
}

func (v *apiValidator) fail(format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf(format, args...))
}

func (v *apiValidator) check(r *http.Request, body []byte, rec *httptest.ResponseRecorder) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.router == nil {
		// The document's server is relative ("/api/v1"): route on this test server's origin.
		v.doc.Servers = openapi3.Servers{{URL: "http://" + r.Host + "/api/v1"}}
		router, err := legacy.NewRouter(v.doc)
		if err != nil {
			v.fail("router: %v", err)
			return
		}
		v.router = router
	}
	req := r.Clone(context.Background())
	req.URL.Scheme, req.URL.Host = "http", r.Host
	req.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		v.fail("%s %s: no operation: %v", r.Method, r.URL.Path, err)
		return
	}
	op := r.Method + " " + route.Path
	if v.answered[op] == nil {
		v.answered[op] = map[int]bool{}
	}
	v.answered[op][rec.Code] = true
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			// The multipart uploads' bodies are the files themselves; their parts are checked by the handlers' tests.
			ExcludeRequestBody: strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/")}}
	// A request the server refused as invalid may well disagree with the document: that is the point.
	if rec.Code < 400 || rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			v.fail("%s %s: request does not match the document: %v", r.Method, r.URL.Path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		v.fail("%s %s → %d: answer does not match the document: %v\n%.300s", r.Method, r.URL.String(), rec.Code, err, rec.Body.String())
	}
}

// TestOpenAPIAgainstRealAnswers walks the API as an employer, a reviewer, an administrator, a tax
// bureau's client and an anonymous visitor — successes and refusals — and validates every request
// and answer against the served document; at the end it lists which operations were exercised.
func TestOpenAPIAgainstRealAnswers(t *testing.T) {
	for _, kind := range []string{"application/pdf", "image/png", "image/jpeg", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} {
		openapi3filter.RegisterBodyDecoder(kind, openapi3filter.FileBodyDecoder)
	}
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		var v *apiValidator
		clients := apiclient.NewService(store.APIClientRunner(db))
		s, _ := declSiteWith(t, db, clock, func(d *web.Deps) {
			d.Notices = notice.NewService(store.NoticeRunner(db))
			d.Admin = admin.NewService(store.AdminRunner(db))
			d.APIClients = clients
		}, func(h http.Handler) http.Handler {
			v = &apiValidator{t: t, next: h, doc: loadAPIDoc(t, h), answered: map[string]map[int]bool{}}
			return v
		})
		ctx := context.Background()
		if _, err := s.db.SQL().Exec(`UPDATE users SET role = 'admin' WHERE username = 'province'`); err != nil {
			t.Fatal(err)
		}
		want := func(what string, got, status int, body string) {
			t.Helper()
			if got != status {
				t.Fatalf("%s: %d, want %d: %.400s", what, got, status, body)
			}
		}
		anon := s.login("", "")
		emp := s.login("creditCode", empCode)
		prov := s.login("username", "province")

		// Public: the captcha, registration, a verification case, the document itself.
		st, body := anon.json("GET", "/api/v1/captcha", nil)
		want("captcha", st, 200, body)
		st, body = anon.json("POST", "/api/v1/register", map[string]string{"creditCode": otherCode, "name": "长春市另一科技有限公司",
			"password": password, "contactName": "李雷", "contactPhone": "13912345678", "captchaId": "x", "captcha": "x"})
		want("register", st, 201, body)
		st, body = anon.json("POST", "/api/v1/verify", map[string]any{"year": 2025, "region": "220102",
			"minimumWages": []map[string]any{{"region": "22", "from": "2024-01", "amount": 1880}},
			"person":       map[string]any{"idNumber": "220102198001010012"}, "dispatched": false,
			"certificates": []map[string]any{{"issued": "2019-05-10", "validUntil": "2029-05-10", "status": "有效", "source": "registry"}},
			"contracts":    []map[string]any{{"start": "2024-07-01", "end": nil}}, "wages": []map[string]any{{"month": "2025-01", "amount": 2100}},
			"socialInsurance": []string{"2025-01"}, "medicalInsurance": []string{"2025-01"}})
		want("verify", st, 200, body)
		st, body = anon.json("GET", "/api/v1/openapi.json", nil)
		want("document", st, 200, body)
		st, body = anon.json("GET", "/api/v1/employer", nil)
		want("anonymous profile", st, 401, body)

		// The employer: profile, dictionaries, files, affiliates, placements.
		st, body = emp.json("GET", "/api/v1/employer", nil)
		want("profile", st, 200, body)
		profile := fullProfile()
		profile["name"] = declName
		st, body = emp.json("PUT", "/api/v1/employer", map[string]any{"name": ""})
		want("bad profile", st, 422, body)
		st, body = emp.json("PUT", "/api/v1/employer", profile)
		want("save profile", st, 200, body)
		st, body = emp.json("GET", "/api/v1/offices?kind=tax", nil)
		want("tax offices", st, 200, body)
		st, body = emp.json("GET", "/api/v1/regions?parent=220000", nil)
		want("regions", st, 200, body)
		st, up := emp.upload("合同.pdf", []byte(samplePDF))
		want("upload", st, 201, fmt.Sprint(up))
		fileID := up["id"].(string)
		st, _, _ = emp.get("/api/v1/files/" + fileID)
		want("download", st, 200, "")
		st, body = emp.json("POST", "/api/v1/employer/affiliates", map[string]any{"creditCode": thirdCode, "name": "子公司",
			"kind": "subsidiary", "fileIds": []string{fileID}})
		want("affiliate", st, 201, body)
		affID := int64(decode[map[string]any](t, body)["id"].(float64))
		st, body = emp.json("PUT", fmt.Sprintf("/api/v1/employer/affiliates/%d", affID), map[string]any{"creditCode": thirdCode,
			"name": "子公司（改名）", "kind": "subsidiary", "fileIds": []string{fileID}})
		want("affiliate update", st, 200, body)
		st, body = emp.json("GET", "/api/v1/employer/affiliates", nil)
		want("affiliates", st, 200, body)
		st, body = emp.json("DELETE", fmt.Sprintf("/api/v1/employer/affiliates/%d", affID), nil)
		want("affiliate delete", st, 204, body)
		st, body = emp.json("GET", "/api/v1/employer/affiliate-requests", nil)
		want("affiliate requests", st, 200, body)
		st, body = emp.json("GET", "/api/v1/registry/persons/22010219880712035X", nil)
		want("registry", st, 200, body)
		person := map[string]any{"idNumber": "22010219880712035X", "name": "刘喆", "category": 4, "level": 3,
			"contracts": []map[string]any{{"start": "2023-03-01", "end": nil, "fileIds": []string{fileID}}}}
		st, body = emp.json("POST", "/api/v1/years/2025/placements", person)
		want("placement", st, 201, body)
		pid := int64(decode[map[string]any](t, body)["id"].(float64))
		st, body = emp.json("POST", "/api/v1/years/2025/placements", map[string]any{"idNumber": "123"})
		want("bad placement", st, 422, body)
		st, body = emp.json("PUT", fmt.Sprintf("/api/v1/placements/%d", pid), person)
		want("placement update", st, 200, body)
		st, body = emp.json("GET", fmt.Sprintf("/api/v1/placements/%d", pid), nil)
		want("placement", st, 200, body)
		grid := decode[struct {
			Months []struct {
				Month  string
				Passed bool
			}
		}](t, body)
		var selected []string
		for _, m := range grid.Months {
			if m.Passed {
				selected = append(selected, m.Month)
			}
		}
		st, body = emp.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", pid), map[string]any{"selected": selected})
		want("months", st, 200, body)
		st, body = emp.json("GET", "/api/v1/years/2025/placements", nil)
		want("list", st, 200, body)
		st, body = emp.json("GET", "/api/v1/placements/999999", nil)
		want("unknown placement", st, 404, body)
		for _, path := range []string{"/api/v1/years/2025/placements.xlsx", "/api/v1/years/2025/placements/template.xlsx"} {
			st, _, _ := emp.get(path)
			want(path, st, 200, "")
		}
		st, body = emp.json("POST", "/api/v1/years/2025/placements/copy", map[string]any{"fromYear": 2024})
		want("copy", st, 200, body)
		second := map[string]any{"idNumber": "220102198603270620", "name": "吴秀兰", "category": 4, "level": 3,
			"contracts": []map[string]any{{"start": "2022-01-01", "end": "2026-12-31", "fileIds": []string{fileID}}}}
		st, body = emp.json("POST", "/api/v1/years/2025/placements", second)
		want("second placement", st, 201, body)
		third := int64(decode[map[string]any](t, body)["id"].(float64))
		st, body = emp.json("DELETE", fmt.Sprintf("/api/v1/placements/%d", third), nil)
		want("delete", st, 204, body)
		st, body = emp.json("GET", "/api/v1/reviews", nil)
		want("employer queue", st, 403, body)

		// The declaration: state, submission, letter, reopen request.
		st, body = emp.json("GET", "/api/v1/years/2025/declaration", nil)
		want("declaration", st, 200, body)
		st, body = emp.json("POST", "/api/v1/years/2025/declaration/submit", map[string]any{"pledgeAccepted": true})
		want("submit", st, 200, body)
		if st, _, h := emp.get("/api/v1/years/2025/declaration/letter.pdf"); letterCheck(t, st, h) {
			want("letter", st, 200, "")
		}

		// Staff: the queue, the results (session and bearer, both modes), notices, the year.
		st, body = prov.json("GET", "/api/v1/reviews?status=pending", nil)
		want("queue", st, 200, body)
		st, body = prov.json("GET", "/api/v1/years/2025/results", nil)
		want("results", st, 200, body)
		st, body = prov.json("GET", "/api/v1/years/2025/results?after=0&pageSize=1", nil)
		want("results feed", st, 200, body)
		st, body = prov.json("GET", "/api/v1/years/2025/results?since=yesterday", nil)
		want("bad since", st, 422, body)
		_, token, err := clients.Register(ctx, actor.System("test"), apiclient.Input{Name: "省税务局"})
		if err != nil {
			t.Fatal(err)
		}
		req := anon.request("GET", "/api/v1/years/2025/results?since="+url.QueryEscape("2026-01-01T00:00:00+08:00"), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		st, body, _ = anon.do(req)
		want("results by bearer", st, 200, body)
		req = anon.request("GET", "/api/v1/years/2025/results", nil)
		req.Header.Set("Authorization", "Bearer qct_nonsense")
		st, body, _ = anon.do(req)
		want("bad bearer", st, 401, body)
		req = anon.request("GET", "/api/v1/years/2025/results?after=0", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "text/csv")
		st, body, _ = anon.do(req)
		want("results CSV by bearer", st, 200, body)
		st, body = prov.json("POST", "/api/v1/notices", map[string]any{"title": "申报通知", "body": "请于 **10 月 31 日** 前完成申报。"})
		want("notice", st, 201, body)
		nid := int64(decode[map[string]any](t, body)["id"].(float64))
		st, body = emp.json("GET", "/api/v1/notices?q=申报", nil)
		want("notices", st, 200, body)
		st, body = emp.json("GET", fmt.Sprintf("/api/v1/notices/%d", nid), nil)
		want("notice", st, 200, body)
		st, body = prov.json("PUT", "/api/v1/years/2025", map[string]any{"windowOpen": "2026-03-01", "windowClose": "2026-12-31"})
		want("year", st, 200, body)
		st, body = emp.json("POST", "/api/v1/years/2025/declaration/reopen", map[string]any{"reason": "漏报人员"})
		want("reopen", st, 200, body)
		st, body = prov.json("GET", "/api/v1/reviews?kind=reopen", nil)
		want("reopen queue", st, 200, body)
		item := decode[struct{ Items []struct{ ID int64 } }](t, body).Items[0].ID
		st, body = prov.json("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", item), map[string]any{"approve": true})
		want("decision", st, 200, body)
		st, body = prov.json("POST", fmt.Sprintf("/api/v1/placements/%d/return", pid), map[string]any{"reason": "劳动合同不清晰"})
		want("return", st, 200, body)
		st, body = emp.json("POST", fmt.Sprintf("/api/v1/placements/%d/reregister", pid), nil)
		want("reregister", st, 200, body)
		st, body = emp.json("POST", "/api/v1/logout", nil)
		want("logout", st, 204, body)

		v.mu.Lock()
		defer v.mu.Unlock()
		for _, e := range v.errs {
			t.Error(e)
		}
		var missed []string
		for path, item := range v.doc.Paths.Map() {
			for method := range item.Operations() {
				if v.answered[method+" "+path] == nil {
					missed = append(missed, method+" "+path)
				}
			}
		}
		slices.Sort(missed)
		// Not walked here, each tested in its own file: the Excel import (placement_import tests), the
		// objection to an affiliate request (affiliate_review_test.go).
		if !slices.Equal(missed, []string{"POST /employer/affiliate-requests/{id}/objection", "POST /years/{year}/placements/import"}) {
			t.Errorf("operations not exercised: %v", missed)
		}
		t.Logf("%d operations exercised, answers validated against the document", len(v.answered))
	})
}
