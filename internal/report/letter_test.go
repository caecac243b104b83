package report

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"quotacert/internal/idnum"
	"quotacert/internal/rules"
	"quotacert/internal/store/storetest"
)

func fonts(t testing.TB) *Fonts {
	t.Helper()
	fs, err := LoadFonts(DefaultFontPaths)
	if err != nil {
		if storetest.Required() {
			t.Fatalf("letter fonts missing (scripts/setup.sh installs them): %v", err)
		}
		t.Skipf("letter fonts not installed: %v", err)
	}
	if len(fs.Skipped()) > 0 {
		if storetest.Required() {
			t.Fatalf("letter fonts missing (scripts/setup.sh installs them): %v", fs.Skipped())
		}
		t.Skipf("letter fonts not all installed: %v", fs.Skipped())
	}
	return fs
}

// tool finds a poppler-utils program.
func tool(t testing.TB, name string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		if storetest.Required() {
			t.Fatalf("%s (poppler-utils) is required here", name)
		}
		t.Skipf("%s not installed (poppler-utils)", name)
	}
	return bin
}

func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// pdfText extracts a PDF's text with pdftotext; args such as -layout go before the file.
func pdfText(t testing.TB, pdf []byte, args ...string) string {
	t.Helper()
	bin := tool(t, "pdftotext")
	in := writeTemp(t, "l.pdf", pdf)
	out, err := exec.Command(bin, append(append([]string{"-enc", "UTF-8"}, args...), in, "-")...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	return string(out)
}

var sampleNames = []string{"刘喆", "杨堃", "王𠀾", "张伟", "李秀英", "阿依古丽·买买提", "赵磊", "孙丽", "周强"}

func sampleDoc(n int) *LetterDoc {
	d := &LetterDoc{
		Number: "JL2025-000007", VerifyCode: "K7QH-3XWD-9MPA-T2RC", VerifyURL: "https://quotacert.example.gov.cn/verify/K7QH3XWD9MPAT2RC",
		EmployerName: "长春市喆堃示例科技有限公司", CreditCode: "91220101MA14U8XK2R", District: "吉林省长春市南关区",
		FederationOffice: "长春市南关区残疾人联合会", TaxOffice: "国家税务总局长春市南关区税务局", Year: 2025, Employees: 126,
		IssuingOffice: "长春市南关区残疾人联合会",
		Issued:        time.Date(2026, 12, 1, 16, 30, 0, 0, time.UTC), // 2 December in China
	}
	for i := 0; i < n; i++ {
		p := LetterPerson{Name: sampleNames[i%len(sampleNames)], MaskedID: "220102********" + []string{"0012", "002X", "1234", "5671"}[i%4],
			CountedMonths: 12 - i%5}
		switch i % 3 {
		case 0:
			p.Certificate = LetterCertificate{Kind: KindDisability, Category: idnum.CategoryPhysical, Level: 2}
			p.WeightMonths = rules.WeightMonths(2 * p.CountedMonths)
		case 1:
			p.Certificate = LetterCertificate{Kind: KindDisability, Category: idnum.CategoryHearing, Level: 3}
			p.WeightMonths = rules.WeightMonths(p.CountedMonths)
		case 2:
			p.Certificate = LetterCertificate{Kind: KindVeteran, Grade: 6}
			p.WeightMonths = rules.WeightMonths(p.CountedMonths)
		}
		d.Persons = append(d.Persons, p)
	}
	d.Totals = TotalsOf(d.Persons)
	return d
}

func TestFontOrderPrefersSongStyle(t *testing.T) {
	fs := fonts(t)
	// gbsn00lp (Song) first; HanaMinA/B (Mincho, also serif) for what it lacks, before the
	// sans-serif Droid fallback; a character of CJK Extension H is in none of them.
	for _, c := range []struct {
		r    rune
		font string
	}{{'刘', "gbsn00lp.ttf"}, {'7', "gbsn00lp.ttf"}, {'）', "gbsn00lp.ttf"}, {'喆', "HanaMinA.ttf"}, {'堃', "HanaMinA.ttf"},
		{'\U0002003E', "HanaMinA.ttf"}, {'\U0002A700', "HanaMinB.ttf"}} {
		i := fs.pick(c.r)
		if i < 0 || fs.list[i].Name != c.font {
			t.Errorf("%q (U+%04X) drawn with font %d, want %s", c.r, c.r, i, c.font)
		}
	}
	if m := fs.Missing("刘喆杨堃王𠀾年审0123"); len(m) != 0 {
		t.Errorf("missing glyphs: %q", string(m))
	}
	if m := fs.Missing("\U000323AF"); len(m) != 1 {
		t.Errorf("U+323AF should be in no font, missing = %q", string(m))
	}
}

func TestLoadFonts(t *testing.T) {
	if _, err := LoadFonts(nil); !errors.Is(err, ErrNoFonts) {
		t.Errorf("no paths: %v, want ErrNoFonts", err)
	}
	notFont := writeTemp(t, "notes.ttf", []byte("this is not a font, just text long enough"))
	if _, err := LoadFonts([]string{"/nonexistent/font.ttf", notFont}); !errors.Is(err, ErrNoFonts) ||
		!strings.Contains(err.Error(), "/nonexistent/font.ttf") || !strings.Contains(err.Error(), "notes.ttf") {
		t.Errorf("only unusable fonts: %v, want ErrNoFonts naming both", err)
	}
	fonts(t)
	fs, err := LoadFonts([]string{"/nonexistent/font.ttf", DefaultFontPaths[0]})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs.Skipped()) != 1 || !strings.Contains(fs.Describe(), "skipped /nonexistent/font.ttf") {
		t.Errorf("a missing fallback font is skipped and named: %q", fs.Describe())
	}
}

