package placement

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"quotacert/internal/apperr"
	"quotacert/internal/idnum"
	"quotacert/internal/rules"
)

// Input is what the employer enters for a person (添加残疾人; CONTRACT.md POST /years/{year}/placements).
// Dates are YYYY-MM-DD text as typed; Validate parses them.
type Input struct {
	IDNumber  string
	Name      string
	Gender    string // optional: follows from the ID number
	BirthDate string // optional: follows from the ID number
	// CertificateKind is "disability" (残疾人证, also ""), with Category 1–7 and Level 1–4, or
	// "veteran" (残疾军人证) with Grade 1–10; the fields of the other kind are ignored.
	CertificateKind     string
	Category            int
	Level               int
	Grade               int
	Dispatched          bool
	AffiliateID         int64
	FemaleRetirementAge int
	Graduate            GraduateInput
	Contracts           []ContractInput
	Certificates        []CertificateInput
}

// GraduateInput is the education record as typed; all empty means "not a graduate".
type GraduateInput struct {
	School, Degree, Major, Graduated, DiplomaNumber string
}

// ContractInput is one contract as typed; End empty means open-ended.
type ContractInput struct {
	Start, End string
	FileIDs    []string
}

// CertificateInput is one historical certificate as typed: Kind "disability" (or "") with a 残疾人证
// number that carries the category and level, or "veteran" with a 残疾军人证 number and its Grade.
type CertificateInput struct {
	Kind                       string
	Number, Issued, ValidUntil string
	Grade                      int
	FileIDs                    []string
}

// parsed is a validated Input.
type parsed struct {
	person       Person
	placement    Placement
	contracts    []Contract
	certificates []ManualCertificate
	fileIDs      []string
}

// maxFilesPerItem bounds attachments per contract or certificate.
const maxFilesPerItem = 10

// validate checks every field and returns all problems at once, keyed by the form's field names, so
// the page can show each message beside its field.
func (in Input) validate(today rules.Date) (parsed, error) { return in.check(today, false) }

