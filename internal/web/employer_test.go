package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/attachment"
	"quotacert/internal/blob"
	"quotacert/internal/employer"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
	"quotacert/internal/web"
)

const (
	empCode   = "91220101MA14U8XK2R"
	otherCode = "91350100M000100Y43"
	thirdCode = "911100001000044477"
	password  = "Demo@2026x"
	samplePDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
)

// site is one running server on a test database, with two employers and two reviewers registered.
type site struct {
	t     testing.TB
	db    *store.DB
	srv   *httptest.Server
	files string // the blob directory
}

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	ctx := context.Background()
	cfg := account.DefaultConfig()
	cfg.Secrets = testSecrets(t)
	cfg.StaffMFARequired = false
	cfg.CaptchaRequired = false
	cfg.Argon2 = account.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1} // fast hashing for tests
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
	dir := filepath.Join(t.TempDir(), "files")
	blobs, err := blob.SealedFiles(dir, testBlobKey)
	if err != nil {
		t.Fatal(err)
	}
	cookies := &web.SessionCookies{Accounts: acc}
	s, err := web.New(web.Deps{DB: db, Accounts: acc, Sessions: cookies, Cookies: cookies,
		Employers: employer.NewService(store.EmployerRunner(db)),
		Files:     attachment.NewService(store.AttachmentRunner(db), blob.Attachments(blobs))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &site{t: t, db: db, srv: srv, files: dir}
}

// client is a browser-like client with its own cookie jar; it does not follow redirects so tests
// can check POST-redirect-GET.
type client struct {
	s *site
	c *http.Client
}

func (s *site) login(field, name string) *client {
	s.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	c := &client{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if name == "" {
		return c
	}
	status, body := c.json("POST", "/api/v1/login", map[string]string{field: name, "password": password})
	if status != http.StatusOK {
		s.t.Fatalf("login %s: %d %s", name, status, body)
	}
	return c
}

// exec runs a statement on the test database: a state the test sets directly.
func (s *site) exec(query string, args ...any) {
	s.t.Helper()
	if _, err := s.db.SQL().Exec(query, args...); err != nil {
		s.t.Fatalf("%s: %v", query, err)
	}
}

// scan reads the one row of query into dest.
func (s *site) scan(query string, dest ...any) {
	s.t.Helper()
	if err := s.db.SQL().QueryRow(query).Scan(dest...); err != nil {
		s.t.Fatalf("%s: %v", query, err)
	}
}

// request builds a request to the test server.
func (c *client) request(method, path string, body io.Reader) *http.Request {
	c.s.t.Helper()
	req, err := http.NewRequest(method, c.s.srv.URL+path, body)
	if err != nil {
		c.s.t.Fatal(err)
	}
	return req
}

func (c *client) do(req *http.Request) (int, string, http.Header) {
	c.s.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.s.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	return resp.StatusCode, string(b), resp.Header
}

func (c *client) json(method, path string, body any) (int, string) {
	c.s.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.s.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req := c.request(method, path, r)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	status, text, _ := c.do(req)
	return status, text
}

func (c *client) get(path string) (int, string, http.Header) {
	c.s.t.Helper()
	return c.do(c.request("GET", path, nil))
}

func (c *client) postForm(path string, v url.Values) (int, string, http.Header) {
	c.s.t.Helper()
	req := c.request("POST", path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// multipart posts fields and one file (name, content) to path.
func (c *client) multipart(path string, fields url.Values, fileName string, content []byte) (int, string, http.Header) {
	c.s.t.Helper()
	var files []web.FormFile
	if fileName != "" || content != nil {
		files = append(files, web.FormFile{Field: "file", Name: fileName, Content: content})
	}
	body, typ := web.MultipartBody(c.s.t, fields, files...)
	req := c.request("POST", path, body)
	req.Header.Set("Content-Type", typ)
	return c.do(req)
}

func (c *client) upload(name string, content []byte) (int, map[string]any) {
	c.s.t.Helper()
	status, body, _ := c.multipart("/api/v1/files", nil, name, content)
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		c.s.t.Fatalf("upload answer is not JSON: %v: %s", err, body)
	}
	return status, m
}

func each(t *testing.T, fn func(t *testing.T, s *site)) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		fn(t, newSite(t, db))
	})
}

func fullProfile() map[string]any {
	return map[string]any{"name": "长春示范科技有限公司", "federationOffice": "220102", "taxOffice": "12201020000",
		"district": "220102", "contactName": "王芳", "contactPhone": "0431-88886666", "employeeCount": 120,
		"address": "长春市南关区人民大街 1 号", "unitNature": "企业"}
}