func TestRenderWithoutFontsIsErrNoFonts(t *testing.T) {
	var none *Fonts
	if _, err := none.Render(sampleDoc(1), nil); !errors.Is(err, ErrNoFonts) {
		t.Errorf("nil fonts: %v", err)
	}
	if _, err := (&Fonts{}).Render(sampleDoc(1), nil); !errors.Is(err, ErrNoFonts) {
		t.Errorf("empty fonts: %v", err)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(d *LetterDoc)
	}{
		{"no number", func(d *LetterDoc) { d.Number = " " }},
		{"no employer", func(d *LetterDoc) { d.EmployerName = "" }},
		{"no issue time", func(d *LetterDoc) { d.Issued = time.Time{} }},
		{"site-relative verify URL", func(d *LetterDoc) { d.VerifyURL = "/verify/K7QH" }},
		{"verify URL of another scheme", func(d *LetterDoc) { d.VerifyURL = "javascript:alert(1)" }},
		{"no person", func(d *LetterDoc) { d.Persons = nil; d.Totals = LetterTotals{} }},
		{"totals differ from the table", func(d *LetterDoc) { d.Totals.WeightMonths++ }},
		{"weight above two per month", func(d *LetterDoc) {
			d.Persons[0].WeightMonths = rules.WeightMonths(2*d.Persons[0].CountedMonths + 1)
			d.Totals = TotalsOf(d.Persons)
		}},
		{"thirteen months", func(d *LetterDoc) { d.Persons[1].CountedMonths = 13; d.Totals = TotalsOf(d.Persons) }},
		{"seal not a PNG", func(d *LetterDoc) { d.Seal = []byte("GIF89a") }},
		{"person without a name", func(d *LetterDoc) { d.Persons[0].Name = "" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := sampleDoc(3)
			c.change(d)
			if err := d.Validate(); !errors.Is(err, ErrInvalidLetter) {
				t.Fatalf("Validate = %v, want ErrInvalidLetter", err)
			}
		})
	}
	if err := sampleDoc(3).Validate(); err != nil {
		t.Fatalf("the sample is valid: %v", err)
	}
}

