package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"quotacert/internal/employer"
	"quotacert/internal/exchange"
	"quotacert/internal/idnum"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// placementForm is the state of the 添加残疾人 / edit page: what was typed (kept on an error), the
// files already uploaded (kept, so they need not be chosen again), the registry's answer, and the
// message of each bad field keyed as the service keys them ("contracts[0].start").
type placementForm struct {
	ID                  int64 // 0 when adding
	Year                int
	IDNumber            string
	Name                string
	Gender              string // derived from the ID number, shown read-only
	BirthDate           string // derived from the ID number, shown read-only
	CertificateKind     string // "disability" or "veteran"
	Category, Level     string // 残疾人证
	Grade               string // 残疾军人证
	Dispatched          string // "1" or "0"
	AffiliateID         string
	FemaleRetirementAge string
	Graduate            placement.GraduateInput
	Contracts           []contractRow
	Certificates        []certificateRow

	LookedUp   bool // the registry was asked on this render
	Registry   []registryRow
	NotFound   bool
	Throttled  bool                 // the look-up was refused by the disclosure limit (the page answers 429)
	Affiliates []employer.Affiliate // dispatch agencies to choose from
	Error      string
	Fields     map[string]string
	// Status is the live message after 添加合同, 添加历史证件 or a 删除 button: what changed and which
	// chosen files were kept.
	Status string
}

type contractRow struct {
	N          int // 1-based, for the legend
	Posted     int // the row's index in the posted form (empty rows are dropped, so it may differ from N-1)
	Start, End string
	OpenEnded  bool
	Files      []employer.FileRef
}

type certificateRow struct {
	N                          int
	Posted                     int    // as contractRow.Posted
	Kind                       string // "disability" or "veteran"
	Grade                      string // 残疾军人证
	Number, Issued, ValidUntil string
	Review                     rules.ReviewStatus // the federation's decision on a stored one ("" for a new one)
	Files                      []employer.FileRef
}

// registryRow is a registry certificate as the form shows it: masked number, kind, names of the
// codes (category and level of a 残疾人证, or the grade of a 残疾军人证 as Level).
type registryRow struct {
	Kind, Masked, Category, Level, Issued, ValidUntil, Status string
}

// Kinds are the choices of the certificate kind (DOMAIN.md §1).
func (placementForm) Kinds() []option {
	return []option{{string(rules.DisabilityCertificate), rules.DisabilityCertificate.Label()},
		{string(rules.VeteranCertificate), rules.VeteranCertificate.Label()}}
}

// Grades lists the grades (伤残等级) of a 残疾军人证, 1 the most severe.
func (placementForm) Grades() []option {
	out := make([]option, rules.MaxVeteranGrade)
	for i := range out {
		out[i] = option{strconv.Itoa(i + 1), gradeName(i + 1)}
	}
	return out
}

var chineseNumbers = [...]string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// gradeName is a grade as the certificate prints it: "三级".
func gradeName(g int) string {
	if g < 1 || g >= len(chineseNumbers) {
		return strconv.Itoa(g)
	}
	return chineseNumbers[g] + "级"
}

// certificateLabel describes a certificate for pages: "残疾人证（肢体残疾，三级）" or
// "残疾军人证（伤残等级三级）".
func certificateLabel(kind rules.CertificateKind, category, level, grade int) string {
	if kind.Veteran() {
		if grade == 0 {
			return kind.Label()
		}
		return kind.Label() + "（伤残等级" + gradeName(grade) + "）"
	}
	if category == 0 && level == 0 {
		return kind.Label()
	}
	return kind.Label() + "（" + categoryName(category) + "，" + levelName(level) + "）"
}

// Female reports whether the women's retirement group applies (DOMAIN.md §3 Decision).
func (f placementForm) Female() bool { return f.Gender == "女" }

// Categories and Levels are the choices of the selects (DOMAIN.md §2).
func (placementForm) Categories() []option {
	return []option{{"1", "视力残疾"}, {"2", "听力残疾"}, {"3", "言语残疾"}, {"4", "肢体残疾"}, {"5", "智力残疾"}, {"6", "精神残疾"}, {"7", "多重残疾"}}
}

