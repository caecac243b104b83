package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/attachment"
	"quotacert/internal/blob"
	"quotacert/internal/employer"
	"quotacert/internal/exchange"
	"quotacert/internal/idnum"
	"quotacert/internal/overview"
	"quotacert/internal/pii"
	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/review"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
	"quotacert/internal/web"
)

const (
	p01 = "22010219880712035X" // in the registry, every month passes
	p06 = "220102198603270620" // in the registry, wage below the minimum in Feb, Mar and Aug
	pNo = "220102199003070013" // not in the registry
)

// placementSite is newSite with the placement service and the demo registry imported: the
// employers and staff of newSite, a clock in the declaration window of 2025.
func placementSite(t testing.TB, db *store.DB, clock *storetest.Clock) *site {
	s, _ := newPlacementSite(t, db, clock)
	return s
}

// newPlacementSite is placementSite that also hands back the placement service (to generate data);
// with limits, the service counts disclosures with them (benchmarks open more persons than a clerk).
func newPlacementSite(t testing.TB, db *store.DB, clock *storetest.Clock, limits ...placement.DisclosureLimits) (*site, *placement.Service) {
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
	for _, code := range []string{empCode, otherCode} {
		if _, err := acc.Register(ctx, account.RegisterInput{CreditCode: code, Name: "单位" + code[:4], ContactName: "王芳",
			ContactPhone: "13812345678", Password: password, Password2: password, ClientAddr: "127.0.0.1"}); err != nil {
			t.Fatalf("register %s: %v", code, err)
		}
	}
	for user, office := range map[string]string{"province": "220000", "jilincity": "220200"} {
		if _, err := acc.CreateStaff(ctx, actor.System("test"), account.StaffInput{Username: user, Password: password,
			Role: actor.Reviewer, Office: office}); err != nil {
			t.Fatalf("create staff: %v", err)
		}
	}
	prot, err := pii.New(bytes.Repeat([]byte{7}, pii.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	ex := exchange.NewService(store.ExchangeRunner(db), prot)
	for _, kind := range []exchange.Kind{exchange.Certificates, exchange.Wages, exchange.Social, exchange.Medical} {
		if _, err := ex.ImportFile(ctx, actor.System("test"), kind, "../demo/data/"+string(kind)+".csv", exchange.Options{}); err != nil {
			t.Fatalf("import %s: %v", kind, err)
		}
	}
	dir := filepath.Join(t.TempDir(), "files")
	blobs, err := blob.SealedFiles(dir, testBlobKey)
	if err != nil {
		t.Fatal(err)
	}
	cookies := &web.SessionCookies{Accounts: acc}
	pl := placement.NewService(store.PlacementRunner(db), ex, prot, clock.Now)
	for _, l := range limits {
		pl = pl.WithDisclosureLimits(l)
	}
	s, err := web.New(web.Deps{DB: db, Accounts: acc, Sessions: cookies, Cookies: cookies, Now: clock.Now,
		Employers:  employer.NewService(store.EmployerRunner(db)),
		Files:      attachment.NewService(store.AttachmentRunner(db), blob.Attachments(blobs)),
		Placements: pl,
		Reviews:    review.NewService(store.ReviewRunner(db), pl, clock.Now),
		Overview:   overview.NewService(store.OverviewRunner(db))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &site{t: t, db: db, srv: srv, files: dir}, pl
}

func eachPlacement(t *testing.T, fn func(t *testing.T, s *site)) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		fn(t, placementSite(t, db, clock))
	})
}

// ready logs the employer in with a complete profile.
func (s *site) ready(code string) *client {
	s.t.Helper()
	c := s.login("creditCode", code)
	if status, body := c.json("PUT", "/api/v1/employer", fullProfile()); status != 200 {
		s.t.Fatalf("profile: %d %s", status, body)
	}
	return c
}

func (c *client) fileID(name string) string {
	c.s.t.Helper()
	status, m := c.upload(name, []byte(samplePDF))
	if status != 201 {
		c.s.t.Fatalf("upload: %d %v", status, m)
	}
	return m["id"].(string)
}

type apiErr struct {
	Error struct {
		Code, Message string
		Fields        map[string]string
	}
}

func personBody(id, name, file string) map[string]any {
	return map[string]any{"idNumber": id, "name": name, "category": 4, "level": 3, "dispatched": false,
		"contracts": []map[string]any{{"start": "2022-01-01", "end": nil, "fileIds": []string{file}}}}
}

func submitYear(t *testing.T, db *store.DB, code string, year int) {
	t.Helper()
	if _, err := db.SQL().Exec(`INSERT INTO declarations (employer_id, year, status)
        SELECT id, $2, 'submitted' FROM employers WHERE credit_code = $1
        ON CONFLICT (employer_id, year) DO UPDATE SET status = 'submitted'`, code, year); err != nil {
		t.Fatal(err)
	}
}

func TestPlacementAPI(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.login("creditCode", empCode)
		// An incomplete profile is sent to complete it first.
		if status, body := c.json("GET", "/api/v1/years/2025/placements", nil); status != 409 || !strings.Contains(body, "请先完善单位信息") {
			t.Fatalf("incomplete profile: %d %s", status, body)
		}
		c = s.ready(empCode)
		file := c.fileID("合同.pdf")

		// Registry look-up: found, unknown (404), invalid (422 beside idNumber).
		status, body := c.json("GET", "/api/v1/registry/persons/"+p01, nil)
		reg := decode[struct {
			Person       map[string]string
			Certificates []map[string]any
		}](t, body)
		if status != 200 || reg.Person["name"] != "刘喆" || reg.Person["gender"] != "男" || reg.Person["birthDate"] != "1988-07-12" ||
			len(reg.Certificates) != 1 || reg.Certificates[0]["number"] != p01+"43" || reg.Certificates[0]["validUntil"] != "2029-03-17" {
			t.Fatalf("registry: %d %s", status, body)
		}
		if status, _ := c.json("GET", "/api/v1/registry/persons/"+pNo, nil); status != 404 {
			t.Errorf("unknown person: %d", status)
		}
		status, body = c.json("GET", "/api/v1/registry/persons/530102192005080119", nil)
		if e := decode[apiErr](t, body); status != 422 || e.Error.Fields["idNumber"] == "" {
			t.Errorf("invalid id: %d %s", status, body)
		}

		// Create: 422 with fields; 201; duplicate 409.
		status, body = c.json("POST", "/api/v1/years/2025/placements", map[string]any{"idNumber": p01, "contracts": []any{}})
		e := decode[apiErr](t, body)
		for _, f := range []string{"name", "category", "level", "contracts"} {
			if e.Error.Fields[f] == "" {
				t.Errorf("missing %s not reported: %s", f, body)
			}
		}
		if status != 422 || e.Error.Code != "invalid" {
			t.Fatalf("invalid create: %d %s", status, body)
		}
		status, body = c.json("POST", "/api/v1/years/2025/placements", personBody(p01, "刘喆", file))
		if status != 201 {
			t.Fatalf("create: %d %s", status, body)
		}
		id := int64(decode[map[string]any](t, body)["id"].(float64))
		if status, _ := c.json("POST", "/api/v1/years/2025/placements", personBody(p01, "刘喆", file)); status != 409 {
			t.Errorf("duplicate: %d", status)
		}
		if status, _ := c.json("POST", "/api/v1/years/1999/placements", personBody(p06, "吴秀兰", file)); status != 404 {
			t.Errorf("unknown year: %d", status)
		}

		// Get: months with checks, selection, lock; the owner, staff of the jurisdiction; 404 for others.
		status, body = c.json("GET", fmt.Sprintf("/api/v1/placements/%d", id), nil)
		pl := decode[struct {
			Status, IDNumber string
			Months           []struct {
				Month                    string
				Checks                   map[string]bool
				Passed, Selected, Locked bool
				Claim                    *map[string]any
			}
		}](t, body)
		if status != 200 || pl.Status != "draft" || pl.IDNumber != p01 || len(pl.Months) != 12 || pl.Months[0].Month != "2025-01" ||
			len(pl.Months[0].Checks) != 6 || !pl.Months[0].Passed || !pl.Months[0].Selected || !pl.Months[0].Locked || pl.Months[0].Claim != nil {
			t.Fatalf("get: %d %s", status, body)
		}
		other := s.ready(otherCode)
		for who, cl := range map[string]*client{"other employer": other, "other city's reviewer": s.login("username", "jilincity")} {
			if status, _ := cl.json("GET", fmt.Sprintf("/api/v1/placements/%d", id), nil); status != 404 {
				t.Errorf("%s: %d, want 404", who, status)
			}
		}
		if status, _ := s.login("username", "province").json("GET", fmt.Sprintf("/api/v1/placements/%d", id), nil); status != 200 {
			t.Errorf("province reviewer: %d", status)
		}
		for _, req := range []struct{ method, path string }{{"PUT", "/months"}, {"DELETE", ""}, {"POST", "/reregister"}} {
			if status, _ := other.json(req.method, fmt.Sprintf("/api/v1/placements/%d%s", id, req.path), map[string]any{}); status != 404 {
				t.Errorf("other employer %s %s: %d, want 404", req.method, req.path, status)
			}
		}

		// Save months twice (double submit): confirmed, the same state.
		for i := 0; i < 2; i++ {
			status, body = c.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", id), map[string]any{"selected": []string{}, "claims": []any{}})
			if status != 200 || !strings.Contains(body, `"status":"confirmed"`) {
				t.Fatalf("save %d: %d %s", i, status, body)
			}
		}

		// A failed month: claimed without evidence 422, with evidence pending.
		status, body = c.json("POST", "/api/v1/years/2025/placements", personBody(p06, "吴秀兰", file))
		if status != 201 {
			t.Fatalf("create p06: %d %s", status, body)
		}
		id6 := int64(decode[map[string]any](t, body)["id"].(float64))
		status, body = c.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", id6), map[string]any{"selected": []string{"2025-02"}})
		if e := decode[apiErr](t, body); status != 422 || e.Error.Fields["months.2025-02"] == "" {
			t.Errorf("claim without evidence: %d %s", status, body)
		}
		if status, body := c.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", id6), map[string]any{"selected": []string{"2025-13"}}); status != 422 {
			t.Errorf("bad month: %d %s", status, body)
		}
		evidence := c.fileID("工资条.pdf")
		status, body = c.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", id6), map[string]any{
			"claims": []map[string]any{{"month": "2025-02", "fileIds": []string{evidence}, "note": "补发工资"}}})
		if status != 200 || !strings.Contains(body, `"status":"pending"`) {
			t.Fatalf("claim: %d %s", status, body)
		}
		_, body = c.json("GET", fmt.Sprintf("/api/v1/placements/%d", id6), nil)
		if !strings.Contains(body, `"claim":{"status":"pending","fileIds":["`+evidence+`"]`) {
			t.Errorf("claim not shown: %s", body)
		}

		// The list: summary and items with masked ID numbers only.
		status, body = c.json("GET", "/api/v1/years/2025/placements", nil)
		if status != 200 || !strings.Contains(body, `"summary":{`) || !strings.Contains(body, `"persons":2`) || !strings.Contains(body, `"confirmed":1`) ||
			!strings.Contains(body, `"pending":1`) || !strings.Contains(body, `"countedMonths":12`) || !strings.Contains(body, `"equivalentPersons":1.00`) ||
			!strings.Contains(body, `"idNumberMasked":"220102********035X"`) || strings.Contains(body, p01) {
			t.Errorf("list: %d %s", status, body)
		}

		// Re-register: back to draft, twice harmless.
		for i := 0; i < 2; i++ {
			if status, body := c.json("POST", fmt.Sprintf("/api/v1/placements/%d/reregister", id), nil); status != 200 || !strings.Contains(body, `"draft"`) {
				t.Fatalf("reregister %d: %d %s", i, status, body)
			}
		}
		// Update a draft; the ID number is fixed.
		upd := personBody(p01, "刘喆", file)
		upd["level"] = 2
		if status, body := c.json("PUT", fmt.Sprintf("/api/v1/placements/%d", id), upd); status != 200 {
			t.Errorf("update: %d %s", status, body)
		}
		upd["idNumber"] = p06
		if status, body := c.json("PUT", fmt.Sprintf("/api/v1/placements/%d", id), upd); status != 422 || !strings.Contains(body, `"idNumber"`) {
			t.Errorf("update id number: %d %s", status, body)
		}

		// After 完成申报 nothing changes: 409 on every change.
		submitYear(t, s.db, empCode, 2025)
		for _, req := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/api/v1/years/2025/placements", personBody(pNo, "张三", file)},
			{"PUT", fmt.Sprintf("/api/v1/placements/%d/months", id), map[string]any{}},
			{"DELETE", fmt.Sprintf("/api/v1/placements/%d", id), nil},
			{"POST", fmt.Sprintf("/api/v1/placements/%d/reregister", id6), nil},
		} {
			if status, body := c.json(req.method, req.path, req.body); status != 409 {
				t.Errorf("%s %s after submission: %d %s", req.method, req.path, status, body)
			}
		}
		s.exec(`DELETE FROM declarations`)
		if status, _ := c.json("DELETE", fmt.Sprintf("/api/v1/placements/%d", id), nil); status != 204 {
			t.Errorf("delete: %d", status)
		}
		if status, _ := c.json("GET", fmt.Sprintf("/api/v1/placements/%d", id), nil); status != 404 {
			t.Errorf("deleted placement: %d", status)
		}
		// The registry look-ups were audited, with masked numbers only.
		var n, leaks int
		s.scan(`SELECT COUNT(*) FROM audit_log WHERE action = 'registry.lookup'`, &n)
		s.scan(`SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%19880712%' OR object_id LIKE '%19880712%'`, &leaks)
		if n != 2 || leaks != 0 {
			t.Errorf("registry audits %d, unmasked %d", n, leaks)
		}
	})
}

