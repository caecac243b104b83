package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
	"quotacert/internal/web"
)

// snapName is the employer's name at submission: 𠀾 (U+2003E, CJK Extension B) is drawn from
// HanaMinB.
const snapName = "长春市喆堃𠀾示例科技有限公司"

// letterSite is a declaration site whose employer has a complete profile and 刘喆, confirmed with
// every month of 2025 counted.
func letterSite(t *testing.T, db *store.DB, clock *storetest.Clock, edit func(*web.Deps)) (*site, *client) {
	t.Helper()
	s, pl := declSiteWith(t, db, clock, edit, nil)
	emp := s.login("creditCode", empCode)
	profile := fullProfile()
	profile["name"] = snapName
	if st, body := emp.json("PUT", "/api/v1/employer", profile); st != 200 {
		t.Fatalf("profile: %d %s", st, body)
	}
	ea := employerActor(t, db)
	file := emp.fileID("合同.pdf")
	id, err := pl.Create(context.Background(), ea, 2025, placement.Input{IDNumber: "22010219880712035X", Name: "刘喆",
		Category: 4, Level: 3, Contracts: []placement.ContractInput{{Start: "2023-03-01", FileIDs: []string{file}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pl.SaveMonths(context.Background(), ea, id, placement.SaveInput{}); err != nil {
		t.Fatal(err)
	}
	return s, emp
}

func submit(t *testing.T, emp *client) declJSON {
	t.Helper()
	st, body := emp.json("POST", "/api/v1/years/2025/declaration/submit", map[string]any{"pledgeAccepted": true})
	d := decode[declJSON](t, body)
	if st != 200 || d.Letter == nil {
		t.Fatalf("submit: %d %s", st, body)
	}
	return d
}

// getLetter downloads the letter through the page's link with the given Host header.
func getLetter(t *testing.T, c *client, host string) (int, []byte, http.Header) {
	t.Helper()
	req := c.request("GET", "/declaration/2025/letter.pdf", nil)
	if host != "" {
		withHost(c, req, host)
	}
	st, body, h := c.do(req)
	return st, []byte(body), h
}

// withHost sets the request's Host header, carrying the session cookie over by hand (the client's
// cookie jar goes by the Host, not by the URL it dials).
func withHost(c *client, req *http.Request, host string) {
	for _, ck := range c.c.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	req.Host = host
}

// exports reads the tax export in its three forms (JSON, CSV, the Excel cells).
func exports(t *testing.T, staff *client) (string, string, [][]string) {
	t.Helper()
	st, js := staff.json("GET", "/api/v1/years/2025/results", nil)
	if st != 200 {
		t.Fatalf("results: %d %s", st, js)
	}
	req := staff.request("GET", "/api/v1/years/2025/results", nil)
	req.Header.Set("Accept", "text/csv")
	st, csv, _ := staff.do(req)
	if st != 200 {
		t.Fatalf("results csv: %d", st)
	}
	st, x, _ := staff.get("/review/results.xlsx?year=2025")
	if st != 200 {
		t.Fatalf("results xlsx: %d", st)
	}
	f, err := excelize.OpenReader(strings.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cells [][]string
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		cells = append(cells, []string{"sheet " + sheet})
		cells = append(cells, rows...)
	}
	return js, csv, cells
}

// mainOf is the page's <main>, without what changes per request.
func mainOf(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		page = page[i:]
	}
	if i := strings.Index(page, "</main>"); i >= 0 {
		page = page[:i]
	}
	return page
}

// TestLetterIsASnapshot is issue 13's hole, closed: after 完成申报 the employer edits 单位名称,
// 税务主管部门 and 在职职工人数; the PDF (issued, and drawn again from the snapshot), the public verify
// page and the tax export in JSON, CSV and Excel stay as issued. Reopened and resubmitted, the year
// gets a new letter number with the new data while the cancelled letter keeps its snapshot.
func TestLetterIsASnapshot(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s, emp := letterSite(t, db, clock, nil)
		prov := s.login("username", "province")
		anon := s.login("", "")
		d := submit(t, emp)

		st, pdf, h := getLetter(t, emp, "")
		if !letterCheck(t, st, h) {
			return
		}
		if dir := os.Getenv("QUOTACERT_SCREENSHOTS"); dir != "" && db.Dialect() == "sqlite" {
			// The user guide shows page 1 of an issued letter (pdftoppm of this file).
			if err := os.WriteFile(filepath.Join(dir, "letter-issued.pdf"), pdf, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		text := pdfText(t, pdf)
		for _, want := range []string{snapName, empCode, "吉林省长春市南关区", "长春市南关区残疾人联合会", "国家税务总局长春市南关区税务局",
			"120人", "刘喆", "220102********035X", "残疾人证肢体三级", "2026年4月1日", d.Letter.Number,
			"https://quotacert.example/verify/" + d.Letter.VerifyCode, "盖章处"} {
			if !strings.Contains(text, want) {
				t.Errorf("letter lacks %q:\n%s", want, text)
			}
		}
		sum := sha256.Sum256(pdf)
		verify := "/verify/" + d.Letter.VerifyCode
		_, page1, _ := anon.get(verify)
		if !strings.Contains(page1, hex.EncodeToString(sum[:])) || !strings.Contains(page1, snapName) {
			t.Fatalf("verify page lacks the PDF's SHA-256 or the name:\n%s", mainOf(page1))
		}
		js1, csv1, xlsx1 := exports(t, prov)
		if !strings.Contains(js1, snapName) || !strings.Contains(js1, `"taxOffice":"12201020000"`) {
			t.Fatalf("results: %s", js1)
		}
		if x := fmt.Sprint(xlsx1); !strings.Contains(x, "[sheet 认证人员] [统一社会信用代码 单位名称 确认书编号 状态 序号 姓名 公民身份号码 残疾证件 认定月数 折算人数] ["+
			empCode+" "+snapName+" "+d.Letter.Number+" 有效 1 刘喆 220102********035X 残疾人证（肢体残疾，三级） 12 1]") {
			t.Fatalf("the workbook lacks the certified persons: %v", xlsx1)
		}

		// The edit after submission.
		profile := fullProfile()
		profile["name"], profile["taxOffice"], profile["employeeCount"] = "长春市改名以后有限公司", "12201000000", 999
		if st, body := emp.json("PUT", "/api/v1/employer", profile); st != 200 {
			t.Fatalf("edit after submission: %d %s", st, body)
		}

		// The download is the issued file itself, byte for byte.
		if st, again, _ := getLetter(t, emp, ""); st != 200 || !bytes.Equal(again, pdf) {
			t.Fatalf("second download: %d, same bytes %v", st, bytes.Equal(again, pdf))
		}
		// Drawn again (the stored PDF forgotten), it comes from the snapshot alone; the Host header
		// of the request decides nothing.
		s.exec(`UPDATE letters SET pdf_file = NULL, pdf_sha256 = ''`)
		st, redrawn, _ := getLetter(t, emp, "evil.example")
		if st != 200 {
			t.Fatalf("redraw: %d %s", st, redrawn)
		}
		text2 := pdfText(t, redrawn)
		for _, want := range []string{snapName, "国家税务总局长春市南关区税务局", "120人", "https://quotacert.example/verify/" + d.Letter.VerifyCode} {
			if !strings.Contains(text2, want) {
				t.Errorf("redrawn letter lacks %q:\n%s", want, text2)
			}
		}
		for _, not := range []string{"改名以后", "国家税务总局长春市税务局", "999", "evil.example"} {
			if strings.Contains(text2, not) {
				t.Errorf("redrawn letter shows live data or the request's host %q:\n%s", not, text2)
			}
		}
		_, page2, _ := anon.get(verify)
		if strings.Contains(page2, "改名以后") || strings.Contains(page2, "国家税务总局长春市税务局") || strings.Contains(page2, "999") ||
			!strings.Contains(page2, "国家税务总局长春市南关区税务局") || !strings.Contains(page2, "120 人") {
			t.Fatalf("verify page shows live data:\n%s", mainOf(page2))
		}
		if js2, csv2, xlsx2 := exports(t, prov); js2 != js1 || csv2 != csv1 || fmt.Sprint(xlsx2) != fmt.Sprint(xlsx1) {
			t.Fatalf("export changed after the edit:\n%s\n%s\n%s\n%s\n%v\n%v", js1, js2, csv1, csv2, xlsx1, xlsx2)
		}

		// The reviewer's 审核 page of the reopen request shows the letter as issued, persons included.
		if st, body := emp.json("POST", "/api/v1/years/2025/declaration/reopen", map[string]string{"reason": "职工人数有误"}); st != 200 {
			t.Fatalf("reopen: %d %s", st, body)
		}
		var item int64
		s.scan(`SELECT id FROM review_items WHERE kind = 'reopen'`, &item)
		st, rpage, _ := prov.get(fmt.Sprintf("/review/items/%d", item))
		if st != 200 {
			t.Fatalf("reopen item page: %d", st)
		}
		mustContain(t, "reopen item page", rpage, `id="letter-persons"`, "<th scope=\"row\">刘喆</th>", "220102********035X",
			"残疾人证（肢体残疾，三级）", snapName, "国家税务总局长春市南关区税务局", "120 人", d.Letter.Number)
		if st, body := prov.json("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", item), map[string]any{"approve": true}); st != 200 {
			t.Fatalf("approve reopen: %d %s", st, body)
		}

		// Resubmitted: a new number, the new data; the cancelled letter keeps its snapshot.
		d2 := submit(t, emp)
		if d2.Letter.Number == d.Letter.Number || d2.Letter.VerifyCode == d.Letter.VerifyCode {
			t.Fatalf("resubmission kept the letter %s", d.Letter.Number)
		}
		st, pdf2, _ := getLetter(t, emp, "")
		if text := pdfText(t, pdf2); st != 200 || !strings.Contains(text, "长春市改名以后有限公司") || !strings.Contains(text, "999人") ||
			!strings.Contains(text, "国家税务总局长春市税务局") || !strings.Contains(text, d2.Letter.Number) {
			t.Fatalf("new letter: %d\n%s", st, text)
		}
		_, page3, _ := anon.get(verify)
		mustContain(t, "cancelled letter's verify page", page3, "已作废", snapName, "国家税务总局长春市南关区税务局", "120 人")
		if strings.Contains(page3, "改名以后") {
			t.Fatalf("cancelled letter shows live data:\n%s", mainOf(page3))
		}
		_, js3 := prov.json("GET", "/api/v1/years/2025/results", nil)
		want := fmt.Sprintf(`{"items":[{"creditCode":"%s","name":"%s","taxOffice":"12201020000","persons":1,"countedMonths":12,"equivalentPersons":1,"letterNumber":"%s","status":"cancelled"},`+
			`{"creditCode":"%s","name":"长春市改名以后有限公司","taxOffice":"12201000000","persons":1,"countedMonths":12,"equivalentPersons":1,"letterNumber":"%s","status":"valid"}]}`+"\n",
			empCode, snapName, d.Letter.Number, empCode, d2.Letter.Number)
		if js3 != want {
			t.Fatalf("results after resubmission:\n got %s\nwant %s", js3, want)
		}
	})
}

// TestLetterNeedsTheBaseURL: without --base-url the download refuses in Chinese, naming the flag,
// whatever Host the request names, and keeps no PDF; the API answers the same as JSON.
func TestLetterNeedsTheBaseURL(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s, emp := letterSite(t, db, clock, func(d *web.Deps) { d.PublicURL = "" })
		submit(t, emp)
		st, body, h := getLetter(t, emp, "evil.example")
		if st != http.StatusServiceUnavailable || !strings.HasPrefix(h.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(body), "--base-url") || strings.Contains(string(body), "evil.example") {
			t.Fatalf("letter without base URL: %d %s\n%s", st, h.Get("Content-Type"), body)
		}
		req := emp.request("GET", "/api/v1/years/2025/declaration/letter.pdf", nil)
		withHost(emp, req, "evil.example")
		st, js, _ := emp.do(req)
		if st != http.StatusServiceUnavailable || !strings.Contains(js, `"code":"unavailable"`) || !strings.Contains(js, "--base-url") {
			t.Fatalf("API letter without base URL: %d %s", st, js)
		}
		var issued int
		s.scan(`SELECT COUNT(*) FROM letters WHERE pdf_file IS NOT NULL`, &issued)
		if issued != 0 {
			t.Fatalf("%d letters issued without a base URL", issued)
		}
	})
}