// check is validate; with filesLater a contract may come without its attachment (an Excel import
// cannot carry files: the months of such a placement are saved only once every contract has one,
// see checkSavable).
func (in Input) check(today rules.Date, filesLater bool) (parsed, error) {
	var out parsed
	bad := map[string]string{}
	id, err := idnum.ParseResidentID(in.IDNumber, idnum.Date(today))
	if err != nil {
		bad["idNumber"] = err.Error()
	} else {
		out.person.IDNumber = id.Number
		out.person.BirthDate = rules.Date(id.Birth)
		out.person.Gender = "男"
		if id.Female {
			out.person.Gender = "女"
		}
		if g := strings.TrimSpace(in.Gender); g != "" && g != out.person.Gender {
			bad["gender"] = "性别与身份证号不一致"
		}
		if b := strings.TrimSpace(in.BirthDate); b != "" && b != out.person.BirthDate.String() {
			bad["birthDate"] = "出生日期与身份证号不一致"
		}
	}
	out.person.Name = strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(out.person.Name); {
	case n == 0:
		bad["name"] = "请填写姓名"
	case n > 50:
		bad["name"] = "姓名不能超过50个字"
	}
	kind, ok := rules.ParseCertificateKind(strings.TrimSpace(in.CertificateKind))
	category, level, grade := in.Category, in.Level, in.Grade
	switch {
	case !ok:
		bad["certificateKind"] = "请选择证件类型（残疾人证或残疾军人证）"
	case kind.Veteran():
		category, level = 0, 0
		if grade < 1 || grade > rules.MaxVeteranGrade {
			bad["grade"] = "请选择伤残等级（一级至十级）"
		}
	default:
		grade = 0
		if category < 1 || category > 7 {
			bad["category"] = "请选择残疾类别"
		}
		if level < 1 || level > rules.MaxDisabilityLevel {
			bad["level"] = "请选择残疾等级"
		}
	}
	if in.Dispatched && in.AffiliateID == 0 {
		bad["affiliateId"] = "劳务派遣人员须选择劳务派遣单位（关联单位）"
	}
	fra := in.FemaleRetirementAge
	if fra == 0 || out.person.Gender == "男" {
		fra = 50
	}
	if fra != 50 && fra != 55 {
		bad["femaleRetirementAge"] = "退休年龄组只能为50岁或55岁"
	}
	out.placement = Placement{Dispatched: in.Dispatched, AffiliateID: in.AffiliateID, FemaleRetirementAge: fra,
		CertificateKind: kind, Category: category, Level: level, Grade: grade}

	g := in.Graduate
	if g != (GraduateInput{}) {
		out.placement.Graduate = Graduate{School: strings.TrimSpace(g.School), Degree: strings.TrimSpace(g.Degree),
			Major: strings.TrimSpace(g.Major), DiplomaNumber: strings.TrimSpace(g.DiplomaNumber)}
		for field, v := range map[string]string{"graduate.school": g.School, "graduate.degree": g.Degree,
			"graduate.major": g.Major, "graduate.diplomaNumber": g.DiplomaNumber} {
			if strings.TrimSpace(v) == "" {
				bad[field] = "高校毕业生须填写完整学历信息"
			} else if utf8.RuneCountInString(v) > 100 {
				bad[field] = "不能超过100个字"
			}
		}
		if d, ok := parseDate(g.Graduated, "graduate.graduated", true, bad); ok {
			if today.Before(d) {
				bad["graduate.graduated"] = "毕业日期不能晚于今天"
			}
			out.placement.Graduate.Graduated = d
		}
	}

	if len(in.Contracts) == 0 {
		bad["contracts"] = "请至少添加一份劳动合同"
	}
	for i, c := range in.Contracts {
		key := fmt.Sprintf("contracts[%d]", i)
		start, okS := parseDate(c.Start, key+".start", true, bad)
		end, okE := parseDate(c.End, key+".end", false, bad)
		if okS && okE && !end.IsZero() && end.Before(start) {
			bad[key+".end"] = "合同结束日期不能早于开始日期"
		}
		if !filesLater || len(c.FileIDs) > 0 {
			checkFiles(c.FileIDs, key+".fileIds", "请上传劳动合同附件", bad)
		}
		out.contracts = append(out.contracts, Contract{Start: start, End: end, FileIDs: c.FileIDs})
		out.fileIDs = append(out.fileIDs, c.FileIDs...)
	}
	for i, c := range in.Certificates {
		key := fmt.Sprintf("certificates[%d]", i)
		mc := ManualCertificate{Review: rules.ReviewPending, FileIDs: c.FileIDs}
		ck, ok := rules.ParseCertificateKind(strings.TrimSpace(c.Kind))
		switch {
		case !ok:
			bad[key+".kind"] = "请选择证件类型（残疾人证或残疾军人证）"
		case ck.Veteran():
			// A 残疾军人证 number is free text that does not contain the ID number (DOMAIN.md §2).
			mc.Kind = ck
			if n, err := idnum.ParseVeteranNumber(c.Number); err != nil {
				bad[key+".number"] = err.Error()
			} else {
				mc.Number = n
			}
			if c.Grade < 1 || c.Grade > rules.MaxVeteranGrade {
				bad[key+".grade"] = "请选择伤残等级（一级至十级）"
			}
			mc.Grade = c.Grade
		default:
			mc.Kind = rules.DisabilityCertificate
			cert, err := idnum.ParseCertificateNumber(c.Number)
			if err != nil {
				bad[key+".number"] = err.Error()
			} else if out.person.IDNumber != "" {
				if err := cert.CheckOwner(out.person.IDNumber); err != nil {
					bad[key+".number"] = err.Error()
				}
			}
			mc.Number, mc.Category, mc.Level = cert.Number, int(cert.Category), cert.Level
		}
		issued, okI := parseDate(c.Issued, key+".issued", true, bad)
		until, okU := parseDate(c.ValidUntil, key+".validUntil", false, bad)
		if okI && okU && !until.IsZero() && until.Before(issued) {
			bad[key+".validUntil"] = "有效期截止日期不能早于发证日期"
		}
		if okI && today.Before(issued) {
			bad[key+".issued"] = "发证日期不能晚于今天"
		}
		checkFiles(c.FileIDs, key+".fileIds", "请上传证件影像资料", bad)
		mc.Issued, mc.ValidUntil = issued, until
		out.certificates = append(out.certificates, mc)
		out.fileIDs = append(out.fileIDs, c.FileIDs...)
	}
	if len(bad) > 0 {
		return parsed{}, apperr.FieldErrors(bad)
	}
	return out, nil
}