// Levels lists the disability levels, 1 the most severe.
func (placementForm) Levels() []option {
	return []option{{"1", "一级"}, {"2", "二级"}, {"3", "三级"}, {"4", "四级"}}
}

type option struct{ Value, Label string }

// categoryName and levelName are the Chinese names of a certificate's codes.
func categoryName(c int) string {
	for _, o := range (placementForm{}).Categories() {
		if o.Value == strconv.Itoa(c) {
			return o.Label
		}
	}
	return strconv.Itoa(c)
}

func levelName(l int) string {
	for _, o := range (placementForm{}).Levels() {
		if o.Value == strconv.Itoa(l) {
			return o.Label
		}
	}
	return strconv.Itoa(l)
}

// derive fills gender and birth date from a valid ID number (they follow from it, GB 11643).
func (s *Server) derive(f *placementForm) {
	f.Gender, f.BirthDate = "", ""
	id, err := idnum.ParseResidentID(f.IDNumber, idnum.Date(rules.ChinaDate(s.deps.Now())))
	if err != nil {
		return
	}
	f.IDNumber = id.Number
	f.Gender, f.BirthDate = "男", rules.Date(id.Birth).String()
	if id.Female {
		f.Gender = "女"
	}
}

// registryRows shows the registry's certificates of a person (the answer of 查询).
func registryRows(certs []exchange.RegistryCertificate) []registryRow {
	out := make([]registryRow, 0, len(certs))
	for _, c := range certs {
		until := "长期"
		if !c.ValidUntil.IsZero() {
			until = c.ValidUntil.String()
		}
		row := registryRow{Kind: c.Kind.Label(), Masked: c.Masked(), Category: categoryName(c.Category),
			Level: levelName(c.Level), Issued: c.Issued.String(), ValidUntil: until, Status: c.Status}
		if c.Kind.Veteran() {
			row.Category, row.Level = "—", "伤残"+gradeName(c.Grade)
		}
		out = append(out, row)
	}
	return out
}

