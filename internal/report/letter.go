package report

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"quotacert/internal/idnum"
	"quotacert/internal/rules"
)

// LetterDoc is everything the certification letter (年审认证确认书) shows, as the snapshot taken at
// submission holds it (DOMAIN.md §5): the letter is drawn from it alone, never from live data.
type LetterDoc struct {
	Number     string // 确认书编号
	VerifyCode string // 验证码
	VerifyURL  string // absolute URL of the public /verify/{code} page, printed and in the QR code

	EmployerName     string
	CreditCode       string
	District         string // 行政所属区, by name ("吉林省长春市南关区")
	FederationOffice string // 残联主管部门
	TaxOffice        string // 税务主管部门
	Year             int    // 业务年度
	Employees        int    // 在职职工人数

	Persons []LetterPerson // in the order printed; 序号 is the position
	Totals  LetterTotals   // as stored with the snapshot; must equal TotalsOf(Persons)

	// Statement says what the letter is for; DefaultStatement(Year) when empty.
	Statement     string
	IssuingOffice string    // the federation office that issues the letter
	Issued        time.Time // the instant of issue; printed as the date in China ("2026年12月2日")
	// Seal is the issuing office's seal as a PNG image, drawn over the office name and date;
	// without one the letter shows the place for the seal (盖章处).
	Seal []byte
	// Cancelled marks a letter withdrawn after a reopened declaration: a download then shows
	// "已作废" across every page.
	Cancelled bool
}

// LetterPerson is one certified person: a row of the letter's table.
type LetterPerson struct {
	Name          string
	MaskedID      string // as stored: "220102********0012" (a full number is masked again)
	Certificate   LetterCertificate
	CountedMonths int                // 认定月数
	WeightMonths  rules.WeightMonths // Σ weight of the counted months: 折算人数 = WeightMonths ÷ 12
}

// CertificateKind is the kind of certificate a person is counted with (DOMAIN.md §1): the rules'
// one name for it.
type CertificateKind = rules.CertificateKind

// The kinds of certificate, named as DOMAIN.md names them.
const (
	KindDisability = rules.DisabilityCertificate // 残疾人证
	KindVeteran    = rules.VeteranCertificate    // 残疾军人证
)

// LetterCertificate is the certificate a person is counted with.
type LetterCertificate struct {
	Kind     CertificateKind // "" means KindDisability
	Category idnum.Category  // 残疾类别 of a 残疾人证 (0 when unknown)
	Level    int             // 残疾等级 1–4 of a 残疾人证
	Grade    int             // 伤残等级 1–10 of a 残疾军人证
}

// LetterTotals are the letter's figures: persons, counted months and the exact weight-months
// whose ÷12, rounded half-up to 2 decimals once (DOMAIN.md §3), is the equivalent persons.
type LetterTotals struct {
	Persons       int
	CountedMonths int
	WeightMonths  rules.WeightMonths
}

// EquivalentPersons is the 折算人数 as printed and exported ("2.58").
func (t LetterTotals) EquivalentPersons() string { return t.WeightMonths.String() }

// TotalsOf sums the persons: what the snapshot stores as the totals.
func TotalsOf(persons []LetterPerson) LetterTotals {
	t := LetterTotals{Persons: len(persons)}
	for _, p := range persons {
		t.CountedMonths += p.CountedMonths
		t.WeightMonths += p.WeightMonths
	}
	return t
}

// DefaultStatement is the statement of what the letter is for, for business year y.
func DefaultStatement(y int) string {
	return fmt.Sprintf("本确认书依据《残疾人就业条例》和《残疾人就业保障金征收使用管理办法》（财税〔2015〕72号）"+
		"出具，证明上述用人单位%d年度按比例安排残疾人就业情况已经审核认证，"+
		"作为其向税务部门申报缴纳残疾人就业保障金的依据。本确认书的真伪与状态以核验结果为准。", y)
}

// ErrInvalidLetter means the letter's data is incomplete or inconsistent: it is not drawn.
var ErrInvalidLetter = errors.New("certification letter data invalid")