// TestLetterWithoutFontsIsAChinese503: no font installed → the download is a Chinese 503 page, not
// a 500 with JSON.
func TestLetterWithoutFontsIsAChinese503(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		_, emp := letterSite(t, db, clock, func(d *web.Deps) { d.Letters = nil })
		submit(t, emp)
		st, body, h := getLetter(t, emp, "")
		if st != http.StatusServiceUnavailable || !strings.HasPrefix(h.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(body), "确认书字体未安装，请联系管理员") {
			t.Fatalf("letter without fonts: %d %s\n%s", st, h.Get("Content-Type"), body)
		}
	})
}

// TestIssuedLetterSignature: the downloaded letter carries a signature pdfsig accepts over the whole
// file; one changed byte fails it.
func TestIssuedLetterSignature(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		_, emp := letterSite(t, db, clock, nil)
		submit(t, emp)
		st, pdf, h := getLetter(t, emp, "")
		if !letterCheck(t, st, h) {
			return
		}
		rep := pdfsigReport(t, pdf)
		for _, want := range []string{"Signature is Valid.", "Total document signed", "测试 吉林省残疾人联合会"} {
			if !strings.Contains(rep, want) {
				t.Errorf("pdfsig lacks %q:\n%s", want, rep)
			}
		}
		at := bytes.Index(pdf, []byte("<pdf:Producer>quotacert")) + len("<pdf:Producer>")
		if at < len("<pdf:Producer>") {
			t.Fatal("no producer in the XMP metadata")
		}
		tampered := bytes.Clone(pdf)
		tampered[at] ^= 0x20
		if rep := pdfsigReport(t, tampered); strings.Contains(rep, "Signature is Valid.") {
			t.Errorf("a tampered letter still verifies:\n%s", rep)
		}
	})
}