// form posts a multipart form with text fields and files (field name → file name).
func (c *client) form(path string, fields url.Values, files map[string]string) (int, string, http.Header) {
	c.s.t.Helper()
	var parts []web.FormFile
	for field, name := range files {
		parts = append(parts, web.FormFile{Field: field, Name: name, Content: []byte(samplePDF)})
	}
	body, typ := web.MultipartBody(c.s.t, fields, parts...)
	req := c.request("POST", path, body)
	req.Header.Set("Content-Type", typ)
	return c.do(req)
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

var placementLoc = regexp.MustCompile(`^/placements/(\d+)\?done=`)

func TestPlacementPages(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.login("creditCode", empCode)
		status, _, h := c.get("/placements")
		if status != 303 || h.Get("Location") != "/employer?done=profile-incomplete" {
			t.Fatalf("incomplete profile: %d %s", status, h.Get("Location"))
		}
		c = s.ready(empCode)
		status, body, _ := c.get("/placements")
		mustContain(t, "list", body, "2025年度安置情况", `aria-current="page">2025年度`, "添加残疾人", "本年度尚未登记安置人员")
		if status != 200 {
			t.Fatalf("list: %d", status)
		}
		if status, _, _ := c.get("/placements?year=1999"); status != 404 {
			t.Errorf("unknown year: %d", status)
		}
		status, body, _ = c.get("/placements/new?year=2025")
		mustContain(t, "new form", body, `<label for="idNumber">身份证号 <span class="req" aria-hidden="true">*</span>`, `value="lookup"`,
			`name="contracts[0].file"`, "保存，下一步", `id="female-group" hidden`)
		if status != 200 {
			t.Fatalf("new: %d", status)
		}

		// 查询 without script: the form comes back filled from the registry; nothing is saved.
		status, body, _ = c.form("/placements", url.Values{"year": {"2025"}, "idNumber": {strings.ToLower(p01)}, "action": {"lookup"}}, nil)
		mustContain(t, "lookup", body, `value="刘喆"`, idnum.MaskCertificate(p01+"43"), `<option value="4" selected>肢体残疾</option>`,
			`<option value="3" selected>三级</option>`, `id="gender" value="男"`, `value="1988-07-12"`,
			`name="contracts[0].start"`)
		if status != 200 {
			t.Errorf("lookup: %d %s", status, regexp.MustCompile(`field-error[^<]*<`).FindAllString(body, -1))
		}
		_, body, _ = c.form("/placements", url.Values{"year": {"2025"}, "idNumber": {p06}, "action": {"lookup"}}, nil)
		mustContain(t, "lookup of a woman", body, `id="female-group" >`, `value="吴秀兰"`)
		_, body, _ = c.form("/placements", url.Values{"year": {"2025"}, "idNumber": {pNo}, "action": {"lookup"}}, nil)
		mustContain(t, "lookup not found", body, "残联数据中未查询到该身份证号的残疾人证信息")
		// 添加合同 adds a row.
		_, body, _ = c.form("/placements", url.Values{"year": {"2025"}, "contracts[0].start": {"2022-01-01"}, "action": {"addContract"}}, nil)
		mustContain(t, "add contract", body, `name="contracts[1].start"`, `value="2022-01-01"`)
		// A file chosen before 添加合同 is uploaded with the form, kept on its row and announced; a row
		// can be removed again (the button names the row as posted, so a dropped empty row is no harm).
		_, body, _ = c.form("/placements", url.Values{"year": {"2025"}, "contracts[0].start": {"2022-01-01"},
			"contracts[2].start": {"2023-05-01"}, "action": {"addContract"}}, map[string]string{"contracts[0].file": "第一份合同.pdf"})
		mustContain(t, "add contract with a chosen file", body, `id="form-status"`, "已选择的文件已上传并保留：第一份合同.pdf",
			`name="contracts[0].fileIds"`, `value="removeContract.1"`, `name="contracts[2].start"`)
		kept := regexp.MustCompile(`name="contracts\[0\]\.fileIds" value="([^"]+)"`).FindStringSubmatch(body)
		if kept == nil {
			t.Fatal("the chosen file is not kept")
		}
		_, body, _ = c.form("/placements", url.Values{"year": {"2025"}, "contracts[0].start": {"2022-01-01"}, "contracts[0].fileIds": {kept[1]},
			"contracts[1].start": {"2023-05-01"}, "action": {"removeContract.1"}}, nil)
		mustContain(t, "remove a contract", body, "已删除合同 2", `value="2022-01-01"`, "第一份合同.pdf")
		if strings.Contains(body, `value="2023-05-01"`) || strings.Contains(body, `name="contracts[1].start"`) {
			t.Error("the removed contract is still on the form")
		}

		// Save with errors: 422, messages beside the fields, values and the uploaded file kept.
		form := url.Values{"year": {"2025"}, "idNumber": {pNo}, "name": {"张伟"}, "category": {"4"}, "level": {"2"}, "dispatched": {"0"},
			"contracts[0].start": {"2022-13-01"}, "contracts[0].openEnded": {"1"}, "action": {"save"}}
		status, body, _ = c.form("/placements", form, map[string]string{"contracts[0].file": "劳动合同.pdf"})
		mustContain(t, "invalid save", body, `id="contracts[0].start-error"`, `aria-invalid="true"`, `value="张伟"`, "劳动合同.pdf",
			`name="contracts[0].fileIds"`, `role="alert"`)
		if status != 422 {
			t.Fatalf("invalid save: %d", status)
		}
		fileID := regexp.MustCompile(`name="contracts\[0\]\.fileIds" value="([^"]+)"`).FindStringSubmatch(body)
		if fileID == nil {
			t.Fatal("kept file id not in the form")
		}
		// Corrected: 303 to the grid (保存，下一步).
		form.Set("contracts[0].start", "2022-01-01")
		form.Set("contracts[0].fileIds", fileID[1])
		status, _, h = c.form("/placements", form, nil)
		m := placementLoc.FindStringSubmatch(h.Get("Location"))
		if status != 303 || m == nil {
			t.Fatalf("save: %d %q", status, h.Get("Location"))
		}
		idNo := m[1]
		// A double submit opens the same placement.
		status, _, h = c.form("/placements", form, nil)
		if status != 303 || h.Get("Location") != "/placements/"+idNo+"?done=placement-exists" {
			t.Errorf("double submit: %d %q", status, h.Get("Location"))
		}

		// The grid: a real table with caption, row headers and 12 month headers; reasons readable.
		status, body, _ = c.get("/placements/" + idNo + "?done=placement-saved")
		mustContain(t, "grid", body, "<caption>张伟 2025年度逐月核验结果</caption>", `<th scope="row">工资信息</th>`, `<th scope="row">社保参保状态</th>`,
			`<th scope="row">医保参保状态</th>`, `<th scope="row">残疾证状态</th>`, `<th scope="row">是否就业年龄段</th>`, `<th scope="row">合同状态</th>`,
			`<th scope="col" id="h-2025-12">12月</th>`, `tabindex="0" title="2025-01 无养老保险缴费记录"`, "未通过：2025-01 无养老保险缴费记录",
			"人员信息已保存", `name="claims.2025-01.socialInsurance.file"`)
		if status != 200 || strings.Count(body, `<th scope="col" id="h-2025-`) != 12 {
			t.Fatalf("grid: %d", status)
		}

		// p01 through the form, then p06 with a claimed month.
		ids := map[string]string{}
		for _, p := range []struct{ id, name string }{{p01, "刘喆"}, {p06, "吴秀兰"}} {
			f := url.Values{"year": {"2025"}, "idNumber": {p.id}, "name": {p.name}, "category": {"4"}, "level": {"3"}, "dispatched": {"0"},
				"femaleRetirementAge": {"50"}, "contracts[0].start": {"2022-01-01"}, "contracts[0].end": {"2026-12-31"}, "action": {"save"}}
			status, _, h := c.form("/placements", f, map[string]string{"contracts[0].file": "合同.pdf"})
			m := placementLoc.FindStringSubmatch(h.Get("Location"))
			if status != 303 || m == nil {
				t.Fatalf("save %s: %d %q", p.name, status, h.Get("Location"))
			}
			ids[p.id] = m[1]
		}
		_, body, _ = c.get("/placements/" + ids[p01])
		mustContain(t, "locked months", body, `<input type="checkbox" id="m-2025-01" checked disabled`, `<input type="hidden" name="months" value="2025-01">`)
		status, _, h = c.form("/placements/"+ids[p01]+"/months", url.Values{"months": {"2025-01"}}, nil)
		if status != 303 || h.Get("Location") != "/placements/"+ids[p01]+"?done=months-saved" {
			t.Fatalf("save months: %d %q", status, h.Get("Location"))
		}
		_, body, _ = c.get(h.Get("Location"))
		mustContain(t, "after save", body, "申报月份已保存", "<strong>已确认</strong>", "返回残疾人安置管理")

		_, body, _ = c.get("/placements/" + ids[p06])
		mustContain(t, "p06 grid", body, "2025-02 工资 ", `data-failed="1"`, `id="claim-2025-02"`)
		// Ticking February without evidence: 422, the message beside the month, the choice kept.
		passed := url.Values{"months": {"2025-01", "2025-04", "2025-05", "2025-06", "2025-07", "2025-09", "2025-10", "2025-11", "2025-12", "2025-02"}}
		status, body, _ = c.form("/placements/"+ids[p06]+"/months", passed, nil)
		mustContain(t, "claim without evidence", body, `id="months.2025-02"`, `name="months" value="2025-02" id="m-2025-02" checked`)
		if status != 422 {
			t.Fatalf("claim without evidence: %d", status)
		}
		passed.Set("claims.2025-02.note", "补发工资")
		for i := 0; i < 2; i++ { // double submit
			status, _, h = c.form("/placements/"+ids[p06]+"/months", passed, map[string]string{"claims.2025-02.file": "工资条.pdf"})
			if status != 303 || !strings.HasPrefix(h.Get("Location"), "/placements/"+ids[p06]) {
				t.Fatalf("claim %d: %d %q", i, status, h.Get("Location"))
			}
		}
		var claims int
		s.scan(`SELECT COUNT(*) FROM review_items WHERE kind = 'claim'`, &claims)
		if claims != 1 {
			t.Errorf("claims after a double submit: %d", claims)
		}
		_, body, _ = c.get("/placements/" + ids[p06])
		mustContain(t, "claimed", body, "<strong>待审核</strong>", "工资条.pdf", "补发工资")

		// The list: 已确认 and 待审核, masked numbers, the actions.
		_, body, _ = c.get("/placements?year=2025")
		mustContain(t, "list after", body, "已确认", "待审核", "220102********035X", "查看", "重新登记", "删除", `id="sum-persons">3 人`,
			`id="sum-confirmed">1 人`, `id="sum-pending">1 人（待审核月数 10`, `id="sum-equivalent">1.00 人`)
		if strings.Contains(body, p01) {
			t.Error("list shows a full ID number")
		}

		// Another employer: 404 on the pages too.
		other := s.ready(otherCode)
		for _, path := range []string{"/placements/" + ids[p01], "/placements/" + ids[p01] + "/edit", "/placements/" + ids[p01] + "/delete"} {
			if status, _, _ := other.get(path); status != 404 {
				t.Errorf("other employer GET %s: %d", path, status)
			}
		}
		if status, _, _ := other.postForm("/placements/"+ids[p01]+"/delete", url.Values{"year": {"2025"}}); status != 404 {
			t.Errorf("other employer delete: %d", status)
		}

		// 重新登记 → the edit form; deleted with a confirmation page.
		status, _, h = c.postForm("/placements/"+ids[p01]+"/reregister", nil)
		if status != 303 || h.Get("Location") != "/placements/"+ids[p01]+"/edit?done=placement-reregistered" {
			t.Fatalf("reregister: %d %q", status, h.Get("Location"))
		}
		_, body, _ = c.get(h.Get("Location"))
		mustContain(t, "edit", body, "已重新登记", `value="刘喆"`, `readonly`, "合同.pdf", `value="2026-12-31"`)
		status, body, _ = c.get("/placements/" + ids[p01] + "/delete")
		if status != 200 {
			t.Fatalf("delete confirmation: %d", status)
		}
		mustContain(t, "delete confirmation", body, "确定删除", "220102********035X")
		// Submitted year: refused with 409.
		submitYear(t, s.db, empCode, 2025)
		if status, _, _ := c.postForm("/placements/"+ids[p01]+"/delete", url.Values{"year": {"2025"}}); status != 409 {
			t.Errorf("delete after submission: %d", status)
		}
		_, body, _ = c.get("/placements?year=2025")
		mustContain(t, "locked list", body, "该业务年度已完成申报")
		s.exec(`DELETE FROM declarations`)
		status, _, h = c.postForm("/placements/"+ids[p01]+"/delete", url.Values{"year": {"2025"}})
		if status != 303 || h.Get("Location") != "/placements?year=2025&done=placement-deleted" {
			t.Errorf("delete: %d %q", status, h.Get("Location"))
		}
		// A second click finds nothing to delete: the state is the same, the page says so.
		if status, body, _ := c.postForm("/placements/"+ids[p01]+"/delete", url.Values{"year": {"2025"}}); status != 404 || !strings.Contains(body, "不存在") {
			t.Errorf("second delete: %d", status)
		}
	})
}