func TestTotalsOf(t *testing.T) {
	got := TotalsOf(sampleDoc(3).Persons) // 12×2 + 11×1 + 10×1 weight-months
	if got != (LetterTotals{Persons: 3, CountedMonths: 33, WeightMonths: 45}) || got.EquivalentPersons() != "3.75" {
		t.Fatalf("TotalsOf = %+v (%s)", got, got.EquivalentPersons())
	}
	// Rounded once from the exact sum: 1 + 1 weight-month are 0.17, not 0.08 + 0.08.
	one := LetterPerson{CountedMonths: 1, WeightMonths: 1}
	if e := TotalsOf([]LetterPerson{one, one}).EquivalentPersons(); e != "0.17" {
		t.Fatalf("two single months = %s, want 0.17", e)
	}
}

func TestCertificateAndDate(t *testing.T) {
	for _, c := range []struct {
		cert LetterCertificate
		want string
	}{
		{LetterCertificate{Category: idnum.CategoryPhysical, Level: 2}, "残疾人证 肢体二级"},
		{LetterCertificate{Kind: KindDisability, Category: idnum.CategoryMultiple, Level: 1}, "残疾人证 多重一级"},
		{LetterCertificate{Kind: KindVeteran, Grade: 10}, "残疾军人证 十级"},
		{LetterCertificate{Kind: KindVeteran, Grade: 3}, "残疾军人证 三级"},
	} {
		if got := c.cert.String(); got != c.want {
			t.Errorf("%+v = %q, want %q", c.cert, got, c.want)
		}
	}
	// 16:30 UTC on 1 December is 00:30 on 2 December in China.
	if got := chineseDate(time.Date(2026, 12, 1, 16, 30, 0, 0, time.UTC)); got != "2026年12月2日" {
		t.Errorf("chineseDate = %q", got)
	}
}

// squash drops the spaces and line breaks pdftotext puts between table cells and lines.
func squash(s string) string { return strings.Join(strings.Fields(s), "") }

func TestLetterText(t *testing.T) {
	fs := fonts(t)
	d := sampleDoc(3)
	d.Persons[2].MaskedID = "220102199003070013" // a snapshot that kept the full number
	pdf, err := fs.Render(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.5")) {
		t.Fatalf("not a PDF 1.5: %q", pdf[:8])
	}
	raw := pdfText(t, pdf)
	text := squash(raw)
	for _, want := range []string{"残疾人按比例就业年审认证确认书", "编号：JL2025-000007",
		"长春市喆堃示例科技有限公司", "91220101MA14U8XK2R", "吉林省长春市南关区", "国家税务总局长春市南关区税务局",
		"2025年度", "126人", "序号姓名公民身份号码残疾证件认定月数计算倍数折算人数",
		"1刘喆220102********0012残疾人证肢体二级1222.00", "2杨堃220102********002X残疾人证听力三级1110.92",
		"3王𠀾220102********0013残疾军人证六级1010.83", "合计3人333.75",
		"安排残疾人就业3人，认定就业月数合计33个月，折算安排残疾人就业人数3.75人。",
		"财税〔2015〕72号", "长春市南关区残疾人联合会", "2026年12月2日", "（盖章处）",
		"验证码：K7QH-3XWD-9MPA-T2RC", "https://quotacert.example.gov.cn/verify/K7QH3XWD9MPAT2RC"} {
		if !strings.Contains(text, want) {
			t.Errorf("letter text lacks %q:\n%s", want, raw)
		}
	}
	for _, unwanted := range []string{"本确认书已作废", "第1页", "\uE000", "〓", "19900307"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("letter text has %q:\n%s", unwanted, raw)
		}
	}
}