func parseDate(s, field string, required bool, bad map[string]string) (rules.Date, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			bad[field] = "请填写日期"
			return rules.Date{}, false
		}
		return rules.Date{}, true
	}
	d, err := rules.ParseTypedDate(s) // 2025/1/1 and 2025年1月1日 are understood too
	if err != nil {
		bad[field] = "日期格式应为 YYYY-MM-DD（也可写作 2025/1/1），且为真实日期"
		return rules.Date{}, false
	}
	return d, true
}

func checkFiles(ids []string, field, missing string, bad map[string]string) {
	switch {
	case len(ids) == 0:
		bad[field] = missing
	case len(ids) > maxFilesPerItem:
		bad[field] = fmt.Sprintf("附件不能超过%d个", maxFilesPerItem)
	}
}

// fieldLabels name the fields of an Input in Chinese, as the form labels them (the Excel
// template's columns carry the same names), for messages that cannot stand beside their field.
var fieldLabels = map[string]string{
	"idNumber": "身份证号", "name": "姓名", "gender": "性别", "birthDate": "出生日期", "certificateKind": "证件类型",
	"category": "残疾类别", "level": "残疾等级", "grade": "伤残等级", "dispatched": "是否劳务派遣",
	"affiliateId": "劳务派遣单位统一社会信用代码", "femaleRetirementAge": "退休年龄组",
	"graduate.school": "毕业院校", "graduate.degree": "学历", "graduate.major": "专业", "graduate.graduated": "毕业日期",
	"graduate.diplomaNumber": "毕业证书编号", "contracts": "劳动合同", "files": "附件",
}

// fieldOrder is the order of the fields on the form and in the template, for listing a row's errors.
var fieldOrder = []string{"idNumber", "name", "gender", "birthDate", "certificateKind", "category", "level", "grade",
	"dispatched", "affiliateId", "femaleRetirementAge", "contracts", "graduate.school", "graduate.degree", "graduate.major",
	"graduate.graduated", "graduate.diplomaNumber", "certificates", "files"}

// fieldRank is the position of key's field in fieldOrder (indexed fields by their list).
func fieldRank(key string) int {
	if i := strings.IndexAny(key, "[."); i > 0 && !strings.HasPrefix(key, "graduate.") {
		key = key[:i]
	}
	for i, k := range fieldOrder {
		if k == key {
			return i
		}
	}
	return len(fieldOrder)
}

// FieldLabel is the Chinese name of an Input field key ("contracts[0].start" → "合同开始日期");
// an unknown key is returned as it is.
func FieldLabel(key string) string {
	if l, ok := fieldLabels[key]; ok {
		return l
	}
	if strings.HasPrefix(key, "contracts[") {
		switch {
		case strings.HasSuffix(key, ".start"):
			return "合同开始日期"
		case strings.HasSuffix(key, ".end"):
			return "合同结束日期"
		case strings.HasSuffix(key, ".fileIds"):
			return "劳动合同附件"
		}
	}
	return key
}
