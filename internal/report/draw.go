package report

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// The page: A4 with the margins of an official document (GB/T 9704 keeps a type area of about
// 156 × 225 mm; the table needs a little more width).
const (
	pageW, pageH = 210.0, 297.0
	left         = 25.0
	right        = pageW - 25.0
	textW        = right - left
	top          = 25.0
	bottom       = pageH - 20.0 // content ends here; the page number sits below
	ptMM         = 25.4 / 72    // one point in millimetres
)

// Type sizes in points: 二号 22 for the title, 小四 12 for the text, 五号 10.5 and smaller for the
// tables and notes.
const (
	sizeTitle = 20.0
	sizeText  = 12.0
	sizeTable = 10.0
	sizeNote  = 9.0
)

// glyphRef says how one character is drawn: in which fpdf font family, as which code, and whether
// that code is a Private Use Area stand-in (remap.go) needing an ActualText span.
type glyphRef struct {
	family string
	code   rune
	remap  bool
	width  int // advance in 1/1000 em
}

// typesetter draws one letter.
type typesetter struct {
	pdf        *fpdf.Fpdf
	fs         *Fonts
	v          *view
	log        *slog.Logger
	glyphs     map[rune]glyphRef
	registered map[string]bool
	remapped   map[rune]rune // supplementary character → its Private Use Area code
	repl       rune          // drawn for a character that no font has
	missing    []rune
	y          float64
	newPageHdr func()  // repeats the table header while a table is drawn
	spacing    float64 // extra advance after each character (mm), for justified lines
}