func TestAPIEmployerProfile(t *testing.T) {
	each(t, func(t *testing.T, s *site) {
		c := s.login("creditCode", empCode)
		status, body := c.json("GET", "/api/v1/employer", nil)
		if status != 200 || !strings.Contains(body, `"complete":false`) || !strings.Contains(body, empCode) {
			t.Fatalf("GET = %d %s", status, body)
		}
		// Each required field missing gives 422 with a Chinese message for that field, and no write.
		for key := range fullProfile() {
			in := fullProfile()
			delete(in, key)
			status, body := c.json("PUT", "/api/v1/employer", in)
			var e struct {
				Error struct {
					Code   string
					Fields map[string]string
				}
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				t.Fatalf("missing %s: %v: %s", key, err, body)
			}
			if status != 422 || e.Error.Code != "invalid" || len(e.Error.Fields) != 1 || !strings.HasPrefix(e.Error.Fields[key], "请") {
				t.Errorf("missing %s: %d %s", key, status, body)
			}
		}
		in := fullProfile()
		in["contactPhone"] = "12345"
		if status, body := c.json("PUT", "/api/v1/employer", in); status != 422 || !strings.Contains(body, `"contactPhone":"电话格式错误`) {
			t.Errorf("invalid phone: %d %s", status, body)
		}
		if status, body := c.json("PUT", "/api/v1/employer", map[string]any{"employeeCount": "many"}); status != 422 {
			t.Errorf("wrong type: %d %s", status, body)
		}
		if status, body := c.json("PUT", "/api/v1/employer", "{"); status != 422 {
			t.Errorf("bad json: %d %s", status, body)
		}
		// Save, then save again (double submit): same answer, one audit entry.
		for i := 0; i < 2; i++ {
			status, body := c.json("PUT", "/api/v1/employer", fullProfile())
			if status != 200 || !strings.Contains(body, `"complete":true`) || !strings.Contains(body, `"contactPhone":"0431-88886666"`) {
				t.Fatalf("PUT %d = %d %s", i, status, body)
			}
		}
		var n int
		s.scan(`SELECT COUNT(*) FROM audit_log WHERE action = 'employer.update'`, &n)
		if n != 1 {
			t.Errorf("employer.update audits = %d", n)
		}
		// Reference look-ups for the form.
		if status, body := c.json("GET", "/api/v1/regions?parent=220100", nil); status != 200 || !strings.Contains(body, `{"code":"220102","name":"南关区"}`) {
			t.Errorf("regions: %d %s", status, body)
		}
		status, body = c.json("GET", "/api/v1/offices?kind=tax&region=220102", nil)
		if status != 200 || strings.Count(body, `"code"`) != 3 || !strings.Contains(body, `"region":"220102"`) {
			t.Errorf("offices: %d %s", status, body)
		}
		if status, _ := c.json("GET", "/api/v1/offices?kind=nope", nil); status != 422 {
			t.Errorf("bad office kind: %d", status)
		}
		// Policies: anonymous 401, staff 403 on the employer's own resource.
		if status, _ := s.login("", "").json("GET", "/api/v1/employer", nil); status != 401 {
			t.Errorf("anonymous: %d", status)
		}
		if status, _ := s.login("username", "province").json("GET", "/api/v1/employer", nil); status != 403 {
			t.Errorf("staff: %d", status)
		}
	})
}

