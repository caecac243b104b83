package web

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/admin"
	"quotacert/internal/apiclient"
	"quotacert/internal/attachment"
	"quotacert/internal/audit"
	"quotacert/internal/blob"
	"quotacert/internal/employer"
	"quotacert/internal/notice"
	"quotacert/internal/overview"
	"quotacert/internal/store"
)

// withConsole adds the notice and admin services of issue #9 to a harness site.
func withConsole(t *testing.T, h *harness) {
	t.Helper()
	h.srv.deps.Notices = notice.NewService(store.NoticeRunner(h.db))
	h.srv.deps.Admin = admin.NewService(store.AdminRunner(h.db))
	h.srv.deps.APIClients = apiclient.NewService(store.APIClientRunner(h.db))
	h.h = h.srv.Handler()
}

func (c *client) putJSON(path string, body any) *httptest.ResponseRecorder {
	b, err := json.Marshal(body)
	if err != nil {
		c.h.t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPut, path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body.String(), err)
	}
	return v
}

type listJSON struct {
	Items []struct {
		ID          int64   `json:"id"`
		Title       string  `json:"title"`
		PublishedAt *string `json:"publishedAt"`
	} `json:"items"`
}

func TestNoticesHTTP(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		withConsole(t, h)
		h.staff("root", actor.Admin, "220000")
		h.staff("rev", actor.Reviewer, "220000")
		adm, emp, rev := h.client("10.0.9.1"), h.client("10.0.9.2"), h.client("10.0.9.3")
		wantStatus(t, adm.login("root", testPassword), http.StatusOK)
		wantStatus(t, rev.login("rev", testPassword), http.StatusOK)
		wantStatus(t, emp.register(testCode), http.StatusCreated)
		wantStatus(t, emp.login(testCode, testPassword), http.StatusOK)

		// Anonymous: 401 from the API. Employer and reviewer may not create.
		wantStatus(t, h.client("10.0.9.4").get("/api/v1/notices"), http.StatusUnauthorized)
		wantStatus(t, emp.postJSON("/api/v1/notices", map[string]any{"title": "x", "body": "y"}), http.StatusForbidden)
		wantStatus(t, rev.postJSON("/api/v1/notices", map[string]any{"title": "x", "body": "y"}), http.StatusForbidden)
		rec := adm.postJSON("/api/v1/notices", map[string]any{"title": "", "body": ""})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		if !strings.Contains(rec.Body.String(), `"title":"请填写标题"`) {
			t.Errorf("422 body lacks the field message: %s", rec.Body.String())
		}
		wantStatus(t, adm.postJSON("/api/v1/notices", "not an object"), http.StatusUnprocessableEntity)

		// "draft": true keeps the notice a draft; publishing it goes through the confirmation form.
		rec = adm.postJSON("/api/v1/notices", map[string]any{"title": "关于2025年度年审的通知", "draft": true,
			"body": "请于10月31日前完成**网上申报**。\n\n<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))"})
		wantStatus(t, rec, http.StatusCreated)
		id := decode[struct{ ID int64 }](t, rec).ID
		sid := itoa(id)
		wantStatus(t, emp.get("/api/v1/notices/"+sid), http.StatusNotFound) // draft
		if l := decode[listJSON](t, emp.get("/api/v1/notices")); len(l.Items) != 0 {
			t.Errorf("draft listed: %+v", l)
		}
		page := adm.get("/admin/notices/" + sid + "/publish").Body.String()
		if !strings.Contains(page, "确认发布") {
			t.Error("publish confirmation page missing")
		}
		wantStatus(t, emp.postForm("/admin/notices/"+sid+"/publish", nil), http.StatusForbidden)
		for range 2 {
			wantStatus(t, adm.postForm("/admin/notices/"+sid+"/publish", nil), http.StatusSeeOther)
		}
		// The contract's POST {title, body} publishes at once (CONTRACT.md).
		rec = adm.postJSON("/api/v1/notices", map[string]any{"title": "系统维护公告", "body": "周六升级维护"})
		wantStatus(t, rec, http.StatusCreated)
		if v := decode[map[string]any](t, rev.get("/api/v1/notices/"+itoa(decode[struct{ ID int64 }](t, rec).ID))); v["publishedAt"] == nil {
			t.Errorf("POST {title, body} did not publish at once: %v", v)
		}

		// Search: a 2-character word found only in the body, and one in the title.
		for q, want := range map[string]string{"申报": "关于2025年度年审的通知", "维护": "系统维护公告", "年审": "关于2025年度年审的通知"} {
			l := decode[listJSON](t, emp.get("/api/v1/notices?q="+url.QueryEscape(q)))
			if len(l.Items) != 1 || l.Items[0].Title != want || l.Items[0].PublishedAt == nil {
				t.Errorf("q=%s: %+v", q, l)
			}
		}
		if l := decode[listJSON](t, emp.get("/api/v1/notices")); len(l.Items) != 2 || l.Items[0].Title != "系统维护公告" {
			t.Errorf("list newest first: %+v", l)
		}

		// Opening: sanitised HTML, exactly the contract's fields, and the read mark.
		page = emp.get("/notices").Body.String()
		if strings.Count(page, `class="badge">未读`) != 2 {
			t.Errorf("unread marks on /notices: %d", strings.Count(page, `class="badge">未读`))
		}
		rec = emp.get("/api/v1/notices/" + sid)
		wantStatus(t, rec, http.StatusOK)
		v := decode[map[string]any](t, rec)
		html, _ := v["html"].(string)
		for _, bad := range []string{"<script", "onerror", "javascript:"} {
			if strings.Contains(strings.ToLower(html), bad) {
				t.Errorf("served html contains %s: %s", bad, html)
			}
		}
		if !strings.Contains(html, "<strong>网上申报</strong>") || v["title"] != "关于2025年度年审的通知" || v["publishedAt"] == nil {
			t.Errorf("notice JSON %v", v)
		}
		page = emp.get("/notices/" + sid).Body.String()
		if strings.Contains(page, "<script>alert") || strings.Contains(page, "onerror") || !strings.Contains(page, "<strong>网上申报</strong>") {
			t.Errorf("notice page not sanitised")
		}
		page = emp.get("/notices").Body.String()
		if strings.Count(page, `class="badge">未读`) != 1 {
			t.Errorf("opened notice still unread")
		}
		// Unpublish: 404 for the employer, still visible to the admin.
		wantStatus(t, adm.postForm("/admin/notices/"+sid+"/unpublish", nil), http.StatusSeeOther)
		wantStatus(t, emp.get("/notices/"+sid), http.StatusNotFound)
		wantStatus(t, adm.get("/api/v1/notices/"+sid), http.StatusOK)
		wantStatus(t, emp.get("/api/v1/notices/abc"), http.StatusNotFound)

		// Admin form: preview without saving, errors beside fields, save.
		page = adm.postForm("/admin/notices", url.Values{"title": {"预览"}, "body": {"# 标题\n<script>x</script>"}, "preview": {"1"}}).Body.String()
		if !strings.Contains(page, "预览（尚未保存）") || strings.Contains(page, "<script>x") {
			t.Error("preview missing or unsafe")
		}
		rec = adm.postForm("/admin/notices", url.Values{"title": {""}, "body": {"x"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		if !strings.Contains(rec.Body.String(), `id="title-error"`) || !strings.Contains(rec.Body.String(), `aria-invalid="true"`) {
			t.Error("form error not beside the field")
		}
		wantStatus(t, adm.postForm("/admin/notices/"+sid, url.Values{"title": {"修订标题"}, "body": {"修订正文"}}), http.StatusSeeOther)
		if page := adm.get("/admin/notices").Body.String(); !strings.Contains(page, "修订标题") || !strings.Contains(page, "草稿") {
			t.Error("admin list lacks the edited draft")
		}

		var actions []string
		for _, e := range auditSince(t, h) {
			if strings.HasPrefix(e.Action, "notice.") && e.Outcome == audit.Success {
				actions = append(actions, e.Action)
			}
		}
		want := "notice.create notice.publish notice.create notice.publish notice.unpublish notice.update"
		if strings.Join(actions, " ") != want {
			t.Errorf("audit %v, want %s", actions, want)
		}
	})
}

func TestAdminConsoleHTTP(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		withConsole(t, h)
		h.staff("root", actor.Admin, "220000")
		h.staff("rev", actor.Reviewer, "220000")
		adm, rev := h.client("10.0.8.1"), h.client("10.0.8.2")
		wantStatus(t, adm.login("root", testPassword), http.StatusOK)
		wantStatus(t, rev.login("rev", testPassword), http.StatusOK)

		// PUT /api/v1/years/{year}: admin only, 422 on bad input, 404 for an unknown year.
		body := map[string]string{"windowOpen": "2026-03-10", "windowClose": "2026-11-30"}
		wantStatus(t, rev.putJSON("/api/v1/years/2025", body), http.StatusForbidden)
		for _, bad := range []map[string]string{
			{"windowOpen": "2026-11-30", "windowClose": "2026-03-10"},
			{"windowOpen": "2026-02-30", "windowClose": "2026-11-30"},
			{"windowOpen": "2026-03-10"},
		} {
			rec := adm.putJSON("/api/v1/years/2025", bad)
			wantStatus(t, rec, http.StatusUnprocessableEntity)
			if !strings.Contains(rec.Body.String(), `"fields"`) {
				t.Errorf("422 without field messages: %s", rec.Body.String())
			}
		}
		wantStatus(t, adm.putJSON("/api/v1/years/1999", body), http.StatusNotFound)
		rec := adm.putJSON("/api/v1/years/2025", body)
		wantStatus(t, rec, http.StatusOK)
		if y := decode[yearJSON](t, rec); y.WindowOpen != "2026-03-10" || y.WindowClose != "2026-11-30" {
			t.Errorf("year = %+v", y)
		}

		// Pages: every console page renders for the admin and is refused to a reviewer.
		for _, p := range []string{"/admin/", "/admin/notices", "/admin/notices/new", "/admin/regions", "/admin/offices/federation",
			"/admin/offices/tax", "/admin/minwages", "/admin/years", "/admin/levy"} {
			rec := adm.get(p)
			wantStatus(t, rec, http.StatusOK)
			if b := rec.Body.String(); strings.Contains(b, " style=\"") || strings.Contains(b, "<script>") {
				t.Errorf("%s: inline style or script", p)
			}
			wantStatus(t, rev.get(p), http.StatusForbidden)
		}
		wantStatus(t, adm.get("/admin/offices/other"), http.StatusNotFound)
		// A cycle in the office tree is refused beside the parent field.
		rec = adm.postForm("/admin/offices/federation", url.Values{"mode": {"update"}, "code": {"220100"}, "name": {"长春市残联"},
			"region": {"220100"}, "parent": {"220102"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		if !strings.Contains(rec.Body.String(), `id="office-form-parent-error"`) {
			t.Errorf("cycle message not beside the parent field")
		}
		wantStatus(t, adm.postForm("/admin/minwages", url.Values{"mode": {"create"}, "region": {"2201"}, "from": {"2026-07"}, "amount": {"2300"}}), http.StatusSeeOther)
		if !strings.Contains(adm.get("/admin/minwages").Body.String(), "2300.00") {
			t.Error("new minimum wage not listed")
		}
		wantStatus(t, adm.postForm("/admin/levy", url.Values{"year": {"2026"}, "quotaPercent": {"1.5"}, "socialAvgWage": {"99000"}}), http.StatusSeeOther)
		wantStatus(t, adm.postForm("/admin/years", url.Values{"year": {"2026"}, "windowOpen": {"2027-03-01"}, "windowClose": {"2027-02-01"}, "pledge": {"承诺"}}), http.StatusUnprocessableEntity)
		wantStatus(t, adm.postForm("/admin/years", url.Values{"add": {"1"}, "year": {"2027"}}), http.StatusSeeOther)

		var actions []string
		for _, e := range auditSince(t, h) {
			if e.ActorName == "root" && e.Action != "login" && e.Action != "refused" {
				actions = append(actions, e.Action)
			}
		}
		want := "business_year.update minimum_wage.create levy.update business_year.create"
		if strings.Join(actions, " ") != want {
			t.Errorf("audit %v, want %s", actions, want)
		}
	})
}

func TestEmployerHome(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		withConsole(t, h)
		h.srv.deps.Overview = overview.NewService(store.OverviewRunner(h.db))
		h.srv.deps.Employers = employer.NewService(store.EmployerRunner(h.db))
		h.h = h.srv.Handler()
		// The clock is 2026-03-02: the window of 2025 (2026-03-01 to 2026-10-31) is open.
		if page := h.client("10.0.7.9").get("/").Body.String(); !strings.Contains(page, "我要申报") {
			t.Error("anonymous visitors lose the public intro")
		}
		h.staff("root", actor.Admin, "220000")
		adm, emp := h.client("10.0.7.1"), h.client("10.0.7.2")
		wantStatus(t, adm.login("root", testPassword), http.StatusOK)
		wantStatus(t, emp.register(testCode), http.StatusCreated)
		wantStatus(t, emp.login(testCode, testPassword), http.StatusOK)
		for _, title := range []string{"一号通知", "二号通知", "三号通知", "四号通知", "五号通知", "六号通知"} {
			wantStatus(t, adm.postJSON("/api/v1/notices", map[string]any{"title": title, "body": "正文"}), http.StatusCreated)
			h.clock.Advance(time.Minute)
		}
		var eid int64
		if err := h.db.SQL().QueryRow(`SELECT id FROM employers WHERE credit_code = $1`, testCode).Scan(&eid); err != nil {
			t.Fatal(err)
		}
		for i, st := range []string{"confirmed", "confirmed", "pending"} {
			var pid int64
			err := h.db.SQL().QueryRow(`INSERT INTO persons (id_hash, id_sealed, id_masked, name, gender, created_at)
                VALUES ($1, $2, 'masked', '张三', '男', $3) RETURNING id`, "h"+itoa(int64(i)), []byte("x"), start).Scan(&pid)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := h.db.SQL().Exec(`INSERT INTO placements (employer_id, year, person_id, status, created_at, updated_at)
                VALUES ($1, 2025, $2, $3, $4, $4)`, eid, pid, st, start); err != nil {
				t.Fatal(err)
			}
		}
		page := emp.get("/").Body.String()
		for _, want := range []string{"2025 业务年度申报期", "<strong>2026-10-31</strong>", "<td>2</td><td>1</td><td>0</td><td>0</td><td>3</td>",
			"1 人待残联审核", "完善<a href=\"/employer\">单位信息</a>", "六号通知", "二号通知"} {
			if !strings.Contains(page, want) {
				t.Errorf("employer home lacks %q", want)
			}
		}
		if strings.Contains(page, "一号通知") || strings.Contains(page, "我要申报") {
			t.Error("home shows more than the newest 5 notices, or the public intro")
		}
	})
}

