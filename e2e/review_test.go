package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// api is a signed-in JSON client for setting up data the way an integrator would.
type api struct {
	t    *testing.T
	base string
	c    *http.Client
}

func apiLogin(t *testing.T, base, creditCode, password string) *api {
	t.Helper()
	return apiLoginAs(t, base, map[string]string{"creditCode": creditCode, "password": password})
}

func apiLoginAs(t *testing.T, base string, body map[string]string) *api {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	a := &api{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	a.do("POST", "/api/v1/login", body, http.StatusOK, nil)
	return a
}

// seedClaims registers demo person 220102198603270620 (wage below the minimum in February and
// March) for the demo employer and claims both months with evidence; it returns the placement id.
func seedClaims(t *testing.T, emp *api) int64 {
	t.Helper()
	contract := emp.upload("劳动合同.pdf")
	var created struct{ ID int64 }
	emp.do("POST", "/api/v1/years/2025/placements", map[string]any{
		"idNumber": "220102198603270620", "name": "吴秀兰", "category": 4, "level": 3,
		"contracts": []map[string]any{{"start": "2022-01-01", "end": "2026-12-31", "fileIds": []string{contract}}},
	}, http.StatusCreated, &created)
	emp.do("PUT", fmt.Sprintf("/api/v1/placements/%d/months", created.ID), map[string]any{
		"claims": []map[string]any{
			{"month": "2025-02", "fileIds": []string{emp.upload("二月工资条.pdf")}, "note": "含补发工资"},
			{"month": "2025-03", "fileIds": []string{emp.upload("三月工资条.pdf")}, "note": "银行流水"},
		},
	}, http.StatusOK, nil)
	return created.ID
}

// seedAffiliateRequest registers a second employer that asks to count the demo employer as its
// subsidiary, so the demo employer has a request on its home page and the reviewer an affiliate
// item; it returns the item's id.
func seedAffiliateRequest(t *testing.T, base string) int64 {
	t.Helper()
	const code, password = "911100001000044477", "Second@2026x"
	anon := &api{t: t, base: base, c: &http.Client{Timeout: 30 * time.Second}}
	anon.do("POST", "/api/v1/register", map[string]string{"creditCode": code, "name": "第二示例有限公司", "password": password,
		"contactName": "李四", "contactPhone": "13900000000"}, http.StatusCreated, nil)
	other := apiLogin(t, base, code, password)
	// Its federation office reviews the request.
	other.do("PUT", "/api/v1/employer", map[string]any{"name": "第二示例有限公司", "federationOffice": "220102",
		"taxOffice": "12201020000", "district": "220102", "contactName": "李四", "contactPhone": "13900000000",
		"employeeCount": 40, "address": "长春市南关区示例路 2 号", "unitNature": "企业"}, http.StatusOK, nil)
	var af struct{ ID int64 }
	other.do("POST", "/api/v1/employer/affiliates", map[string]any{"creditCode": "91220101MA14U8XK2R", "name": "长春示例科技有限公司",
		"kind": "subsidiary", "fileIds": []string{other.upload("关系证明.pdf")}}, http.StatusCreated, &af)
	var requests struct{ Items []struct{ ID int64 } }
	apiLogin(t, base, "91220101MA14U8XK2R", "Demo@2026").do("GET", "/api/v1/employer/affiliate-requests", nil, http.StatusOK, &requests)
	if len(requests.Items) != 1 {
		t.Fatalf("the demo employer sees %d affiliate requests, want 1", len(requests.Items))
	}
	return requests.Items[0].ID
}

func (a *api) do(method, path string, body any, want int, out any) {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := a.c.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	if res.StatusCode != want {
		a.t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			a.t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
}

// upload sends a small PDF as evidence and returns its file id.
func (a *api) upload(name string) string {
	a.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := fmt.Fprintf(part, "%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%% %s\ntrailer << /Root 1 0 R >>\n%%%%EOF\n", name); err != nil {
		a.t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		a.t.Fatal(err)
	}
	req, err := http.NewRequest("POST", a.base+"/api/v1/files", &buf)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := a.c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	var f struct{ ID string }
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &f); res.StatusCode != http.StatusCreated || err != nil {
		a.t.Fatalf("upload: %d %s (%v)", res.StatusCode, raw, err)
	}
	return f.ID
}

// TestReviewAndSubmit: an employer claims two failed months; the reviewer rejects one (a comment is
// required) and approves the other in the browser; the employer then reads the pledge, confirms,
// submits, and the letter's public verification page confirms it.
func TestReviewAndSubmit(t *testing.T) {
	base := server(t, "--demo", "--captcha", "off")
	emp := apiLogin(t, base, "91220101MA14U8XK2R", "Demo@2026")
	placementID := seedClaims(t, emp)

	rev := withTimeout(t, browser(t), 2*time.Minute)
	signIn(t, rev, base, "staff", "reviewer", "Demo@2026")
	do(t, rev, "open the queue", chromedp.Navigate(base+"/review"), chromedp.WaitVisible(chromedp.CSS(`a[href^="/review/items/"]`)))
	items, err := chromedp.Run(rev, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('a[href^="/review/items/"]')).map(a => a.getAttribute("href"))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("queue has %d items, want the 2 claims: %v", len(items), items)
	}
	screenshot(t, rev, "review-queue")

	// Reject without a comment: refused, the message beside the comment field.
	do(t, rev, "reject without comment",
		chromedp.Navigate(base+items[0]),
		chromedp.WaitVisible(chromedp.CSS(`input[value=reject]`)),
		chromedp.Click(chromedp.CSS(`input[value=reject]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/decision"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#comment[aria-invalid="true"]`)),
	)
	screenshot(t, rev, "review-item")
	do(t, rev, "reject with comment",
		chromedp.Click(chromedp.CSS(`input[value=reject]`)),
		chromedp.SendKeys(chromedp.CSS("#comment"), "工资条金额与银行流水不符"),
		chromedp.Click(chromedp.CSS(`form[action$="/decision"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	do(t, rev, "approve the other",
		chromedp.Navigate(base+items[1]),
		chromedp.WaitVisible(chromedp.CSS(`input[value=approve]`)),
		chromedp.Click(chromedp.CSS(`input[value=approve]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/decision"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)

	// The employer sees the decisions at once: confirmed, 10 counted months (Feb rejected, Mar approved).
	var p struct {
		Status string
		Months []struct {
			Month    string
			Selected bool
			Claim    *struct{ Status string }
		}
	}
	emp.do("GET", fmt.Sprintf("/api/v1/placements/%d", placementID), nil, http.StatusOK, &p)
	selected := 0
	for _, m := range p.Months {
		if m.Selected {
			selected++
		}
	}
	if p.Status != "confirmed" || selected != 10 {
		t.Fatalf("after review: status %s, %d selected months", p.Status, selected)
	}

	ec := withTimeout(t, browser(t), 2*time.Minute)
	signIn(t, ec, base, "employer", "91220101MA14U8XK2R", "Demo@2026")
	do(t, ec, "read the pledge", chromedp.Navigate(base+"/declaration?year=2025"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=pledgeAccepted]`)))
	screenshot(t, ec, "declaration")
	do(t, ec, "accept the pledge",
		chromedp.Click(chromedp.CSS(`input[name=pledgeAccepted]`)),
		chromedp.Click(chromedp.CSS(`form[action="/declaration/pledge"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/declaration/submit"] button`)),
	)
	do(t, ec, "确定",
		chromedp.Click(chromedp.CSS(`form[action="/declaration/submit"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="letter.pdf"]`)),
	)
	screenshot(t, ec, "declaration-submitted")
	do(t, ec, "open the verification page", chromedp.Click(chromedp.CSS(`a[href^="/verify/"]`)))
	waitFor(t, ec, "the verification page", `location.pathname.startsWith("/verify/")`)
	do(t, ec, "read it", chromedp.WaitVisible(chromedp.CSS("main")))
	page := textOf(t, ec, "main")
	if !strings.Contains(page, "长春示例科技有限公司") || !strings.Contains(page, "有效") || strings.Contains(page, "220102198603270620") {
		t.Fatalf("verification page: %s", page)
	}
}