func (fs *Fonts) draw(v *view, log *slog.Logger) ([]byte, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ts, err := fs.newTypesetter(v, log)
	if err != nil {
		return nil, err
	}
	pdf := ts.pdf
	ts.metadata()
	pdf.SetMargins(left, top, pageW-right)
	pdf.SetAutoPageBreak(false, 0)
	ts.letter()
	if n := pdf.PageCount(); n > 1 {
		for i := 1; i <= n; i++ {
			pdf.SetPage(i)
			ts.textAt(pageW/2, pageH-14, fmt.Sprintf("第 %d 页 共 %d 页", i, n), sizeNote, 'C')
		}
	}
	if len(ts.missing) > 0 {
		codes := make([]string, len(ts.missing))
		for i, r := range ts.missing {
			codes[i] = fmt.Sprintf("U+%04X", r)
		}
		// The characters are named by code only: the text around them is personal data.
		log.Warn("certification letter: characters that no font has are printed as a replacement; add a font that has them to --fonts",
			"letter", v.number, "characters", strings.Join(codes, " "), "replacement", string(ts.repl))
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("render letter: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("write letter: %w", err)
	}
	return finish(buf.Bytes())
}

// finish corrects two things fpdf v0.9 leaves out of its output, in place and without moving any
// object: the catalog does not reference the XMP metadata stream fpdf writes (so readers and
// PDF/A checkers see none), and the header says PDF 1.3 although ActualText is PDF 1.5.
func finish(doc []byte) ([]byte, error) {
	if bytes.HasPrefix(doc, []byte("%PDF-1.3")) || bytes.HasPrefix(doc, []byte("%PDF-1.4")) {
		copy(doc, "%PDF-1.5")
	}
	meta := bytes.Index(doc, []byte("<< /Type /Metadata /Subtype /XML"))
	catalog := bytes.LastIndex(doc, []byte("/Type /Catalog\n"))
	sx := bytes.LastIndex(doc, []byte("startxref\n"))
	if meta < 0 || catalog < meta || sx < catalog {
		return nil, errors.New("write letter: unexpected PDF structure (metadata, catalog, startxref)")
	}
	objStart := bytes.LastIndex(doc[:meta], []byte("\n")) // "\nK 0 obj\n<< /Type /Metadata"
	objStart = bytes.LastIndex(doc[:objStart], []byte("\n")) + 1
	var num int
	if _, err := fmt.Sscanf(string(doc[objStart:meta]), "%d 0 obj", &num); err != nil {
		return nil, fmt.Errorf("write letter: metadata object number: %w", err)
	}
	var xref int
	rest := doc[sx+len("startxref\n"):]
	if _, err := fmt.Sscanf(string(rest), "%d", &xref); err != nil {
		return nil, fmt.Errorf("write letter: startxref: %w", err)
	}
	insert := fmt.Sprintf("/Metadata %d 0 R\n", num)
	at := catalog + len("/Type /Catalog\n")
	out := make([]byte, 0, len(doc)+len(insert)+8)
	out = append(out, doc[:at]...)
	out = append(out, insert...)
	out = append(out, doc[at:sx]...)
	out = fmt.Appendf(out, "startxref\n%d\n%%%%EOF\n", xref+len(insert))
	return out, nil
}

func (fs *Fonts) newTypesetter(v *view, log *slog.Logger) (*typesetter, error) {
	ts := &typesetter{pdf: fpdf.New("P", "mm", "A4", ""), fs: fs, v: v, log: log, glyphs: map[rune]glyphRef{},
		registered: map[string]bool{}, remapped: map[rune]rune{}, repl: '?'}
	for _, r := range []rune{'〓', '□'} {
		if fs.pick(r) >= 0 {
			ts.repl = r
			break
		}
	}
	if err := ts.prepareRemaps(); err != nil {
		return nil, err
	}
	return ts, nil
}

// prepareRemaps finds the characters beyond U+FFFF in the letter and builds, for each font that
// draws some, a copy whose cmap maps Private Use Area codes to them (remap.go). It must run before
// anything is measured, since fpdf reads a font's widths when the font is added.
func (ts *typesetter) prepareRemaps() error {
	byFont := map[int][]rune{}
	ts.v.eachText(func(s string) {
		for _, r := range s {
			if r <= 0xFFFF || ts.remapped[r] != 0 {
				continue
			}
			i := ts.fs.pick(r)
			if i < 0 || ts.fs.list[i].glyph(r) == 0 || len(ts.remapped) > puaLast-puaBase {
				continue // drawn as the replacement
			}
			ts.remapped[r] = rune(puaBase + len(ts.remapped))
			byFont[i] = append(byFont[i], r)
		}
	})
	for i, rs := range byFont {
		f := ts.fs.list[i]
		glyphs := make([]uint16, len(rs))
		for k, r := range rs {
			glyphs[k] = f.glyph(r)
		}
		// The codes of one font must be consecutive from U+E000 in its copy: renumber them.
		data, err := remapFont(f.data, glyphs)
		if err != nil {
			return fmt.Errorf("font %s: %w", f.Name, err)
		}
		family := fmt.Sprintf("f%dx", i)
		ts.pdf.AddUTF8FontFromBytes(family, "", data)
		ts.registered[family] = true
		for k, r := range rs {
			ts.remapped[r] = rune(puaBase + k)
			ts.glyphs[r] = glyphRef{family: family, code: rune(puaBase + k), remap: true}
		}
	}
	for r, g := range ts.glyphs {
		ts.pdf.SetFont(g.family, "", sizeText)
		g.width = ts.pdf.GetStringSymbolWidth(string(g.code))
		ts.glyphs[r] = g
	}
	return ts.pdf.Error()
}

// glyph returns how r is drawn, choosing the first font that has it (or the replacement).
func (ts *typesetter) glyph(r rune) glyphRef {
	if g, ok := ts.glyphs[r]; ok {
		return g
	}
	code := r
	if unicode.IsControl(r) || r == '\u00AD' {
		code = ' '
	}
	i := ts.fs.pick(code)
	if i < 0 || code > 0xFFFF {
		if code != ' ' {
			ts.missing = append(ts.missing, r)
		}
		code = ts.repl
		if i = ts.fs.pick(code); i < 0 {
			i = 0
		}
	}
	g := glyphRef{family: fmt.Sprintf("f%d", i), code: code}
	if !ts.registered[g.family] {
		ts.pdf.AddUTF8FontFromBytes(g.family, "", ts.fs.list[i].data)
		ts.registered[g.family] = true
	}
	ts.pdf.SetFont(g.family, "", sizeText)
	g.width = ts.pdf.GetStringSymbolWidth(string(g.code))
	ts.glyphs[r] = g
	return g
}

func (ts *typesetter) runeWidth(r rune, size float64) float64 {
	return float64(ts.glyph(r).width) / 1000 * size * ptMM
}

func (ts *typesetter) width(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += ts.runeWidth(r, size)
	}
	return w
}