func pdfsigReport(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdfsig")
	if err != nil {
		if storetest.Required() {
			t.Fatal("pdfsig (poppler-utils) is required here")
		}
		t.Skip("pdfsig not installed")
	}
	in := filepath.Join(t.TempDir(), "l.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command(bin, in).CombinedOutput() // non-zero for an invalid signature
	return string(out)
}

// TestLetterCharacterNoFontHas: a name with a character no installed font has (CJK Extension H)
// downloads as a letter with a visible replacement and a warning in the log, never a 500.
func TestLetterCharacterNoFontHas(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		logs := &lockedBuffer{}
		s, emp := letterSite(t, db, clock, func(d *web.Deps) { d.Log = slog.New(slog.NewJSONHandler(logs, nil)) })
		s.exec(`UPDATE employers SET name = $1`, "长春市\U000323AF示例有限公司")
		submit(t, emp)
		st, pdf, h := getLetter(t, emp, "")
		if !letterCheck(t, st, h) {
			return
		}
		if text := pdfText(t, pdf); !strings.Contains(text, "长春市〓示例有限公司") {
			t.Errorf("no visible replacement:\n%s", text)
		}
		if !strings.Contains(logs.String(), `"level":"WARN"`) || !strings.Contains(logs.String(), "U+323AF") {
			t.Errorf("no warning naming the character: %s", logs.String())
		}
	})
}

