package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/blob"
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
	Category, Level     string
	Dispatched          string // "1" or "0"
	AffiliateID         string
	FemaleRetirementAge string
	Graduate            placement.GraduateInput
	Contracts           []contractRow
	Certificates        []certificateRow

	LookedUp   bool // the registry was asked on this render
	Registry   []registryRow
	NotFound   bool
	Affiliates []employer.Affiliate // dispatch agencies to choose from
	Error      string
	Fields     map[string]string
}

type contractRow struct {
	N          int // 1-based, for the legend
	Start, End string
	OpenEnded  bool
	Files      []employer.FileRef
}

type certificateRow struct {
	N                          int
	Number, Issued, ValidUntil string
	Review                     string // pending | approved | rejected for a stored one
	Files                      []employer.FileRef
}

// registryRow is a registry certificate as the form shows it: masked number, names of the codes.
type registryRow struct {
	Masked, Category, Level, Issued, ValidUntil, Status string
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

func registryRows(certs []exchangeCert) []registryRow {
	out := make([]registryRow, 0, len(certs))
	for _, c := range certs {
		until := "长期"
		if !c.ValidUntil.IsZero() {
			until = c.ValidUntil.String()
		}
		out = append(out, registryRow{Masked: idnum.MaskCertificate(c.Number), Category: categoryName(c.Category),
			Level: levelName(c.Level), Issued: c.Issued.String(), ValidUntil: until, Status: c.Status})
	}
	return out
}

func (s *Server) handlePlacementNew(w http.ResponseWriter, r *http.Request) {
	if !s.requireCompleteProfile(w, r) {
		return
	}
	year, _, err := s.pageYear(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	f := placementForm{Year: year, Dispatched: "0", FemaleRetirementAge: "50", Contracts: []contractRow{{}}}
	s.renderPlacementForm(w, r, http.StatusOK, f)
}

func (s *Server) handlePlacementEdit(w http.ResponseWriter, r *http.Request) {
	if !s.requireCompleteProfile(w, r) {
		return
	}
	v, ok := s.placementView(w, r)
	if !ok {
		return
	}
	if v.YearLocked || v.Status != placement.Draft {
		s.renderError(w, r, apperr.New(apperr.Conflict, "只能修改未完成登记的人员；已确认或待审核的人员请先重新登记"))
		return
	}
	f := placementForm{ID: v.ID, Year: v.Year, IDNumber: v.Person.IDNumber, Name: v.Person.Name,
		Category: strconv.Itoa(v.Category), Level: strconv.Itoa(v.Level), Dispatched: boolDigit(v.Dispatched),
		FemaleRetirementAge: strconv.Itoa(v.FemaleRetirementAge)}
	if v.AffiliateID != 0 {
		f.AffiliateID = strconv.FormatInt(v.AffiliateID, 10)
	}
	if g := v.Graduate; !g.IsZero() {
		f.Graduate = placement.GraduateInput{School: g.School, Degree: g.Degree, Major: g.Major, DiplomaNumber: g.DiplomaNumber}
		if !g.Graduated.IsZero() {
			f.Graduate.Graduated = g.Graduated.String()
		}
	}
	for _, c := range v.Contracts {
		row := contractRow{Start: c.Start.String(), OpenEnded: c.End.IsZero(), Files: s.namedFiles(r, c.FileIDs)}
		if !c.End.IsZero() {
			row.End = c.End.String()
		}
		f.Contracts = append(f.Contracts, row)
	}
	if len(f.Contracts) == 0 {
		f.Contracts = []contractRow{{}}
	}
	for _, c := range v.Certificates {
		row := certificateRow{Number: c.Number, Issued: c.Issued.String(), Review: string(c.Review), Files: s.namedFiles(r, c.FileIDs)}
		if !c.ValidUntil.IsZero() {
			row.ValidUntil = c.ValidUntil.String()
		}
		f.Certificates = append(f.Certificates, row)
	}
	f.Registry = registryRows(v.Registry)
	f.LookedUp = len(v.Registry) > 0
	s.renderPlacementForm(w, r, http.StatusOK, f)
}

// handlePlacementCreate handles the add form's buttons: 查询 (fill from the registry), 添加合同 and
// 添加历史证件 (one more row, so it all works without script), and 保存，下一步 (create, then the
// grid). Files chosen in the form are uploaded with it through the attachment service.
func (s *Server) handlePlacementCreate(w http.ResponseWriter, r *http.Request) {
	s.handlePlacementForm(w, r, 0)
}

// handlePlacementUpdate is the same form for a draft placement (after 重新登记).
func (s *Server) handlePlacementUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := placementID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.handlePlacementForm(w, r, id)
}

func (s *Server) handlePlacementForm(w http.ResponseWriter, r *http.Request, id int64) {
	if !s.requireCompleteProfile(w, r) {
		return
	}
	a, _ := s.actor(r)
	values, uploadErrs, err := s.readUploadForm(w, r, maxPlacementForm)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	year, err := strconv.Atoi(values.Get("year"))
	if err != nil {
		s.renderError(w, r, apperr.NotFoundf("业务年度"))
		return
	}
	f := formFromValues(values)
	f.ID, f.Year = id, year
	f.Fields = map[string]string{}
	if id != 0 {
		// The ID number of a stored placement is fixed; the form shows it read-only.
		v, err := s.deps.Placements.Get(r.Context(), a, id)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		f.IDNumber, f.Year = v.Person.IDNumber, v.Year
		f.Registry, f.LookedUp = registryRows(v.Registry), len(v.Registry) > 0
	}
	s.derive(&f)
	switch values.Get("action") {
	case "lookup":
		if err := s.lookup(r, a, &f); err != nil {
			s.renderError(w, r, err)
			return
		}
		s.keepFiles(r, &f)
		for k, m := range uploadErrs {
			f.Fields[k] = m
		}
		f.Error = errorSummary(f.Fields)
		s.renderPlacementForm(w, r, statusFor(f.Fields), f)
		return
	case "addContract":
		f.Contracts = append(f.Contracts, contractRow{})
		s.keepFiles(r, &f)
		s.renderPlacementForm(w, r, http.StatusOK, f)
		return
	case "addCertificate":
		f.Certificates = append(f.Certificates, certificateRow{})
		s.keepFiles(r, &f)
		s.renderPlacementForm(w, r, http.StatusOK, f)
		return
	}
	in, formErrs := f.input(values)
	for k, m := range formErrs {
		f.Fields[k] = m
	}
	for k, m := range uploadErrs {
		f.Fields[k] = m
	}
	if len(f.Fields) == 0 {
		if id == 0 {
			id, err = s.deps.Placements.Create(r.Context(), a, year, in)
		} else {
			err = s.deps.Placements.Update(r.Context(), a, id, in)
		}
		var dup *placement.DuplicateError
		switch {
		case err == nil:
			http.Redirect(w, r, fmt.Sprintf("/placements/%d?done=placement-saved", id), http.StatusSeeOther)
			return
		case errors.As(err, &dup):
			// Added already (a double submit, or the same person twice): open the existing one.
			http.Redirect(w, r, fmt.Sprintf("/placements/%d?done=placement-exists", dup.ID), http.StatusSeeOther)
			return
		case apperr.CodeOf(err) != apperr.Invalid:
			s.renderError(w, r, err)
			return
		}
		for k, m := range apperr.As(err).Fields {
			f.Fields[k] = m
		}
		if len(f.Fields) == 0 {
			f.Fields["form"] = apperr.As(err).Message
		}
	}
	s.keepFiles(r, &f)
	f.Error = errorSummary(f.Fields)
	s.renderPlacementForm(w, r, http.StatusUnprocessableEntity, f)
}

func statusFor(fields map[string]string) int {
	if len(fields) > 0 {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

func errorSummary(fields map[string]string) string {
	if len(fields) == 0 {
		return ""
	}
	return fmt.Sprintf("提交的内容有 %d 处需要修改，请查看各项下方的说明", len(fields))
}

// lookup fills the form from the registry (查询): name, category and level of the newest valid
// certificate, unless the user typed them already. Bad input and throttling are shown beside the
// ID number; anything else is returned.
func (s *Server) lookup(r *http.Request, a actor.Actor, f *placementForm) error {
	f.LookedUp, f.Registry, f.NotFound = true, nil, false
	p, err := s.deps.Placements.Registry(r.Context(), a, f.IDNumber)
	switch {
	case err == nil:
	case apperr.CodeOf(err) == apperr.NotFound:
		f.NotFound = true
		return nil
	case apperr.CodeOf(err) == apperr.Invalid:
		f.Fields["idNumber"] = firstNonEmpty(apperr.As(err).Fields["idNumber"], apperr.As(err).Message)
		return nil
	case apperr.CodeOf(err) == apperr.Throttled:
		f.Fields["idNumber"] = apperr.As(err).Message
		return nil
	default:
		return err
	}
	f.Registry = registryRows(p.Certificates)
	if strings.TrimSpace(f.Name) == "" {
		f.Name = p.Name
	}
	best := -1
	for i, c := range p.Certificates {
		if c.Status == "有效" && (best < 0 || p.Certificates[best].Issued.Before(c.Issued)) {
			best = i
		}
	}
	if best >= 0 {
		if f.Category == "" {
			f.Category = strconv.Itoa(p.Certificates[best].Category)
		}
		if f.Level == "" {
			f.Level = strconv.Itoa(p.Certificates[best].Level)
		}
	}
	return nil
}

// rowKey matches the indexed field names of contracts and certificates.
var rowKey = regexp.MustCompile(`^(contracts|certificates)\[(\d{1,2})\]\.`)

// formFromValues reads the typed values. Contract and certificate rows left completely empty are
// dropped, so the indices the service reports errors under match the rows shown again.
func formFromValues(v url.Values) placementForm {
	f := placementForm{IDNumber: strings.TrimSpace(v.Get("idNumber")), Name: v.Get("name"), Category: v.Get("category"),
		Level: v.Get("level"), Dispatched: v.Get("dispatched"), AffiliateID: v.Get("affiliateId"),
		FemaleRetirementAge: v.Get("femaleRetirementAge"),
		Graduate: placement.GraduateInput{School: v.Get("graduate.school"), Degree: v.Get("graduate.degree"),
			Major: v.Get("graduate.major"), Graduated: v.Get("graduate.graduated"), DiplomaNumber: v.Get("graduate.diplomaNumber")}}
	if f.Dispatched != "1" {
		f.Dispatched = "0"
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
			OpenEnded: v.Get(p+"openEnded") == "1", Files: idsOnly(v[p+"fileIds"])}
		if row.Start == "" && row.End == "" && !row.OpenEnded && len(row.Files) == 0 {
			continue
		}
		f.Contracts = append(f.Contracts, row)
	}
	for i := range n["certificates"] {
		p := fmt.Sprintf("certificates[%d].", i)
		row := certificateRow{Number: strings.TrimSpace(v.Get(p + "number")), Issued: strings.TrimSpace(v.Get(p + "issued")),
			ValidUntil: strings.TrimSpace(v.Get(p + "validUntil")), Files: idsOnly(v[p+"fileIds"])}
		if row.Number == "" && row.Issued == "" && row.ValidUntil == "" && len(row.Files) == 0 {
			continue
		}
		f.Certificates = append(f.Certificates, row)
	}
	return f
}

func idsOnly(ids []string) []employer.FileRef {
	var out []employer.FileRef
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.ContainsFunc(out, func(f employer.FileRef) bool { return f.ID == id }) {
			out = append(out, employer.FileRef{ID: id})
		}
	}
	return out
}

// input turns the form into the service's Input, with the checks only the form needs (a contract
// end must be given or 无固定期限 ticked; selects must hold numbers).
func (f placementForm) input(v url.Values) (placement.Input, map[string]string) {
	bad := map[string]string{}
	in := placement.Input{IDNumber: f.IDNumber, Name: f.Name, Dispatched: f.Dispatched == "1", Graduate: f.Graduate}
	in.Category, _ = strconv.Atoi(f.Category)
	in.Level, _ = strconv.Atoi(f.Level)
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
		in.Certificates = append(in.Certificates, placement.CertificateInput{Number: c.Number, Issued: c.Issued,
			ValidUntil: c.ValidUntil, FileIDs: fileIDs(c.Files)})
	}
	return in, bad
}