// TestNoticeAttachmentUpload: the admin's notice form uploads attachments with the notice (no file
// ids to copy by hand), refuses a file that is not PDF/JPEG/PNG beside the field, and employers then
// download the attachment.
func TestNoticeAttachmentUpload(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		withConsole(t, h)
		blobs, err := blob.SealedFiles(t.TempDir(), testBlobKey)
		if err != nil {
			t.Fatal(err)
		}
		h.srv.deps.Files = attachment.NewService(store.AttachmentRunner(h.db), blob.Attachments(blobs))
		h.h = h.srv.Handler()
		h.staff("root", actor.Admin, "220000")
		adm, emp := h.client("10.0.8.1"), h.client("10.0.8.2")
		wantStatus(t, adm.login("root", testPassword), http.StatusOK)
		wantStatus(t, emp.register(testCode), http.StatusCreated)
		wantStatus(t, emp.login(testCode, testPassword), http.StatusOK)

		post := func(file, content string) *httptest.ResponseRecorder {
			body, typ := MultipartBody(t, url.Values{"title": {"关于报送材料的通知"}, "body": {"附件为报送模板。"}},
				FormFile{"attachment.file", file, []byte(content)})
			req := httptest.NewRequest(http.MethodPost, "/admin/notices", body)
			req.Header.Set("Content-Type", typ)
			return adm.do(req)
		}
		rec := post("病毒.pdf", "MZ\x90\x00 not a pdf")
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		if !strings.Contains(rec.Body.String(), `id="attachment-error"`) {
			t.Fatalf("refused upload not shown beside the field:\n%s", rec.Body.String())
		}
		wantStatus(t, post("模板.pdf", "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"), http.StatusSeeOther)
		var id int64
		var fileID string
		if err := h.db.SQL().QueryRow(`SELECT n.id, f.file_id FROM notices n JOIN notice_files f ON f.notice_id = n.id`).Scan(&id, &fileID); err != nil {
			t.Fatal(err)
		}
		if id == 0 || fileID == "" {
			t.Fatal("the uploaded attachment is not linked to the notice")
		}
		if _, err := h.db.SQL().Exec(`UPDATE notices SET published_at = $1 WHERE id = $2`, h.clock.Now().Add(-time.Minute), id); err != nil {
			t.Fatal(err)
		}
		if got := emp.get("/api/v1/files/" + fileID); got.Code != http.StatusOK || !strings.HasPrefix(got.Body.String(), "%PDF") {
			t.Fatalf("employer download of the notice attachment: %d", got.Code)
		}
	})
}

