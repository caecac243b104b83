package report

import (
	"bytes"
	"fmt"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// LetterData is what the certification letter prints. It holds no personal data: the letter
// certifies the employer's figures, and the persons stay in the system.
type LetterData struct {
	EmployerName      string
	CreditCode        string
	Year              int
	Persons           int
	CountedMonths     int
	EquivalentPersons string // 2 decimals, rounded half-up
	Number            string
	IssueDate         string // YYYY-MM-DD
	Office            string // issuing federation office
	VerifyCode        string
	VerifyURL         string // absolute or site-relative URL of /verify/{code}
	Cancelled         bool
}

// Letter renders the letter as an A4 PDF.
func (fs *Fonts) Letter(d LetterData) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("年审认证确认书 "+d.Number, true)
	pdf.SetCreator("quotacert", true)
	for i, f := range fs.list {
		pdf.AddUTF8FontFromBytes(family(i), "", f.data)
	}
	pdf.SetMargins(25, 25, 25)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AddPage()

	// Title, centred: its width is the sum of its runs' widths.
	title := "残疾人按比例就业年审认证确认书"
	pdf.SetX((210 - fs.width(pdf, title, 20)) / 2)
	fs.write(pdf, title, 20, 12)
	pdf.Ln(16)

	fs.write(pdf, "确认书编号："+d.Number, 11, 7)
	pdf.Ln(10)
	body := fmt.Sprintf("经审核，%s（统一社会信用代码：%s）%d业务年度按比例安排残疾人就业情况认证如下：",
		d.EmployerName, d.CreditCode, d.Year)
	fs.write(pdf, body, 12, 8)
	pdf.Ln(12)
	for _, row := range [][2]string{
		{"业务年度", fmt.Sprint(d.Year)},
		{"安排残疾人就业人数", fmt.Sprintf("%d 人", d.Persons)},
		{"认定就业月数合计", fmt.Sprintf("%d 个月", d.CountedMonths)},
		{"折算安排残疾人就业人数", d.EquivalentPersons + " 人"},
	} {
		fs.write(pdf, "    "+row[0]+"："+row[1], 12, 8)
		pdf.Ln(9)
	}
	pdf.Ln(4)
	fs.write(pdf, "本确认书作为用人单位向税务部门申报缴纳残疾人就业保障金的依据。", 12, 8)
	pdf.Ln(14)
	fs.write(pdf, "认证单位："+d.Office, 12, 8)
	pdf.Ln(9)
	fs.write(pdf, "出具日期："+d.IssueDate, 12, 8)
	pdf.Ln(14)
	if d.Cancelled {
		fs.write(pdf, "本确认书已作废。", 14, 9)
		pdf.Ln(12)
	}

	png, err := qrcode.Encode(d.VerifyURL, qrcode.Medium, 256)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	pdf.RegisterImageOptionsReader("qr", opt, bytes.NewReader(png))
	y := pdf.GetY()
	pdf.ImageOptions("qr", 25, y, 35, 35, false, opt, 0, "")
	pdf.SetXY(65, y+6)
	fs.write(pdf, "验证码："+d.VerifyCode, 11, 7)
	pdf.SetXY(65, y+15)
	fs.write(pdf, "扫描二维码或访问以下地址核验本确认书的真伪与状态：", 10, 6)
	pdf.SetXY(65, y+22)
	fs.write(pdf, d.VerifyURL, 9, 6)

	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("render letter: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("write letter: %w", err)
	}
	return buf.Bytes(), nil
}

func family(i int) string { return fmt.Sprintf("f%d", i) }

// write draws s from the current position, each run in the first font that has its glyphs.
func (fs *Fonts) write(pdf *fpdf.Fpdf, s string, size, lineHeight float64) {
	for _, r := range fs.runs(s) {
		pdf.SetFont(family(r.font), "", size)
		pdf.Write(lineHeight, r.text)
	}
}

func (fs *Fonts) width(pdf *fpdf.Fpdf, s string, size float64) float64 {
	w := 0.0
	for _, r := range fs.runs(s) {
		pdf.SetFont(family(r.font), "", size)
		w += pdf.GetStringWidth(r.text)
	}
	return w
}
