package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"quotacert/internal/actor"
	"quotacert/internal/admin"
	"quotacert/internal/exchange"
	"quotacert/internal/pii"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// fixedSession stands in for the accounts package's sessions (built in parallel on branch
// accounts): every request is signed in as the given actor, or nobody when ok is false.
type fixedSession struct {
	a  actor.Actor
	ok bool
}

func (f fixedSession) Actor(*http.Request) (actor.Actor, bool) { return f.a, f.ok }

func upload(t *testing.T, h http.Handler, kind, name, content string) *httptest.ResponseRecorder {
	t.Helper()
	fields := url.Values{}
	if kind != "" {
		fields.Set("kind", kind)
	}
	var files []FormFile
	if name != "" {
		files = append(files, FormFile{"file", name, []byte(content)})
	}
	body, typ := MultipartBody(t, fields, files...)
	req := httptest.NewRequest("POST", "/admin/imports", body)
	req.Header.Set("Content-Type", typ)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func get(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec
}

// TestAdminImportPages drives the admin import pages through the real route list and guard, on
// both databases, with an admin session stand-in.
func TestAdminImportPages(t *testing.T) {
	storetest.Each(t, storetest.Options{Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		p, err := pii.New(bytes.Repeat([]byte{7}, pii.KeySize))
		if err != nil {
			t.Fatal(err)
		}
		svc := exchange.NewService(store.ExchangeRunner(db), p)
		site := func(s Sessions) http.Handler {
			srv, err := New(Deps{DB: db, Sessions: s, Exchange: svc, Admin: admin.NewService(store.AdminRunner(db))})
			if err != nil {
				t.Fatal(err)
			}
			return srv.Handler()
		}
		root := site(fixedSession{actor.Actor{UserID: 1, Name: "admin", Role: actor.Admin, Office: "220000"}, true})

		if rec := get(root, "/admin/imports"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "还没有导入记录") {
			t.Fatalf("history page: %d %s", rec.Code, rec.Body.String())
		}
		good := "idNumber,creditCode,month,amount\n22010219880712035X,91220101MA14U8XK2R,2025-01,2600.00\n"
		rec := upload(t, root, "wages", "工资.csv", good)
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/admin/imports/") {
			t.Fatalf("upload: %d %q %s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
		}
		page := get(root, rec.Header().Get("Location"))
		if page.Code != 200 || !strings.Contains(page.Body.String(), "已导入 1 行工资发放记录") {
			t.Fatalf("result page: %d %s", page.Code, page.Body.String())
		}
		bad := good + "530102192005080119,91220101MA14U8XK2R,2025-01,1\n22010219880712035X,91220101MA14U8XK2R,2025-13,1\n"
		rec = upload(t, root, "wages", "bad.csv", bad)
		loc := rec.Header().Get("Location")
		page = get(root, loc)
		body := page.Body.String()
		if page.Code != 200 || !strings.Contains(body, "发现 2 处错误，整个文件未导入") || !strings.Contains(body, "身份证号校验位错误") ||
			strings.Contains(body, "530102192005080119") {
			t.Fatalf("rejected page: %d %s", page.Code, body)
		}
		csvRec := get(root, loc+"/errors.csv")
		if csvRec.Code != 200 || csvRec.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
			csvRec.Body.String() != "\ufeffrow,field,reason\n3,idNumber,身份证号校验位错误\n4,month,月份格式应为YYYY-MM\n" {
			t.Fatalf("errors.csv: %d %q", csvRec.Code, csvRec.Body.String())
		}
		hist := get(root, "/admin/imports").Body.String()
		if !strings.Contains(hist, "工资.csv") || !strings.Contains(hist, "未导入（2 处错误）") {
			t.Fatalf("history: %s", hist)
		}
		// Missing kind and file: 422 with the errors beside the fields.
		rec = upload(t, root, "", "", "")
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `aria-describedby="kind-error"`) ||
			!strings.Contains(rec.Body.String(), `id="file-error"`) {
			t.Fatalf("empty form: %d %s", rec.Code, rec.Body.String())
		}
		rec = upload(t, root, "wages", "wages.pdf", good)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "文件格式不支持") {
			t.Fatalf("pdf: %d", rec.Code)
		}
		if rec := get(root, "/admin/imports/999999"); rec.Code != 404 {
			t.Fatalf("unknown import: %d", rec.Code)
		}
		// Policy admin: employers and reviewers are refused, anonymous users sent to log in.
		for _, a := range []actor.Actor{{UserID: 2, Name: "e", Role: actor.Employer, EmployerID: 1}, {UserID: 3, Name: "r", Role: actor.Reviewer, Office: "220000"}} {
			h := site(fixedSession{a, true})
			if rec := get(h, "/admin/imports"); rec.Code != 403 {
				t.Errorf("%s GET: %d", a.Role, rec.Code)
			}
			if rec := upload(t, h, "wages", "w.csv", good); rec.Code != 403 {
				t.Errorf("%s POST: %d", a.Role, rec.Code)
			}
		}
		// Imports are province-wide: a city admin reads who imports, and may neither upload nor read
		// the history.
		city := site(fixedSession{actor.Actor{UserID: 4, Name: "city", Role: actor.Admin, Office: "220100"}, true})
		if rec := get(city, "/admin/imports"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "由吉林省残疾人联合会的系统管理员导入") ||
			strings.Contains(rec.Body.String(), "工资.csv") || strings.Contains(rec.Body.String(), `action="/admin/imports"`) {
			t.Errorf("city admin's imports page: %d %s", rec.Code, rec.Body.String())
		}
		if rec := upload(t, city, "wages", "w.csv", good); rec.Code != 403 {
			t.Errorf("city admin upload: %d", rec.Code)
		}
		if rec := get(city, loc); rec.Code != 403 {
			t.Errorf("city admin reads an import report: %d", rec.Code)
		}
		anon := site(fixedSession{})
		if rec := get(anon, "/admin/imports"); rec.Code != http.StatusSeeOther {
			t.Errorf("anonymous GET: %d", rec.Code)
		}
		if rec := upload(t, anon, "wages", "w.csv", good); rec.Code != 401 {
			t.Errorf("anonymous POST: %d", rec.Code)
		}
	})
}