func TestEmployerPage(t *testing.T) {
	each(t, func(t *testing.T, s *site) {
		c := s.login("creditCode", empCode)
		status, body, _ := c.get("/employer")
		for _, want := range []string{"残联主管部门为用人单位年审认证的办理所在地", "税务主管部门为用人单位缴纳残保金的所在地",
			"行政所属区为用人单位注册登记的所在地", `<label for="contactPhone">`, `aria-required="true"`, "单位信息尚未完善", "刷新下级选项"} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if status != 200 {
			t.Fatalf("GET /employer = %d", status)
		}
		form := url.Values{"name": {"长春示范科技有限公司"}, "province": {"220000"}, "city": {"220100"}, "district": {"220102"},
			"federationOffice": {"220102"}, "taxOffice": {"12201020000"}, "contactName": {"王芳"}, "contactPhone": {"1381234"},
			"employeeCount": {"120"}, "address": {"南关区人民大街 1 号"}, "unitNature": {"企业"}, "action": {"save"}}
		// Invalid phone: 422, the message beside the field, aria-invalid, values kept.
		status, body, _ = c.postForm("/employer", form)
		if status != 422 || !strings.Contains(body, `id="contactPhone-error"`) || !strings.Contains(body, `aria-invalid="true"`) ||
			!strings.Contains(body, `value="南关区人民大街 1 号"`) || !strings.Contains(body, `value="1381234"`) ||
			!strings.Contains(body, `<option value="220102" selected>南关区</option>`) {
			t.Errorf("invalid phone page: %d", status)
		}
		// Refresh (no JavaScript): the districts of the chosen city appear, nothing is saved.
		refresh := url.Values{"province": {"220000"}, "city": {"220200"}, "action": {"refresh"}, "name": {"新名字"}}
		status, body, _ = c.postForm("/employer", refresh)
		if status != 200 || !strings.Contains(body, "昌邑区") || !strings.Contains(body, ">吉林市残疾人联合会<") || strings.Contains(body, "南关区残疾人联合会") {
			t.Errorf("refresh: %d", status)
		}
		// Save: 303 to the page with a confirmation.
		form.Set("contactPhone", "13812345678")
		status, _, h := c.postForm("/employer", form)
		if status != 303 || h.Get("Location") != "/employer?done=employer-saved" {
			t.Fatalf("save = %d %s", status, h.Get("Location"))
		}
		status, body, _ = c.get(h.Get("Location"))
		if status != 200 || !strings.Contains(body, "单位信息已保存") || strings.Contains(body, "单位信息尚未完善") ||
			!strings.Contains(body, `<option value="220102" selected>长春市南关区残疾人联合会</option>`) {
			t.Errorf("after save: %d", status)
		}
		// Missing enterprise choice and employee count: both reported.
		form.Del("unitNature")
		form.Set("employeeCount", "")
		status, body, _ = c.postForm("/employer", form)
		if status != 422 || !strings.Contains(body, "请选择单位性质") || !strings.Contains(body, "请填写在职职工人数") {
			t.Errorf("missing enterprise: %d", status)
		}
	})
}

// pngBytes and jpegBytes are tiny valid images (encoding into memory cannot fail).
func pngBytes() []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func jpegBytes() []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func TestFilesAPI(t *testing.T) {
	each(t, func(t *testing.T, s *site) {
		c := s.login("creditCode", empCode)
		// The employer's federation office decides which staff may read its files.
		if status, body := c.json("PUT", "/api/v1/employer", fullProfile()); status != 200 {
			t.Fatalf("profile: %d %s", status, body)
		}
		ids := map[string]string{}
		for name, content := range map[string][]byte{"合同.pdf": []byte(samplePDF), "证件.png": pngBytes(), "照片.jpg": jpegBytes()} {
			status, m := c.upload(name, content)
			sum := sha256.Sum256(content)
			if status != 201 || m["name"] != name || int(m["size"].(float64)) != len(content) || m["sha256"] != hex.EncodeToString(sum[:]) {
				t.Errorf("upload %s: %d %v", name, status, m)
			}
			ids[name], _ = m["id"].(string)
			// The digest is the uploader's to check; stored, it would tell who has a known scan.
			var stored int
			if err := s.db.SQL().QueryRow(`SELECT COUNT(*) FROM files WHERE blob = $1 OR name = $1`, m["sha256"]).Scan(&stored); err != nil || stored != 0 {
				t.Errorf("the plain SHA-256 of %s is stored (%d, %v)", name, stored, err)
			}
		}
		before := countFiles(t, s.files)
		refused := []struct {
			name    string
			content []byte
			want    string
		}{
			{"big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, blob.MaxSize+10)...), "不能超过 10 MB"},
			{"tool.pdf", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 4000)...), "只能上传"},
			{"empty.pdf", []byte{}, "空的"},
		}
		for _, r := range refused {
			status, m := c.upload(r.name, r.content)
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if status != 422 || !strings.Contains(string(b), r.want) {
				t.Errorf("upload %s: %d %s", r.name, status, b)
			}
		}
		if after := countFiles(t, s.files); after != before {
			t.Errorf("refused uploads left files: %d → %d", before, after)
		}
		var rows int
		s.scan(`SELECT COUNT(*) FROM files`, &rows)
		if rows != 3 {
			t.Errorf("file rows = %d", rows)
		}
		// Download by the owner: the bytes, as an attachment, never sniffed.
		status, body, h := c.get("/api/v1/files/" + ids["合同.pdf"])
		if status != 200 || body != samplePDF || h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Content-Disposition") != `attachment; filename="__.pdf"; filename*=UTF-8''%E5%90%88%E5%90%8C.pdf` {
			t.Errorf("download: %d %q %v", status, body, h)
		}
		// For viewing in a frame of our pages a PDF comes inline, frameable by our own origin only;
		// an image asked inline still comes as a sandboxed attachment (it is shown with <img>).
		status, _, h = c.get("/api/v1/files/" + ids["合同.pdf"] + "?inline=1")
		if status != 200 || !strings.HasPrefix(h.Get("Content-Disposition"), "inline; filename=") ||
			h.Get("X-Frame-Options") != "SAMEORIGIN" || h.Get("Content-Security-Policy") != "frame-ancestors 'self'" ||
			h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("inline PDF: %d %v", status, h)
		}
		if _, _, h := c.get("/api/v1/files/" + ids["证件.png"] + "?inline=1"); !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") ||
			!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("inline PNG: %v", h)
		}
		if status, _, _ := s.login("creditCode", otherCode).get("/api/v1/files/" + ids["合同.pdf"] + "?inline=1"); status != 404 {
			t.Errorf("other employer, inline: %d", status)
		}
		// Another employer, and staff of another city: 404. Staff of the province: 200.
		if status, _, _ := s.login("creditCode", otherCode).get("/api/v1/files/" + ids["合同.pdf"]); status != 404 {
			t.Errorf("other employer: %d", status)
		}
		if status, _, _ := s.login("username", "jilincity").get("/api/v1/files/" + ids["合同.pdf"]); status != 404 {
			t.Errorf("other city's staff: %d", status)
		}
		if status, body, _ := s.login("username", "province").get("/api/v1/files/" + ids["证件.png"]); status != 200 || body != string(pngBytes()) {
			t.Errorf("province staff: %d", status)
		}
		if status, _, _ := s.login("", "").get("/api/v1/files/" + ids["合同.pdf"]); status != 401 && status != 303 {
			t.Errorf("anonymous: %d", status)
		}
		if status, _ := c.json("POST", "/api/v1/files", map[string]string{"file": "x"}); status != 422 {
			t.Errorf("non-multipart upload: %d", status)
		}
	})
}