// text draws s with its baseline at y from x: consecutive characters of one font in one text
// operation, characters drawn through a remapped font inside an ActualText span.
func (ts *typesetter) text(x, y float64, s string, size float64) {
	rs := []rune(s)
	for i := 0; i < len(rs); {
		g := ts.glyph(rs[i])
		j := i + 1
		for j < len(rs) && ts.glyph(rs[j]).family == g.family {
			j++
		}
		codes := make([]rune, 0, j-i)
		for _, r := range rs[i:j] {
			codes = append(codes, ts.glyph(r).code)
		}
		ts.pdf.SetFont(g.family, "", size)
		if g.remap {
			ts.pdf.RawWriteStr(actualText(string(rs[i:j])))
		}
		ts.pdf.Text(x, y, string(codes))
		if g.remap {
			ts.pdf.RawWriteStr("EMC\n")
		}
		x += ts.width(string(rs[i:j]), size) + ts.spacing*float64(j-i)
		i = j
	}
}

// justified draws a line spread to the full width w, as Chinese text is set: the extra space
// goes between the characters (PDF character spacing, Tc). A line that would need more than a
// sixth of an em between characters (a long word pushed to the next line) stays ragged.
func (ts *typesetter) justified(x, y float64, line string, size, w float64) {
	n := len([]rune(line))
	extra := w - ts.width(line, size)
	if n < 2 || extra <= 0 || extra/float64(n-1) > size*ptMM/6 {
		ts.text(x, y, line, size)
		return
	}
	ts.spacing = extra / float64(n-1)
	ts.pdf.RawWriteStr(fmt.Sprintf("%.3f Tc\n", ts.spacing*72/25.4))
	ts.text(x, y, line, size)
	ts.pdf.RawWriteStr("0 Tc\n")
	ts.spacing = 0
}

// textAt draws one line aligned at x: 'L' starts there, 'C' is centred on it, 'R' ends there.
func (ts *typesetter) textAt(x, y float64, s string, size float64, align byte) {
	switch align {
	case 'C':
		x -= ts.width(s, size) / 2
	case 'R':
		x -= ts.width(s, size)
	}
	ts.text(x, y, s, size)
}

// wrap breaks text into lines of at most w millimetres (linebreak.go).
func (ts *typesetter) wrap(spans []span, w, size float64) []string {
	for i := range spans {
		spans[i].text = flat(spans[i].text)
	}
	return breakLines(spans, w, func(r rune) float64 { return ts.runeWidth(r, size) })
}