func TestLetterReplacesCharactersNoFontHas(t *testing.T) {
	fs := fonts(t)
	d := sampleDoc(2)
	d.Persons[1].Name = "王\U000323AF" // CJK Extension H: in no installed font
	var logs bytes.Buffer
	pdf, err := fs.Render(d, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("a character no font has must not fail the letter: %v", err)
	}
	if text := squash(pdfText(t, pdf)); !strings.Contains(text, "王〓") {
		t.Errorf("the missing character is not shown as 〓:\n%s", text)
	}
	if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "U+323AF") ||
		!strings.Contains(l, "JL2025-000007") || strings.Contains(l, "王") {
		t.Errorf("want one warning naming the code point and the letter, not the name: %s", l)
	}
}

func TestLongLetterPagesAndRepeatedHeader(t *testing.T) {
	fs := fonts(t)
	pdf, err := fs.Render(sampleDoc(40), nil)
	if err != nil {
		t.Fatal(err)
	}
	all := squash(pdfText(t, pdf))
	n := strings.Count(all, "共")
	if n < 2 || strings.Count(all, "220102********") != 40 {
		t.Fatalf("want 40 rows on 2 or more pages, got %d pages:\n%s", n, all)
	}
	header := "序号姓名公民身份号码残疾证件认定月数计算倍数折算人数"
	for p := 1; p <= n; p++ {
		page := squash(pdfText(t, pdf, "-f", fmt.Sprint(p), "-l", fmt.Sprint(p)))
		if want := fmt.Sprintf("第%d页共%d页", p, n); !strings.Contains(page, want) {
			t.Errorf("page %d lacks %q:\n%s", p, want, page)
		}
		if p == 2 {
			if !strings.HasPrefix(page, "残疾人按比例就业年审认证确认书（续）") || !strings.Contains(page, "编号：JL2025-000007") {
				t.Errorf("page 2 lacks the continuation line:\n%s", page)
			}
			// In reading order the header row is the first line of the table, before row 21.
			var rows []string
			for _, l := range strings.Split(pdfText(t, pdf, "-layout", "-f", "2", "-l", "2"), "\n") {
				if strings.Contains(l, "220102") || strings.Contains(l, "序号") {
					rows = append(rows, squash(l))
				}
			}
			if len(rows) < 2 || rows[0] != header || !strings.HasPrefix(rows[1], "21") || slices.Index(rows[1:], header) >= 0 {
				t.Errorf("page 2 does not repeat the table header once, above its first row: %q", rows)
			}
		}
	}
	if !strings.Contains(all, "合计40人") || !strings.Contains(all, "40张伟") {
		t.Errorf("the last row or the totals are missing:\n%s", all)
	}
}