// Validate checks that the letter can be drawn: every printed field present, the verify URL
// absolute (the QR code must lead to this system, not to whatever Host a request named), and the
// stored totals equal to the persons' sum, so a letter never disagrees with its own table.
func (d *LetterDoc) Validate() error {
	var missing []string
	for _, f := range []struct{ name, v string }{{"number", d.Number}, {"verify code", d.VerifyCode},
		{"employer name", d.EmployerName}, {"credit code", d.CreditCode}, {"issuing office", d.IssuingOffice}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if d.Year < 2000 || d.Year > 2100 {
		missing = append(missing, "business year")
	}
	if d.Issued.IsZero() {
		missing = append(missing, "issue time")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing %s", ErrInvalidLetter, strings.Join(missing, ", "))
	}
	if u, err := url.Parse(d.VerifyURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%w: verify URL %q is not absolute (configure the public base URL)", ErrInvalidLetter, d.VerifyURL)
	}
	if len(d.Persons) == 0 {
		return fmt.Errorf("%w: no certified person", ErrInvalidLetter)
	}
	if sum := TotalsOf(d.Persons); sum != d.Totals {
		return fmt.Errorf("%w: totals %+v differ from the persons' sum %+v", ErrInvalidLetter, d.Totals, sum)
	}
	if len(d.Seal) > 0 {
		if _, err := png.DecodeConfig(bytes.NewReader(d.Seal)); err != nil {
			return fmt.Errorf("%w: the seal is not a PNG image: %v", ErrInvalidLetter, err)
		}
	}
	for i, p := range d.Persons {
		if strings.TrimSpace(p.Name) == "" || strings.TrimSpace(p.MaskedID) == "" {
			return fmt.Errorf("%w: person %d has no name or ID number", ErrInvalidLetter, i+1)
		}
		if p.CountedMonths < 0 || p.CountedMonths > 12 || p.WeightMonths < 0 || p.WeightMonths > 2*rules.WeightMonths(p.CountedMonths) {
			return fmt.Errorf("%w: person %d: %d counted months with weight-months %d", ErrInvalidLetter, i+1, p.CountedMonths, p.WeightMonths)
		}
	}
	return nil
}

// Render draws the letter as an A4 PDF (unsigned; see Signer). Characters that no font has are
// drawn as a visible replacement (〓) and reported to log as a warning; they are never an error.
// Without fonts the error is ErrNoFonts, with invalid data ErrInvalidLetter. The same LetterDoc
// always gives the same bytes. Render is safe for concurrent use.
func (fs *Fonts) Render(d *LetterDoc, log *slog.Logger) ([]byte, error) {
	if fs == nil || len(fs.list) == 0 {
		return nil, ErrNoFonts
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return fs.draw(viewOf(d), log)
}

// view is the letter as display strings, what the layout draws.
type view struct {
	number, verifyCode, verifyURL string
	cancelled                     bool
	intro                         []span
	info                          [][]string // 用人单位基本情况: label, value (and a second pair)
	persons                       [][]string // the table's rows, columns as personColumns
	total                         []string   // the table's 合计 row
	result                        string     // 认证结果
	statement                     string
	office, date                  string
	seal                          []byte
	issued                        time.Time
	title, subject, author        string
}

func (v *view) meta(employer string, year int) {
	v.title = "残疾人按比例就业年审认证确认书 " + v.number
	v.subject = fmt.Sprintf("%s %d年度按比例安排残疾人就业情况认证", employer, year)
	v.author = v.office
}

func viewOf(d *LetterDoc) *view {
	statement := d.Statement
	if strings.TrimSpace(statement) == "" {
		statement = DefaultStatement(d.Year)
	}
	v := &view{
		number: d.Number, verifyCode: d.VerifyCode, verifyURL: d.VerifyURL, cancelled: d.Cancelled,
		intro: introSpans(d.EmployerName, d.CreditCode, d.Year),
		info: [][]string{
			{"用人单位名称", d.EmployerName},
			{"统一社会信用代码", d.CreditCode, "业务年度", fmt.Sprintf("%d年度", d.Year)},
			{"行政所属区", d.District, "在职职工人数", fmt.Sprintf("%d 人", d.Employees)},
			{"残联主管部门", d.FederationOffice},
			{"税务主管部门", d.TaxOffice},
		},
		result:    resultText(d.Totals.Persons, d.Totals.CountedMonths, d.Totals.EquivalentPersons()),
		statement: statement,
		office:    d.IssuingOffice, date: chineseDate(d.Issued), issued: d.Issued,
		seal: d.Seal,
	}
	for i, p := range d.Persons {
		v.persons = append(v.persons, []string{fmt.Sprint(i + 1), p.Name, idnum.MaskIDsIn(p.MaskedID),
			p.Certificate.String(), fmt.Sprint(p.CountedMonths), multiplier(p), p.WeightMonths.String()})
	}
	v.total = []string{"合计", fmt.Sprintf("%d 人", d.Totals.Persons), "", "", fmt.Sprint(d.Totals.CountedMonths), "",
		d.Totals.EquivalentPersons()}
	v.meta(d.EmployerName, d.Year)
	return v
}

// introSpans is the opening sentence; the name and the credit code are kept on one line where
// they fit.
func introSpans(name, code string, year int) []span {
	return []span{{text: "　　经审核认证，"}, {text: name, keep: true}, {text: "（统一社会信用代码："},
		{text: code, keep: true}, {text: fmt.Sprintf("）%d年度按比例安排残疾人就业情况如下：", year)}}
}

func resultText(persons, months int, equivalent string) string {
	return fmt.Sprintf("经认证，该单位安排残疾人就业 %d 人，认定就业月数合计 %d 个月，折算安排残疾人就业人数 %s 人。",
		persons, months, equivalent)
}

// multiplier is the 计算倍数 column: 2 when every counted month weighs 2 (残疾人证一至二级,
// 残疾军人证一至三级), 1 when none does, "1～2" when the weight changed within the year.
func multiplier(p LetterPerson) string {
	switch int64(p.WeightMonths) {
	case 0:
		return "—"
	case 2 * int64(p.CountedMonths):
		return "2"
	case int64(p.CountedMonths):
		return "1"
	}
	return "1～2"
}

var chineseNumerals = []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

func numeral(n int) string {
	if n < 1 || n >= len(chineseNumerals) {
		return fmt.Sprint(n)
	}
	return chineseNumerals[n]
}

// String is the certificate as the letter prints it: "残疾人证 肢体二级", "残疾军人证 三级".
func (c LetterCertificate) String() string {
	if c.Kind == KindVeteran {
		if c.Grade == 0 {
			return "残疾军人证"
		}
		return "残疾军人证 " + numeral(c.Grade) + "级"
	}
	if c.Level == 0 {
		return "残疾人证 " + c.Category.String()
	}
	return "残疾人证 " + c.Category.String() + numeral(c.Level) + "级"
}

// chineseDate is the civil date in China at t, as official documents write it: "2026年12月2日".
func chineseDate(t time.Time) string {
	t = t.In(rules.China())
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}