// flat turns line breaks and other control characters into spaces: a name or an office typed with
// a newline is still one line of text.
func flat(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// baseline is where text of the given size sits in a line box starting at y of height h: CJK
// glyphs reach about 0.88 em above and 0.12 em below it, so this centres them.
func baseline(y, h, size float64) float64 { return y + h/2 + 0.36*size*ptMM }

// ensure starts a new page when h millimetres do not fit on this one.
func (ts *typesetter) ensure(h float64) {
	if ts.y+h > bottom {
		ts.newPage()
	}
}

func (ts *typesetter) newPage() {
	ts.pdf.AddPage()
	ts.y = top
	if ts.v.cancelled {
		ts.watermark()
	}
	if ts.pdf.PageNo() > 1 {
		ts.pdf.SetTextColor(90, 90, 90)
		ts.textAt(left, 17, "残疾人按比例就业年审认证确认书（续）", sizeNote, 'L')
		ts.textAt(right, 17, "编号："+ts.v.number, sizeNote, 'R')
		ts.pdf.SetTextColor(0, 0, 0)
		ts.pdf.SetDrawColor(120, 120, 120)
		ts.pdf.SetLineWidth(0.2)
		ts.pdf.Line(left, 19.5, right, 19.5)
		ts.pdf.SetDrawColor(0, 0, 0)
		ts.y = 24
		if ts.newPageHdr != nil {
			ts.newPageHdr()
		}
	}
}

// watermark draws 已作废 across the page under the content, in an opaque light colour (no
// transparency, which PDF/A-1 forbids).
func (ts *typesetter) watermark() {
	ts.pdf.TransformBegin()
	ts.pdf.TransformRotate(32, pageW/2, pageH/2)
	ts.pdf.SetTextColor(244, 196, 196)
	// Decoration, not text: the banner on page 1 says it in words. An empty ActualText keeps the
	// huge rotated characters out of text extraction and screen readers, where they would land
	// in the middle of the table's words.
	ts.pdf.RawWriteStr("/Artifact <</Type /Pagination /Subtype /Watermark>> BDC\n/Span <</ActualText ()>> BDC\n")
	ts.textAt(pageW/2, pageH/2+12, "已作废", 96, 'C')
	ts.pdf.RawWriteStr("EMC\nEMC\n")
	ts.pdf.SetTextColor(0, 0, 0)
	ts.pdf.TransformEnd()
}

// paragraph draws wrapped text, justified but for its last line, breaking pages between lines.
func (ts *typesetter) paragraph(spans []span, size, lineH float64) {
	lines := ts.wrap(spans, textW, size)
	for i, line := range lines {
		ts.ensure(lineH)
		line = strings.TrimRight(line, " ")
		if i < len(lines)-1 {
			ts.justified(left, baseline(ts.y, lineH, size), line, size, textW)
		} else {
			ts.text(left, baseline(ts.y, lineH, size), line, size)
		}
		ts.y += lineH
	}
}

func (ts *typesetter) heading(s string) {
	ts.ensure(8 + 12) // a heading is never left alone at the foot of a page
	ts.y += 1.5
	ts.bold(func() { ts.text(left, baseline(ts.y, 7, sizeText), s, sizeText) })
	ts.y += 7.5
}

// bold draws with a thin stroke around the glyphs: the free Song fonts have no bold face.
func (ts *typesetter) bold(draw func()) {
	ts.pdf.RawWriteStr("2 Tr 0.3 w\n")
	draw()
	ts.pdf.RawWriteStr(fmt.Sprintf("0 Tr %.2f w\n", ts.pdf.GetLineWidth()*72/25.4))
}

// column of a table.
type column struct {
	title string
	width float64
	align byte
}

const cellPad, cellLineH = 1.1, 4.8

// row draws one table row; fill shades it (headers and labels).
func (ts *typesetter) row(cols []column, cells []string, size float64, fill []bool) {
	lines := make([][]string, len(cols))
	h := 0.0
	for i, c := range cols {
		lines[i] = ts.wrap(nameSpans(cells[i]), c.width-2*cellPad, size)
		h = max(h, float64(len(lines[i]))*cellLineH+2*cellPad)
	}
	ts.ensure(h)
	x := left
	ts.pdf.SetLineWidth(0.25)
	for i, c := range cols {
		style := "D"
		if fill != nil && fill[i] {
			ts.pdf.SetFillColor(236, 236, 236)
			style = "FD"
		}
		ts.pdf.Rect(x, ts.y, c.width, h, style)
		y := ts.y + (h-float64(len(lines[i]))*cellLineH)/2
		for _, l := range lines[i] {
			l = strings.TrimRight(l, " ")
			switch c.align {
			case 'C':
				ts.textAt(x+c.width/2, baseline(y, cellLineH, size), l, size, 'C')
			case 'R':
				ts.textAt(x+c.width-cellPad, baseline(y, cellLineH, size), l, size, 'R')
			default:
				ts.textAt(x+cellPad, baseline(y, cellLineH, size), l, size, 'L')
			}
			y += cellLineH
		}
		x += c.width
	}
	ts.y += h
}

// nameSpans keeps the parts of a name together: a name too long for its cell ("阿依古丽·买买提")
// breaks after its middle dot rather than inside a part.
func nameSpans(s string) []span {
	var out []span
	for s != "" {
		i := strings.IndexAny(s, "·•・")
		if i < 0 {
			out = append(out, span{text: s, keep: true})
			break
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		out = append(out, span{text: s[:i+n], keep: true})
		s = s[i+n:]
	}
	return out
}

var personColumns = []column{
	{"序号", 10, 'C'}, {"姓名", 24, 'L'}, {"公民身份号码", 36, 'C'}, {"残疾证件", 34, 'L'},
	{"认定月数", 18, 'C'}, {"计算倍数", 18, 'C'}, {"折算人数", 20, 'C'},
}

func (ts *typesetter) letter() {
	v := ts.v
	ts.newPage()
	ts.y = top - 4
	ts.bold(func() {
		ts.textAt(pageW/2, baseline(ts.y, 12, sizeTitle), "残疾人按比例就业年审认证确认书", sizeTitle, 'C')
	})
	ts.y += 14
	ts.textAt(right, baseline(ts.y, 6, 11), "编号："+v.number, 11, 'R')
	ts.y += 9
	if v.cancelled {
		ts.pdf.SetTextColor(180, 0, 0)
		ts.paragraph([]span{{text: "本确认书已作废，仅供查阅，不能作为申报缴纳残疾人就业保障金的依据。"}}, sizeText, 7)
		ts.pdf.SetTextColor(0, 0, 0)
		ts.y += 2
	}
	ts.paragraph(v.intro, sizeText, 7.2)
	ts.y += 1

	ts.heading("一、用人单位基本情况")
	wide := []column{{"", 32, 'L'}, {"", textW - 32, 'L'}}
	pair := []column{{"", 32, 'L'}, {"", textW/2 - 32, 'L'}, {"", 28, 'L'}, {"", textW/2 - 28, 'L'}}
	for _, r := range v.info {
		if len(r) == 4 {
			ts.row(pair, r, 10.5, []bool{true, false, true, false})
		} else {
			ts.row(wide, r, 10.5, []bool{true, false})
		}
	}
	ts.y += 2

	if len(v.persons) > 0 {
		ts.heading("二、安排残疾人就业人员名单")
		titles := make([]string, len(personColumns))
		head := make([]bool, len(personColumns))
		for i, c := range personColumns {
			titles[i], head[i] = c.title, true
		}
		header := func() { ts.row(personColumns, titles, sizeTable, head) }
		ts.ensure(3 * 10) // the header with at least a row or two
		header()
		ts.newPageHdr = header
		for _, r := range v.persons {
			ts.row(personColumns, r, sizeTable, nil)
		}
		ts.row(personColumns, v.total, sizeTable, head)
		ts.newPageHdr = nil
		ts.y += 1.5
		ts.pdf.SetTextColor(70, 70, 70)
		ts.paragraph([]span{{text: "注：计算倍数为每个认定月份的权重，持残疾人证一至二级或残疾军人证一至三级的按2名计算" +
			"（残联厅函〔2022〕63号）；折算人数 = 认定月份权重之和 ÷ 12，合计由权重之和折算后四舍五入保留两位小数。"}}, sizeNote, 4.4)
		ts.pdf.SetTextColor(0, 0, 0)
		ts.y += 2
		ts.heading("三、认证结果")
	} else {
		ts.heading("二、认证结果")
	}
	ts.paragraph([]span{{text: "　　" + v.result}}, sizeText, 7.2)
	ts.y += 1
	// The statement stays with the office, date and seal: a seal alone on a page certifies nothing.
	var statement [][]span
	lines := 0
	for _, p := range strings.Split(v.statement, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			statement = append(statement, []span{{text: "　　" + p}})
			lines += len(ts.wrap([]span{{text: "　　" + p}}, textW, sizeText))
		}
	}
	ts.ensure(float64(lines)*7.2 + ts.closingHeight())
	for _, p := range statement {
		ts.paragraph(p, sizeText, 7.2)
	}
	ts.closing()
}

// closing draws the verification block (QR code, code, URL) on the left and the issuing office,
// the date and the seal on the right, kept together on one page.
func (ts *typesetter) closing() {
	v := ts.v
	cx := right - 30.0
	officeLines := ts.officeLines()
	blockH := ts.closingHeight()
	ts.ensure(blockH)
	ts.y += 6
	y0 := ts.y

	// Office and date, centred under the seal's place as a stamp is set on them.
	y := y0 + sealR - float64(len(officeLines)+1)*lineH/2
	for _, l := range officeLines {
		ts.textAt(cx, baseline(y, lineH, sizeText), strings.TrimRight(l, " "), sizeText, 'C')
		y += lineH
	}
	ts.textAt(cx, baseline(y, lineH, sizeText), v.date, sizeText, 'C')
	cy := y0 + sealR
	if len(v.seal) > 0 {
		opt := fpdf.ImageOptions{ImageType: "PNG"}
		ts.pdf.RegisterImageOptionsReader("seal", opt, bytes.NewReader(v.seal))
		ts.pdf.ImageOptions("seal", cx-sealR, cy-sealR, 2*sealR, 2*sealR, false, opt, 0, "")
	} else {
		ts.pdf.SetDrawColor(150, 150, 150)
		ts.pdf.SetDashPattern([]float64{1.2, 1.2}, 0)
		ts.pdf.SetLineWidth(0.3)
		ts.pdf.Circle(cx, cy, sealR, "D")
		ts.pdf.SetDashPattern(nil, 0)
		ts.pdf.SetDrawColor(0, 0, 0)
		ts.pdf.SetTextColor(140, 140, 140)
		ts.textAt(cx, cy+sealR-4, "（盖章处）", sizeNote, 'C')
		ts.pdf.SetTextColor(0, 0, 0)
	}

	png, err := qrcode.Encode(v.verifyURL, qrcode.Medium, 256)
	if err != nil {
		ts.pdf.SetError(fmt.Errorf("qr code: %w", err))
		return
	}
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	ts.pdf.RegisterImageOptionsReader("qr", opt, bytes.NewReader(png))
	qy := y0 + 2
	ts.pdf.ImageOptions("qr", left, qy, qr, qr, false, opt, 0, "")
	x := left + qr + 3
	reach := sealR // the office and date may be wider than the seal
	for _, l := range append(officeLines, v.date) {
		reach = max(reach, ts.width(strings.TrimRight(l, " "), sizeText)/2)
	}
	w := cx - reach - 5 - x
	y = qy + 1
	ts.text(x, baseline(y, 5.5, 10.5), "验证码："+v.verifyCode, 10.5)
	y += 6.5
	for _, l := range ts.wrap([]span{{text: "核验地址："}, {text: v.verifyURL, keep: true}}, w, sizeNote) {
		ts.text(x, baseline(y, 4.4, sizeNote), strings.TrimRight(l, " "), sizeNote)
		y += 4.4
	}
	y += 1
	ts.pdf.SetTextColor(70, 70, 70)
	for _, l := range ts.wrap([]span{{text: "扫描二维码或访问核验地址，可查验本确认书的真伪与当前状态（有效或已作废）。"}}, w, sizeNote) {
		ts.text(x, baseline(y, 4.4, sizeNote), l, sizeNote)
		y += 4.4
	}
	ts.pdf.SetTextColor(0, 0, 0)
	ts.y = y0 + blockH - 6
}

const sealR, qr, lineH = 20.0, 26.0, 7.2

func (ts *typesetter) officeLines() []string {
	return ts.wrap([]span{{text: ts.v.office, keep: true}}, 2*sealR+16, sizeText)
}

func (ts *typesetter) closingHeight() float64 {
	return 6 + max(2*sealR+2, qr+2, float64(len(ts.officeLines())+1)*lineH+12)
}

// metadata sets the document information and the matching XMP packet; dates are the issue time,
// so that the same snapshot always gives the same PDF.
//
// PDF/A-friendly as far as fpdf allows: every font embedded (subset), every text mapped to Unicode
// (ToUnicode, and ActualText for remapped characters), XMP metadata matching the document
// information, the document language, no transparency in what the letter draws itself, no
// encryption, scripts or external links. Not PDF/A: fpdf writes no output intent (ICC profile), so
// the letter does not claim conformance (no pdfaid in the XMP); a seal PNG with an alpha channel
// adds a soft mask, which PDF/A-1 forbids (PDF/A-2 allows it).
func (ts *typesetter) metadata() {
	v, pdf := ts.v, ts.pdf
	pdf.SetTitle(v.title, true)
	pdf.SetAuthor(v.author, true)
	pdf.SetSubject(v.subject, true)
	keywords := "年审认证确认书, 残疾人就业保障金, " + v.number
	pdf.SetKeywords(keywords, true)
	pdf.SetCreator("quotacert", true)
	pdf.SetProducer("quotacert", true)
	pdf.SetLang("zh-CN")
	issued := v.issued
	if issued.IsZero() {
		issued = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetCatalogSort(true)
	esc := html.EscapeString
	when := issued.UTC().Format("2006-01-02T15:04:05Z")
	xmp := `<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">` + esc(v.title) + `</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>` + esc(v.author) + `</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">` + esc(v.subject) + `</rdf:li></rdf:Alt></dc:description>
<dc:language><rdf:Bag><rdf:li>zh-CN</rdf:li></rdf:Bag></dc:language>
<pdf:Keywords>` + esc(keywords) + `</pdf:Keywords>
<pdf:Producer>quotacert</pdf:Producer>
<xmp:CreatorTool>quotacert</xmp:CreatorTool>
<xmp:CreateDate>` + when + `</xmp:CreateDate>
<xmp:ModifyDate>` + when + `</xmp:ModifyDate>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>`
	pdf.SetXmpMetadata([]byte(xmp))
}

// eachText calls f with every text the letter prints from its data.
func (v *view) eachText(f func(string)) {
	for _, s := range []string{v.number, v.verifyCode, v.verifyURL, v.statement, v.office, v.date} {
		f(s)
	}
	for _, s := range v.intro {
		f(s.text)
	}
	for _, r := range v.info {
		for _, s := range r {
			f(s)
		}
	}
	for _, r := range slices.Concat(v.persons, [][]string{v.total}) {
		for _, s := range r {
			f(s)
		}
	}
	f(v.result)
}