// TestClosingBracketNeverStartsALine places the credit code so that the "）" after it would be the
// first character of the next line (the bug of the first letter): the code moves to that line
// with its bracket instead.
func TestClosingBracketNeverStartsALine(t *testing.T) {
	fs := fonts(t)
	ts, err := fs.newTypesetter(&view{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := sampleDoc(1)
	found := false
	for k := 1; k < 30 && !found; k++ {
		name := "长春" + strings.Repeat("喆", k) + "有限公司"
		before := spanWidth("　　经审核认证，"+name+"（统一社会信用代码："+d.CreditCode, func(r rune) float64 { return ts.runeWidth(r, sizeText) })
		if before <= textW && before+ts.runeWidth('）', sizeText) > textW {
			d.EmployerName, found = name, true
		}
	}
	if !found {
		t.Fatal("no name length puts the bracket at a line start")
	}
	pdf, err := fs.Render(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	var codeLine string
	for _, l := range strings.Split(pdfText(t, pdf, "-layout"), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "）") || strings.HasPrefix(l, "，") || strings.HasPrefix(l, "。") {
			t.Errorf("a line starts with closing punctuation: %q", l)
		}
		if strings.Contains(l, d.CreditCode) && strings.Contains(l, "年度按比例") {
			codeLine = l
		}
	}
	if !strings.HasPrefix(codeLine, d.CreditCode+"）2025年度") {
		t.Errorf("the credit code should start the second line with its bracket: %q", codeLine)
	}
}

func TestCancelledLetterIsMarked(t *testing.T) {
	fs := fonts(t)
	d := sampleDoc(2)
	d.Cancelled = true
	pdf, err := fs.Render(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The banner and the verification hint ("有效或已作废"); the watermark is no text (an artifact).
	if text := squash(pdfText(t, pdf)); !strings.Contains(text, "本确认书已作废") || strings.Count(text, "已作废") != 2 {
		t.Errorf("a cancelled letter must say so:\n%s", text)
	}
}

func redSeal(t testing.TB) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 200, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 200; x++ {
			if dx, dy := x-100, y-100; dx*dx+dy*dy < 95*95 && dx*dx+dy*dy > 85*85 {
				img.Set(x, y, color.NRGBA{R: 220, A: 230})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSealImageReplacesTheSealArea(t *testing.T) {
	fs := fonts(t)
	d := sampleDoc(1)
	d.Seal = redSeal(t)
	pdf, err := fs.Render(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if text := squash(pdfText(t, pdf)); strings.Contains(text, "盖章处") {
		t.Errorf("with a seal image the placeholder is not drawn:\n%s", text)
	}
	if !bytes.Contains(pdf, []byte("/Subtype /Image")) {
		t.Error("no image in the PDF")
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	fs := fonts(t)
	a, err := fs.Render(sampleDoc(5), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := fs.Render(sampleDoc(5), nil)
	if !bytes.Equal(a, b) {
		t.Error("the same snapshot gave two different PDFs")
	}
}

func TestMetadata(t *testing.T) {
	fs := fonts(t)
	pdf, err := fs.Render(sampleDoc(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	info := pdfInfo(t, pdf)
	for _, want := range []string{"Title:           残疾人按比例就业年审认证确认书 JL2025-000007",
		"Author:          长春市南关区残疾人联合会", "Subject:         长春市喆堃示例科技有限公司 2025年度按比例安排残疾人就业情况认证",
		"Metadata Stream: yes", "PDF version:     1.5"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
}

func pdfInfo(t testing.TB, pdf []byte) string {
	t.Helper()
	out, err := exec.Command(tool(t, "pdfinfo"), writeTemp(t, "l.pdf", pdf)).CombinedOutput()
	if err != nil || strings.Contains(string(out), "Error") {
		t.Fatalf("pdfinfo: %v %s", err, out)
	}
	return string(out)
}

func TestRemapFontMapsPrivateCodesToGlyphs(t *testing.T) {
	fs := fonts(t)
	f := fs.list[fs.pick('\U0002003E')]
	g := f.glyph('\U0002003E')
	if g == 0 {
		t.Fatal("no glyph for U+2003E")
	}
	data, err := remapFont(f.data, []uint16{g, g + 1})
	if err != nil {
		t.Fatal(err)
	}
	ranges, _, err := coverage(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(ranges) != 1 || ranges[0] != (runeRange{puaBase, puaBase + 1}) {
		t.Fatalf("remapped coverage = %v", ranges)
	}
}

func BenchmarkRender(b *testing.B) {
	fs := fonts(b)
	for _, n := range []int{3, 40} {
		d := sampleDoc(n)
		b.Run(fmt.Sprintf("%dpersons", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := fs.Render(d, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestRenderConcurrently(t *testing.T) {
	fs := fonts(t)
	want, err := fs.Render(sampleDoc(4), nil)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			got, err := fs.Render(sampleDoc(4), nil)
			if err == nil && !bytes.Equal(got, want) {
				err = errors.New("a concurrent render differs")
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadFontsSkipsADamagedFont(t *testing.T) {
	fonts(t)
	data, err := os.ReadFile(DefaultFontPaths[0])
	if err != nil {
		t.Fatal(err)
	}
	damaged := writeTemp(t, "damaged.ttf", data[:len(data)/3])
	fs, err := LoadFonts([]string{damaged, DefaultFontPaths[0]})
	if err != nil || len(fs.Skipped()) != 1 || fs.list[0].Path != DefaultFontPaths[0] {
		t.Fatalf("a truncated font must be skipped: %v %v", err, fs.Skipped())
	}
}