func countFiles(t testing.TB, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAPIAffiliates(t *testing.T) {
	each(t, func(t *testing.T, s *site) {
		c := s.login("creditCode", empCode)
		_, up := c.upload("协议.pdf", []byte(samplePDF))
		fileID := up["id"].(string)
		own := map[string]any{"creditCode": empCode, "name": "本单位", "kind": "subsidiary", "fileIds": []string{fileID}}
		if status, body := c.json("POST", "/api/v1/employer/affiliates", own); status != 422 || !strings.Contains(body, "不能是本单位") {
			t.Errorf("own code: %d %s", status, body)
		}
		in := map[string]any{"creditCode": thirdCode, "name": "派遣公司", "kind": "dispatch", "fileIds": []string{fileID}}
		var first, second struct{ ID int64 }
		status, body := c.json("POST", "/api/v1/employer/affiliates", in)
		first = decode[struct{ ID int64 }](t, body)
		if status != 201 || first.ID == 0 || !strings.Contains(body, `"fileIds":["`+fileID+`"]`) {
			t.Fatalf("create: %d %s", status, body)
		}
		status, body = c.json("POST", "/api/v1/employer/affiliates", in) // double submit
		second = decode[struct{ ID int64 }](t, body)
		if status != 201 || second.ID != first.ID {
			t.Errorf("double create: %d %s", status, body)
		}
		path := "/api/v1/employer/affiliates/" + itoa(first.ID)
		// Another employer cannot see, change or delete it, nor use our file.
		o := s.login("creditCode", otherCode)
		if status, _ := o.json("PUT", path, in); status != 404 {
			t.Errorf("other's PUT: %d", status)
		}
		if status, _ := o.json("DELETE", path, nil); status != 404 {
			t.Errorf("other's DELETE: %d", status)
		}
		if status, body := o.json("POST", "/api/v1/employer/affiliates", in); status != 422 || !strings.Contains(body, "fileIds") {
			t.Errorf("other using our file: %d %s", status, body)
		}
		// Locked: the code is fixed, files cannot be removed, deletion is refused.
		s.exec(`UPDATE affiliates SET locked = TRUE WHERE id = $1`, first.ID)
		in2 := map[string]any{"creditCode": otherCode, "name": "派遣公司", "kind": "dispatch", "fileIds": []string{fileID}}
		if status, body := c.json("PUT", path, in2); status != 422 || !strings.Contains(body, "不能修改") {
			t.Errorf("locked code change: %d %s", status, body)
		}
		_, up2 := c.upload("补充.png", pngBytes())
		in3 := map[string]any{"creditCode": thirdCode, "name": "派遣公司", "kind": "dispatch", "fileIds": []string{up2["id"].(string)}}
		if status, body := c.json("PUT", path, in3); status != 422 || !strings.Contains(body, "只能新增不能删除") {
			t.Errorf("locked file removal: %d %s", status, body)
		}
		in3["fileIds"] = []string{fileID, up2["id"].(string)}
		if status, body := c.json("PUT", path, in3); status != 200 || !strings.Contains(body, `"locked":true`) {
			t.Errorf("locked file addition: %d %s", status, body)
		}
		if status, _ := c.json("DELETE", path, nil); status != 409 {
			t.Errorf("locked delete: %d", status)
		}
		s.exec(`UPDATE affiliates SET locked = FALSE WHERE id = $1`, first.ID)
		for i := 0; i < 2; i++ {
			if status, body := c.json("DELETE", path, nil); status != 204 {
				t.Errorf("delete %d: %d %s", i, status, body)
			}
		}
		if status, body := c.json("GET", "/api/v1/employer/affiliates", nil); status != 200 || body != "{\"items\":[]}\n" {
			t.Errorf("list after delete: %d %s", status, body)
		}
	})
}

func TestAffiliatePages(t *testing.T) {
	each(t, func(t *testing.T, s *site) {
		c := s.login("creditCode", empCode)
		fields := url.Values{"creditCode": {thirdCode}, "name": {"长春子公司"}, "kind": {"subsidiary"}}
		// Without a file: refused beside the upload field, values kept.
		status, body, _ := c.multipart("/employer/affiliates", fields, "", nil)
		if status != 422 || !strings.Contains(body, "请上传至少一个附件") || !strings.Contains(body, `value="长春子公司"`) {
			t.Errorf("no file: %d", status)
		}
		// An executable renamed .pdf: refused, nothing stored.
		status, body, _ = c.multipart("/employer/affiliates", fields, "x.pdf", []byte("\x7fELF\x02\x01\x01"))
		if status != 422 || !strings.Contains(body, "只能上传") {
			t.Errorf("executable: %d", status)
		}
		// A good file but a bad code: the file is kept on the page as attached.
		bad := url.Values{"creditCode": {empCode}, "name": {"长春子公司"}, "kind": {"subsidiary"}}
		status, body, _ = c.multipart("/employer/affiliates", bad, "证明.pdf", []byte(samplePDF))
		if status != 422 || !strings.Contains(body, "不能是本单位") || !strings.Contains(body, "证明.pdf") || !strings.Contains(body, `name="fileIds"`) {
			t.Errorf("own code with file: %d", status)
		}
		status, _, h := c.multipart("/employer/affiliates", fields, "证明.pdf", []byte(samplePDF))
		if status != 303 || h.Get("Location") != "/employer?done=affiliate-added" {
			t.Fatalf("add: %d %v", status, h.Get("Location"))
		}
		_, body, _ = c.get("/employer?done=affiliate-added")
		if !strings.Contains(body, "关联单位已添加") || !strings.Contains(body, "长春子公司") || !strings.Contains(body, "证明.pdf") {
			t.Errorf("list page lacks the affiliate")
		}
		var id string
		s.scan(`SELECT CAST(id AS TEXT) FROM affiliates`, &id)
		if status, body, _ := c.get("/employer/affiliates/" + id + "/edit"); status != 200 || !strings.Contains(body, `value="`+thirdCode+`"`) {
			t.Errorf("edit page: %d", status)
		}
		if status, _, _ := s.login("creditCode", otherCode).get("/employer/affiliates/" + id + "/edit"); status != 404 {
			t.Errorf("other's edit page: %d", status)
		}
		status, body, _ = c.get("/employer/affiliates/" + id + "/delete")
		if status != 200 || !strings.Contains(body, "确定删除") {
			t.Errorf("confirm page: %d", status)
		}
		status, _, h = c.postForm("/employer/affiliates/"+id+"/delete", url.Values{})
		if status != 303 || h.Get("Location") != "/employer?done=affiliate-deleted" {
			t.Errorf("delete: %d", status)
		}
		if _, body, _ := c.get("/employer"); strings.Contains(body, "长春子公司") {
			t.Error("deleted affiliate still listed")
		}
	})
}

func itoa(n int64) string { return formatInt(n) }

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }
