package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/attachment"
	"quotacert/internal/blob"
	"quotacert/internal/declaration"
	"quotacert/internal/employer"
	"quotacert/internal/exchange"
	"quotacert/internal/pii"
	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/report"
	"quotacert/internal/review"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
	"quotacert/internal/web"
)

const declName = "长春市喆堃示例科技有限公司"

// declSite is a site with the review and declaration services, the demo registry imported and the
// clock inside the 2025 declaration window; it returns the placement service for seeding.
func declSite(t *testing.T, db *store.DB, clock *storetest.Clock) (*site, *placement.Service) {
	t.Helper()
	return declSiteWith(t, db, clock, nil, nil)
}

// declSiteWith is declSite with the pages' dependencies adjusted by edit before the site starts (no
// base URL, no fonts, more services: edit then also has the exchange and placements), and the
// handler wrapped (wrap, when set: the OpenAPI test validates every answer). Letters are signed
// with a self-signed pair made for the test.
func declSiteWith(t *testing.T, db *store.DB, clock *storetest.Clock, edit func(*web.Deps), wrap func(http.Handler) http.Handler) (*site, *placement.Service) {
	t.Helper()
	ctx := context.Background()
	cfg := account.DefaultConfig()
	cfg.Secrets = testSecrets(t)
	cfg.StaffMFARequired = false
	cfg.CaptchaRequired = false
	cfg.Argon2 = account.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
	acc, err := account.NewService(cfg, store.AccountRunner(db), db.IsUniqueViolation)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Register(ctx, account.RegisterInput{CreditCode: empCode, Name: declName, ContactName: "王芳",
		ContactPhone: "13812345678", Password: password, Password2: password, ClientAddr: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	for user, office := range map[string]string{"province": "220000", "jilincity": "220200"} {
		if _, err := acc.CreateStaff(ctx, actor.System("test"), account.StaffInput{Username: user, Password: password,
			Role: actor.Reviewer, Office: office}); err != nil {
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
	pl := placement.NewService(store.PlacementRunner(db), ex, prot, clock.Now)
	blobs, err := blob.SealedFiles(filepath.Join(t.TempDir(), "files"), testBlobKey)
	if err != nil {
		t.Fatal(err)
	}
	var letters web.LetterRenderer
	if fonts, err := report.LoadFonts(report.DefaultFontPaths); err == nil {
		letters = fonts
	} else if storetest.Required() {
		t.Fatalf("letter fonts: %v", err)
	}
	sc, _, err := report.EnsureSelfSigned(t.TempDir(), "测试 吉林省残疾人联合会", clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	signer, err := report.LoadSigner(sc)
	if err != nil {
		t.Fatal(err)
	}
	cookies := &web.SessionCookies{Accounts: acc}
	deps := web.Deps{DB: db, Accounts: acc, Sessions: cookies, Cookies: cookies, Now: clock.Now,
		Employers: employer.NewService(store.EmployerRunner(db)),
		Files:     attachment.NewService(store.AttachmentRunner(db), blob.Attachments(blobs)),
		Reviews:   review.NewService(store.ReviewRunner(db), pl, clock.Now),
		Declarations: declaration.NewService(store.DeclarationRunner(db), ex, prot, clock.Now).
			WithDocuments(blob.Attachments(blobs)),
		Letters: letters, LetterSigner: signer, PublicURL: "https://quotacert.example"}
	if edit != nil {
		deps.Exchange, deps.Placements = ex, pl
		edit(&deps)
	}
	s, err := web.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = s.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &site{t: t, db: db, srv: srv}, pl
}

func employerActor(t *testing.T, db *store.DB) actor.Actor {
	t.Helper()
	a := actor.Actor{Name: empCode, Role: actor.Employer}
	if err := db.SQL().QueryRow(`SELECT u.id, u.employer_id FROM users u WHERE u.username = $1`, empCode).Scan(&a.UserID, &a.EmployerID); err != nil {
		t.Fatal(err)
	}
	return a
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
	return v
}

type declJSON struct {
	Status    string
	CanSubmit bool
	Blockers  []string
	Pledge    struct{ Version, Text string }
	Letter    *struct{ Number, VerifyCode string }
}

// TestHTTPDeclarationAndReview drives the year through the HTTP surface on both databases: the
// reviewer's queue, item page and decisions (with jurisdiction), the employer's two-step
// submission and double submit, the letter PDF, the public verification page, the tax export in
// JSON, CSV and Excel, and the reopen request approved.
func TestHTTPDeclarationAndReview(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s, pl := declSite(t, db, clock)
		ctx := context.Background()
		emp := s.login("creditCode", empCode)
		prov := s.login("username", "province")
		other := s.login("username", "jilincity")
		anon := s.login("", "")

		profile := fullProfile()
		profile["name"] = declName
		if st, body := emp.json("PUT", "/api/v1/employer", profile); st != 200 {
			t.Fatalf("profile: %d %s", st, body)
		}
		st, body := emp.json("GET", "/api/v1/years/2025/declaration", nil)
		d := decode[declJSON](t, body)
		if st != 200 || d.Status != "open" || d.CanSubmit || len(d.Blockers) != 1 || !strings.Contains(d.Blockers[0], "尚未登记") ||
			d.Pledge.Version != refdata.PledgeVersion || d.Letter != nil {
			t.Fatalf("empty declaration: %d %s", st, body)
		}
		if st, _ := prov.json("GET", "/api/v1/years/2025/declaration", nil); st != http.StatusForbidden {
			t.Fatalf("staff reads a declaration: %d", st)
		}

		// Seed: 刘喆 passes every month; 吴秀兰 claims February with a wage slip.
		ea := employerActor(t, db)
		st, up := emp.upload("工资条.pdf", []byte(samplePDF))
		if st != 201 {
			t.Fatalf("upload: %d", st)
		}
		fileID := up["id"].(string)
		a, err := pl.Create(ctx, ea, 2025, placement.Input{IDNumber: "22010219880712035X", Name: "刘喆", Category: 4, Level: 3,
			Contracts: []placement.ContractInput{{Start: "2023-03-01", FileIDs: []string{fileID}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pl.SaveMonths(ctx, ea, a, placement.SaveInput{}); err != nil {
			t.Fatal(err)
		}
		b, err := pl.Create(ctx, ea, 2025, placement.Input{IDNumber: "220102198603270620", Name: "吴秀兰", Category: 4, Level: 3,
			Contracts: []placement.ContractInput{{Start: "2022-01-01", End: "2026-12-31", FileIDs: []string{fileID}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pl.SaveMonths(ctx, ea, b, placement.SaveInput{Months: []placement.MonthInput{{Month: "2025-02", FileIDs: []string{fileID}}}}); err != nil {
			t.Fatal(err)
		}

		// The queue: the province reviewer sees the claim, the 吉林市 reviewer nothing.
		st, body = prov.json("GET", "/api/v1/reviews?status=pending", nil)
		q := decode[struct {
			Items []struct {
				ID          int64
				Kind        string
				Employer    struct{ CreditCode, Name string }
				PlacementID int64
				Month       string
				CreatedAt   time.Time
			}
		}](t, body)
		if st != 200 || len(q.Items) != 1 || q.Items[0].Kind != "claim" || q.Items[0].Employer.CreditCode != empCode ||
			q.Items[0].PlacementID != b || q.Items[0].Month != "2025-02" || q.Items[0].CreatedAt.IsZero() {
			t.Fatalf("queue: %d %s", st, body)
		}
		item := q.Items[0].ID
		if st, body := other.json("GET", "/api/v1/reviews", nil); st != 200 || !strings.Contains(body, `"items":[]`) {
			t.Fatalf("other city's queue: %d %s", st, body)
		}
		if st, _ := other.json("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", item), map[string]any{"approve": true}); st != http.StatusNotFound {
			t.Fatalf("other city's decision: %d", st)
		}
		if st, _, _ := other.get(fmt.Sprintf("/review/items/%d", item)); st != http.StatusNotFound {
			t.Fatalf("other city's item page: %d", st)
		}
		if st, _ := emp.json("GET", "/api/v1/reviews", nil); st != http.StatusForbidden {
			t.Fatalf("employer queue: %d", st)
		}

		// The pages: queue with dashboard, item with the failed check, the evidence and the grid.
		st, page, _ := prov.get("/review?kind=claim&district=2201")
		if st != 200 || !strings.Contains(page, "吴秀兰") || !strings.Contains(page, "按行政区统计") {
			t.Fatalf("queue page: %d", st)
		}
		if st, page, _ := prov.get("/review?age=x"); st != http.StatusUnprocessableEntity || !strings.Contains(page, `aria-invalid="true"`) {
			t.Fatalf("bad filter: %d", st)
		}
		st, page, _ = prov.get(fmt.Sprintf("/review/items/%d", item))
		if st != 200 || !strings.Contains(page, "未通过的核验") || !strings.Contains(page, "工资") || !strings.Contains(page, "/api/v1/files/"+fileID) ||
			!strings.Contains(page, "逐月核验情况") || !strings.Contains(page, `<th scope="col">社保参保状态</th>`) {
			t.Fatalf("item page: %d", st)
		}
		path := fmt.Sprintf("/review/items/%d/decision", item)
		st, page, _ = prov.postForm(path, url.Values{"decision": {"reject"}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(page, `id="comment-error"`) || !strings.Contains(page, `aria-invalid="true"`) {
			t.Fatalf("reject without comment: %d", st)
		}
		if st, _, h := prov.postForm(path, url.Values{"decision": {"approve"}}); st != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=review-decided") {
			t.Fatalf("approve: %d", st)
		}
		if st, _ := prov.json("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", item), map[string]any{"approve": false, "comment": "改判"}); st != http.StatusConflict {
			t.Fatalf("opposite decision: %d", st)
		}

		// Two-step submission without JavaScript, then a double submit through the API.
		st, page, _ = emp.get("/declaration?year=2025&averageWage=80000")
		if st != 200 || !strings.Contains(page, "承诺书") || !strings.Contains(page, "预计应缴") || !strings.Contains(page, "税务部门核定") {
			t.Fatalf("declaration page: %d", st)
		}
		if st, page, _ := emp.postForm("/declaration/pledge", url.Values{"year": {"2025"}}); st != http.StatusUnprocessableEntity || !strings.Contains(page, "pledge-error") {
			t.Fatalf("pledge not confirmed: %d", st)
		}
		if st, page, _ := emp.postForm("/declaration/pledge", url.Values{"year": {"2025"}, "pledgeAccepted": {"1"}}); st != 200 || !strings.Contains(page, "确定") {
			t.Fatalf("confirmation step: %d", st)
		}
		if st, _, h := emp.postForm("/declaration/submit", url.Values{"year": {"2025"}, "pledgeAccepted": {"1"}}); st != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "declaration-submitted") {
			t.Fatalf("submit: %d", st)
		}
		st, body = emp.json("POST", "/api/v1/years/2025/declaration/submit", map[string]any{"pledgeAccepted": true})
		d = decode[declJSON](t, body)
		if st != 200 || d.Status != "submitted" || d.Letter == nil || !strings.HasPrefix(d.Letter.Number, "JL2025-") {
			t.Fatalf("double submit: %d %s", st, body)
		}
		var letters int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM letters`).Scan(&letters); err != nil {
			t.Fatal(err)
		}
		if letters != 1 {
			t.Fatalf("%d letters", letters)
		}

		// The letter PDF with the Chinese name and the figures (22 months, 1.83 persons).
		req, err := http.NewRequest("GET", s.srv.URL+"/api/v1/years/2025/declaration/letter.pdf", nil)
		if err != nil {
			t.Fatal(err)
		}
		st, pdf, h := emp.do(req)
		if letterCheck(t, st, h) {
			text := pdfText(t, []byte(pdf))
			for _, want := range []string{declName, empCode, "22个月", "1.83人", d.Letter.Number, d.Letter.VerifyCode, "长春市南关区残疾人联合会"} {
				if !strings.Contains(text, want) {
					t.Errorf("letter lacks %q:\n%s", want, text)
				}
			}
		}

		// Public verification: no login, no personal data.
		st, page, _ = anon.get("/verify/" + d.Letter.VerifyCode)
		if st != 200 || !strings.Contains(page, declName) || !strings.Contains(page, "1.83") || !strings.Contains(page, "该确认书有效") ||
			strings.Contains(page, "吴秀兰") || strings.Contains(page, "刘喆") || regexp.MustCompile(`\d{6}(19|20)\d{9}`).MatchString(page) {
			t.Fatalf("verify page: %d\n%s", st, page)
		}
		if st, _, _ := anon.get("/verify/nonexistentcode"); st != http.StatusNotFound {
			t.Fatalf("unknown code: %d", st)
		}

		// The tax export: JSON, CSV, Excel; staff only.
		st, body = prov.json("GET", "/api/v1/years/2025/results", nil)
		if st != 200 || body != fmt.Sprintf(`{"items":[{"creditCode":"%s","name":"%s","taxOffice":"12201020000","persons":2,"countedMonths":22,"equivalentPersons":1.83,"letterNumber":"%s","status":"valid"}],"next":null,"page":1,"pageSize":50,"total":1}`+"\n",
			empCode, declName, d.Letter.Number) {
			t.Fatalf("results: %d %s", st, body)
		}
		req, err = http.NewRequest("GET", s.srv.URL+"/api/v1/years/2025/results", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", "text/csv")
		st, csvBody, h := prov.do(req)
		wantCSV := "creditCode,name,taxOffice,persons,countedMonths,equivalentPersons,letterNumber,status\n" +
			fmt.Sprintf("%s,%s,12201020000,2,22,1.83,%s,valid\n", empCode, declName, d.Letter.Number)
		if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || csvBody != wantCSV {
			t.Fatalf("csv: %d %q", st, csvBody)
		}
		if st, _ := emp.json("GET", "/api/v1/years/2025/results", nil); st != http.StatusForbidden {
			t.Fatalf("employer export: %d", st)
		}
		if st, x, h := prov.get("/review/results.xlsx?year=2025"); st != 200 || !strings.HasPrefix(x, "PK") || !strings.Contains(h.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("xlsx: %d", st)
		}

		// 年审认证反馈: reason required; approved → open, letter cancelled everywhere.
		if st, _ := emp.json("POST", "/api/v1/years/2025/declaration/reopen", map[string]string{"reason": ""}); st != http.StatusUnprocessableEntity {
			t.Fatalf("reopen without reason: %d", st)
		}
		st, body = emp.json("POST", "/api/v1/years/2025/declaration/reopen", map[string]string{"reason": "漏报人员"})
		if d2 := decode[declJSON](t, body); st != 200 || d2.Status != "reopen-requested" {
			t.Fatalf("reopen: %d %s", st, body)
		}
		_, body = prov.json("GET", "/api/v1/reviews?kind=reopen", nil)
		rq := decode[struct{ Items []struct{ ID int64 } }](t, body)
		if len(rq.Items) != 1 {
			t.Fatalf("reopen queue: %s", body)
		}
		if st, body := prov.json("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", rq.Items[0].ID), map[string]any{"approve": true}); st != 200 {
			t.Fatalf("approve reopen: %d %s", st, body)
		}
		if st, page, _ := anon.get("/verify/" + d.Letter.VerifyCode); st != 200 || !strings.Contains(page, "已作废") {
			t.Fatalf("cancelled verify: %d", st)
		}
		if _, body := prov.json("GET", "/api/v1/years/2025/results", nil); !strings.Contains(body, `"status":"cancelled"`) {
			t.Fatalf("results after cancel: %s", body)
		}
		if st, body := emp.json("GET", "/api/v1/years/2025/declaration", nil); st != 200 || !strings.Contains(body, `"status":"open"`) || !strings.Contains(body, `"letter":null`) {
			t.Fatalf("declaration after reopen: %s", body)
		}
		if st, _, _ := emp.get("/api/v1/years/2025/declaration/letter.pdf"); st != http.StatusNotFound {
			t.Fatalf("letter after cancel: %d", st)
		}
	})
}

// letterCheck reports whether the letter can be inspected (fonts present) after checking the answer.
func letterCheck(t *testing.T, st int, h http.Header) bool {
	t.Helper()
	if _, err := report.LoadFonts(report.DefaultFontPaths); err != nil {
		t.Logf("letter fonts not installed: %v", err)
		return false
	}
	if st != 200 || h.Get("Content-Type") != "application/pdf" {
		t.Fatalf("letter.pdf: %d %s", st, h.Get("Content-Type"))
	}
	return true
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if storetest.Required() {
			t.Fatal("pdftotext (poppler-utils) is required here")
		}
		t.Skip("pdftotext not installed")
	}
	in := filepath.Join(t.TempDir(), "l.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), "")
}