// statusFor is 422 when some field is refused, else 200 (the form redrawn after a button).
func statusFor(fields map[string]string) int {
	if len(fields) > 0 {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

// errorSummary is the message above a form that counts the fields to correct.
func errorSummary(fields map[string]string) string {
	if len(fields) == 0 {
		return ""
	}
	return fmt.Sprintf("提交的内容有 %d 处需要修改，请查看各项下方的说明", len(fields))
}

// rowKey matches the indexed field names of contracts and certificates.
var rowKey = regexp.MustCompile(`^(contracts|certificates)\[(\d{1,2})\]\.`)

// formFromValues reads the typed values. Contract and certificate rows left completely empty are
// dropped, so the indices the service reports errors under match the rows shown again.
func formFromValues(v url.Values) placementForm {
	f := placementForm{IDNumber: strings.TrimSpace(v.Get("idNumber")), Name: v.Get("name"), Category: v.Get("category"),
		Level: v.Get("level"), CertificateKind: v.Get("certificateKind"), Grade: v.Get("grade"),
		Dispatched: v.Get("dispatched"), AffiliateID: v.Get("affiliateId"),
		FemaleRetirementAge: v.Get("femaleRetirementAge"),
		Graduate: placement.GraduateInput{School: v.Get("graduate.school"), Degree: v.Get("graduate.degree"),
			Major: v.Get("graduate.major"), Graduated: v.Get("graduate.graduated"), DiplomaNumber: v.Get("graduate.diplomaNumber")}}
	if f.Dispatched != "1" {
		f.Dispatched = "0"
	}
	if f.CertificateKind == "" {
		f.CertificateKind = string(rules.DisabilityCertificate)
	}
	n := map[string]int{}
	for k := range v {
		if m := rowKey.FindStringSubmatch(k); m != nil {
			i, _ := strconv.Atoi(m[2])
			n[m[1]] = max(n[m[1]], i+1)
		}
	}
	for i := range n["contracts"] {
		p := fmt.Sprintf("contracts[%d].", i)
		row := contractRow{Start: strings.TrimSpace(v.Get(p + "start")), End: strings.TrimSpace(v.Get(p + "end")),
			OpenEnded: v.Get(p+"openEnded") == "1", Files: idsOnly(v[p+"fileIds"]), Posted: i}
		if row.Start == "" && row.End == "" && !row.OpenEnded && len(row.Files) == 0 {
			continue
		}
		f.Contracts = append(f.Contracts, row)
	}
	for i := range n["certificates"] {
		p := fmt.Sprintf("certificates[%d].", i)
		row := certificateRow{Kind: v.Get(p + "kind"), Grade: v.Get(p + "grade"), Number: strings.TrimSpace(v.Get(p + "number")),
			Issued: strings.TrimSpace(v.Get(p + "issued")), ValidUntil: strings.TrimSpace(v.Get(p + "validUntil")),
			Files: idsOnly(v[p+"fileIds"]), Posted: i}
		if row.Number == "" && row.Issued == "" && row.ValidUntil == "" && row.Grade == "" && len(row.Files) == 0 {
			continue
		}
		if row.Kind == "" {
			row.Kind = string(rules.DisabilityCertificate)
		}
		f.Certificates = append(f.Certificates, row)
	}
	return f
}

// input turns the form into the service's Input, with the checks only the form needs (a contract
// end must be given or 无固定期限 ticked; selects must hold numbers).
func (f placementForm) input(v url.Values) (placement.Input, map[string]string) {
	bad := map[string]string{}
	in := placement.Input{IDNumber: f.IDNumber, Name: f.Name, Dispatched: f.Dispatched == "1", Graduate: f.Graduate,
		CertificateKind: f.CertificateKind}
	in.Category, _ = strconv.Atoi(f.Category)
	in.Level, _ = strconv.Atoi(f.Level)
	in.Grade, _ = strconv.Atoi(f.Grade)
	if f.Dispatched == "1" {
		in.AffiliateID, _ = strconv.ParseInt(f.AffiliateID, 10, 64)
	}
	in.FemaleRetirementAge, _ = strconv.Atoi(f.FemaleRetirementAge)
	if !f.Female() {
		in.FemaleRetirementAge = 0
	}
	for i, c := range f.Contracts {
		ci := placement.ContractInput{Start: c.Start, End: c.End, FileIDs: fileIDs(c.Files)}
		if c.OpenEnded {
			ci.End = ""
		} else if c.End == "" {
			bad[fmt.Sprintf("contracts[%d].end", i)] = "请填写合同结束日期，或勾选“无固定期限”"
		}
		in.Contracts = append(in.Contracts, ci)
	}
	for _, c := range f.Certificates {
		grade, _ := strconv.Atoi(c.Grade)
		in.Certificates = append(in.Certificates, placement.CertificateInput{Kind: c.Kind, Number: c.Number, Grade: grade,
			Issued: c.Issued, ValidUntil: c.ValidUntil, FileIDs: fileIDs(c.Files)})
	}
	return in, bad
}

// keepFiles replaces the file ids of each row by the user's own files with their names; an id that
// is not the user's is dropped (and the service would have refused it).
func (s *Server) keepFiles(r *http.Request, f *placementForm) {
	for i := range f.Contracts {
		f.Contracts[i].Files = s.namedFiles(r, fileIDs(f.Contracts[i].Files))
	}
	for i := range f.Certificates {
		f.Certificates[i].Files = s.namedFiles(r, fileIDs(f.Certificates[i].Files))
	}
}

// renderPlacementForm draws the form with the employer's dispatch agencies to choose from.
func (s *Server) renderPlacementForm(w http.ResponseWriter, r *http.Request, status int, f placementForm) {
	a, _ := s.actor(r)
	if f.Fields == nil {
		f.Fields = map[string]string{}
	}
	if f.Gender == "" {
		s.derive(&f)
	}
	list, err := s.deps.Employers.Affiliates(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, af := range list {
		if af.Kind == employer.KindDispatch {
			f.Affiliates = append(f.Affiliates, af)
		}
	}
	if len(f.Contracts) == 0 {
		f.Contracts = []contractRow{{}} // a contract is required: always offer a row
	}
	for i := range f.Contracts {
		f.Contracts[i].N = i + 1
	}
	for i := range f.Certificates {
		f.Certificates[i].N = i + 1
	}
	title := "添加残疾人"
	if f.ID != 0 {
		title = "修改残疾人安置信息"
	}
	s.render(w, r, status, "placement_form", Page{Title: title, Nav: "placements", Data: f})
}