// TestNoticeFormDraftAndSchedule: the console's form keeps its own behaviour while the API
// publishes at once: saved without a time it is a draft, with a time it is published from then.
func TestNoticeFormDraftAndSchedule(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		withConsole(t, h)
		h.staff("root", actor.Admin, "220000")
		adm := h.client("10.0.9.21")
		wantStatus(t, adm.login("root", testPassword), http.StatusOK)
		save := func(v url.Values) {
			body, typ := MultipartBody(t, v)
			req := httptest.NewRequest(http.MethodPost, "/admin/notices", body)
			req.Header.Set("Content-Type", typ)
			wantStatus(t, adm.do(req), http.StatusSeeOther)
		}
		save(url.Values{"title": {"表单草稿"}, "body": {"正文"}})
		save(url.Values{"title": {"定时通知"}, "body": {"正文"}, "publishAt": {"2026-03-05T09:00"}})
		var draft, scheduled *time.Time
		for title, at := range map[string]**time.Time{"表单草稿": &draft, "定时通知": &scheduled} {
			var v sql.NullTime
			if err := h.db.SQL().QueryRow(`SELECT published_at FROM notices WHERE title = $1`, title).Scan(&v); err != nil {
				t.Fatal(err)
			}
			if v.Valid {
				*at = &v.Time
			}
		}
		if draft != nil {
			t.Errorf("the form without a time published at once (%v)", draft)
		}
		if want := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC); scheduled == nil || !scheduled.Equal(want) {
			t.Errorf("scheduled notice published at %v, want %v", scheduled, want)
		}
	})
}