// lockedBuffer collects the server's log lines, written on the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestConcurrentFirstDownloads: two first downloads at once keep one issued PDF; both answer it.
func TestConcurrentFirstDownloads(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s, emp := letterSite(t, db, clock, nil)
		submit(t, emp)
		if st, _, h := getLetter(t, emp, ""); !letterCheck(t, st, h) {
			return
		}
		for round := 0; round < 5; round++ {
			s.exec(`UPDATE letters SET pdf_file = NULL, pdf_sha256 = ''`)
			s.exec(`DELETE FROM files WHERE name LIKE 'JL%'`)
			var wg sync.WaitGroup
			got := make([][]byte, 2)
			codes := make([]int, 2)
			for i := range got {
				wg.Add(1)
				go func() {
					defer wg.Done()
					codes[i], got[i], _ = getLetter(t, emp, "")
				}()
			}
			wg.Wait()
			var letterFiles int
			var sum string
			s.scan(`SELECT COUNT(*) FROM files WHERE name LIKE 'JL%'`, &letterFiles)
			s.scan(`SELECT pdf_sha256 FROM letters`, &sum)
			want := sha256.Sum256(got[0])
			if codes[0] != 200 || codes[1] != 200 || !bytes.Equal(got[0], got[1]) || letterFiles != 1 || sum != hex.EncodeToString(want[:]) {
				t.Fatalf("round %d: %v, same bytes %v, %d letter files, recorded hash matches %v", round, codes,
					bytes.Equal(got[0], got[1]), letterFiles, sum == hex.EncodeToString(want[:]))
			}
		}
	})
}