func fileIDs(fs []employer.FileRef) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
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

// maxPlacementForm bounds a multipart placement or month form: a few attachments and the text.
const maxPlacementForm = 6*blob.MaxSize + 1<<20

// readUploadForm streams a multipart form: text fields into values; each chosen file of a part
// named "X.file" is stored through the attachment service and its id added to "X.fileIds". An
// upload refused (type, size) is reported under "X.fileIds" beside its input, and the rest of the
// form is still read. A urlencoded post (no file) is accepted too.
func (s *Server) readUploadForm(w http.ResponseWriter, r *http.Request, limit int64) (url.Values, map[string]string, error) {
	a, _ := s.actor(r)
	values := url.Values{}
	errs := map[string]string{}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		if err := r.ParseForm(); err != nil {
			return nil, nil, apperr.Wrap(apperr.Invalid, "提交的表单无法读取，请重新填写", err)
		}
		return r.PostForm, errs, nil
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, uploadError(err)
		}
		name := part.FormName()
		if prefix, ok := strings.CutSuffix(name, ".file"); ok {
			if part.FileName() == "" {
				continue // no file chosen
			}
			f, err := s.deps.Files.Upload(r.Context(), a, part.FileName(), part)
			if err != nil {
				e := apperr.As(uploadError(err))
				if e.Code != apperr.Invalid {
					return nil, nil, err
				}
				errs[prefix+".fileIds"] = firstNonEmpty(e.Fields["file"], e.Message)
				continue
			}
			values.Add(prefix+".fileIds", f.ID)
			continue
		}
		if err := readField(values, part); err != nil {
			return nil, nil, err
		}
	}
	return values, errs, nil
}

// exchangeCert names the registry certificate type for the form helpers.
type exchangeCert = exchange.RegistryCertificate
