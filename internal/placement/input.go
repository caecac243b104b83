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
	IDNumber            string
	Name                string
	Gender              string // optional: follows from the ID number
	BirthDate           string // optional: follows from the ID number
	Category            int
	Level               int
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

// CertificateInput is one historical certificate as typed.
type CertificateInput struct {
	Number, Issued, ValidUntil string
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
func (in Input) validate(today rules.Date) (parsed, error) {
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
	if in.Category < 1 || in.Category > 7 {
		bad["category"] = "请选择残疾类别"
	}
	if in.Level < 1 || in.Level > 4 {
		bad["level"] = "请选择残疾等级"
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
		Category: in.Category, Level: in.Level}

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
		checkFiles(c.FileIDs, key+".fileIds", "请上传劳动合同附件", bad)
		out.contracts = append(out.contracts, Contract{Start: start, End: end, FileIDs: c.FileIDs})
		out.fileIDs = append(out.fileIDs, c.FileIDs...)
	}
	for i, c := range in.Certificates {
		key := fmt.Sprintf("certificates[%d]", i)
		cert, err := idnum.ParseCertificateNumber(c.Number)
		if err != nil {
			bad[key+".number"] = err.Error()
		} else if out.person.IDNumber != "" {
			if err := cert.CheckOwner(out.person.IDNumber); err != nil {
				bad[key+".number"] = err.Error()
			}
		}
		issued, okI := parseDate(c.Issued, key+".issued", true, bad)
		until, okU := parseDate(c.ValidUntil, key+".validUntil", false, bad)
		if okI && okU && !until.IsZero() && until.Before(issued) {
			bad[key+".validUntil"] = "有效期截止日期不能早于发证日期"
		}
		if okI && today.Before(issued) {
			bad[key+".issued"] = "发证日期不能晚于今天"
		}
		checkFiles(c.FileIDs, key+".fileIds", "请上传残疾证影像资料", bad)
		out.certificates = append(out.certificates, ManualCertificate{Number: cert.Number, Category: int(cert.Category),
			Level: int(cert.Level), Issued: issued, ValidUntil: until, Review: rules.ReviewPending, FileIDs: c.FileIDs})
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
	d, err := rules.ParseDate(s)
	if err != nil {
		bad[field] = "日期格式应为 YYYY-MM-DD，且为真实日期"
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