// TestFortyPersonLetter: a letter whose snapshot names 40 persons prints on several pages, each
// with "第 n 页 共 N 页", the table header again on every page with rows, every person once. The
// persons are added to the snapshot directly: the letter is drawn from it alone.
func TestFortyPersonLetter(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s, emp := letterSite(t, db, clock, nil)
		submit(t, emp)
		var letter int64
		s.scan(`SELECT id FROM letters`, &letter)
		names := []string{"杨堃", "王𠀾", "张伟", "李秀英"}
		for i := 2; i <= 40; i++ {
			s.exec(`INSERT INTO letter_persons (letter_id, position, name, id_masked, certificate_kind, category, level, grade,
                counted_months, weight_months) VALUES ($1, $2, $3, $4, 'disability', 4, 2, 0, 12, 24)`,
				letter, i, fmt.Sprintf("%s%02d", names[i%len(names)], i), fmt.Sprintf("220102********%04d", i))
		}
		// The snapshot now names 40 persons; the issued file is forgotten, so the download draws it.
		s.exec(`UPDATE letters SET persons = 40, counted_months = 480, weight_months = 12 + 39 * 24, pdf_file = NULL, pdf_sha256 = ''`)
		st, pdf, h := getLetter(t, emp, "")
		if !letterCheck(t, st, h) {
			return
		}
		all := pdfText(t, pdf)
		pages := strings.Count(all, "共")
		if pages < 2 || strings.Count(all, "220102********") != 40 || !strings.Contains(all, "合计40人") {
			t.Fatalf("want 40 rows on several pages, got %d pages:\n%s", pages, all)
		}
		for p := 1; p <= pages; p++ {
			page := pdfPage(t, pdf, p)
			if want := fmt.Sprintf("第%d页共%d页", p, pages); !strings.Contains(page, want) {
				t.Errorf("page %d lacks %q:\n%s", p, want, page)
			}
			if strings.Contains(page, "220102********") && (!strings.Contains(page, "序号姓名公民身份号码") ||
				!strings.Contains(page, "残疾证件认定月数计算倍数折算人数")) {
				t.Errorf("page %d has rows of the table but not its header:\n%s", p, page)
			}
		}
		for _, want := range []string{"1刘喆", "王𠀾", "杨堃", "40杨堃40"} {
			if !strings.Contains(all, want) {
				t.Errorf("letter lacks %q", want)
			}
		}
	})
}

// pdfPage is the squashed text of one page.
func pdfPage(t *testing.T, pdf []byte, page int) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "l.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", "-f", fmt.Sprint(page), "-l", fmt.Sprint(page), in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), "")
}
