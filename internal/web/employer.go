package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/employer"
	"quotacert/internal/rules"
)

// profileForm is the state of the employer profile page: the typed values (kept on an error), the
// choices of each select, and the message of each bad field.
type profileForm struct {
	CreditCode        string
	Name              string
	Province, City    string
	District          string
	FederationOffice  string
	TaxOffice         string
	ContactName       string
	ContactPhone      string
	EmployeeCount     string
	Address           string
	UnitNature        string
	EconomyType       string
	ContactEmail      string
	UnitNatures       []string
	EconomyTypes      []string
	Provinces         []employer.Region
	Cities            []employer.Region
	Districts         []employer.Region
	FederationOffices []employer.Office
	TaxOffices        []employer.Office
	Missing           []string
	Error             string
	Fields            map[string]string
	Affiliates        []affiliateRow
}

// affiliateRow is one line of the affiliates table.
type affiliateRow struct {
	ID         int64
	CreditCode string
	Name       string
	KindLabel  string
	Locked     bool
	Files      []employer.FileRef
	// Review and ReviewLabel: the federation's review; Comment is the reviewer's comment or the
	// objection of the unit the credit code belongs to.
	Review      rules.ReviewStatus
	ReviewLabel string
	Comment     string
}

func affiliateRows(list []employer.Affiliate) []affiliateRow {
	rows := make([]affiliateRow, len(list))
	for i, a := range list {
		rows[i] = affiliateRow{ID: a.ID, CreditCode: a.CreditCode, Name: a.Name, KindLabel: employer.KindLabel(a.Kind),
			Locked: a.Locked, Files: a.Files, Review: a.Review, ReviewLabel: a.ReviewLabel()}
		if a.Review == rules.ReviewRejected {
			rows[i].Comment = a.Decision.Comment
		}
	}
	return rows
}

// handleEmployerPage shows the stored profile and the affiliates.
func (s *Server) handleEmployerPage(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	p, err := s.deps.Employers.Profile(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	f := profileForm{CreditCode: p.CreditCode, Name: p.Name, District: p.District, FederationOffice: p.FederationOffice,
		TaxOffice: p.TaxOffice, ContactName: p.ContactName, ContactPhone: p.ContactPhone, Address: p.Address,
		UnitNature: p.UnitNature, EconomyType: p.EconomyType, ContactEmail: p.ContactEmail}
	if p.EmployeeCount > 0 {
		f.EmployeeCount = strconv.Itoa(p.EmployeeCount)
	}
	path, err := s.deps.Employers.RegionPath(r.Context(), p.District)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if len(path) > 0 {
		f.Province = path[0].Code
	}
	if len(path) > 1 {
		f.City = path[1].Code
	}
	s.renderProfile(w, r, a, http.StatusOK, f, employer.Complete(p))
}

// handleEmployerSave saves the profile (POST-redirect-GET with a confirmation), or — for the
// "refresh" button that lets the cascading selects work without JavaScript — only redraws the form
// with the lists for the chosen province and city.
func (s *Server) handleEmployerSave(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, apperr.Wrap(apperr.Invalid, "提交的表单无法读取，请重新填写", err))
		return
	}
	v := r.PostForm
	f := profileForm{Name: v.Get("name"), Province: v.Get("province"), City: v.Get("city"), District: v.Get("district"),
		FederationOffice: v.Get("federationOffice"), TaxOffice: v.Get("taxOffice"), ContactName: v.Get("contactName"),
		ContactPhone: v.Get("contactPhone"), EmployeeCount: strings.TrimSpace(v.Get("employeeCount")),
		Address: v.Get("address"), UnitNature: v.Get("unitNature"), EconomyType: v.Get("economyType"),
		ContactEmail: v.Get("contactEmail")}
	p, err := s.deps.Employers.Profile(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	f.CreditCode = p.CreditCode
	if v.Get("action") == "refresh" {
		s.renderProfile(w, r, a, http.StatusOK, f, employer.Complete(p))
		return
	}
	in := employer.ProfileInput{Name: f.Name, FederationOffice: f.FederationOffice, TaxOffice: f.TaxOffice,
		District: f.District, ContactName: f.ContactName, ContactPhone: f.ContactPhone, Address: f.Address,
		UnitNature: &f.UnitNature, EconomyType: &f.EconomyType, ContactEmail: &f.ContactEmail}
	if f.EmployeeCount != "" {
		n, err := strconv.Atoi(f.EmployeeCount)
		if err != nil {
			n = -1 // not a whole number: the service reports the range message beside the field
		}
		in.EmployeeCount = &n
	}
	_, err = s.deps.Employers.SaveProfile(r.Context(), a, in)
	if err != nil {
		e := apperr.As(err)
		if e.Code != apperr.Invalid {
			s.renderError(w, r, err)
			return
		}
		f.Fields = map[string]string{}
		for k, m := range e.Fields {
			f.Fields[k] = m
		}
		f.Error = apperr.FieldErrors(f.Fields).Message
		s.renderProfile(w, r, a, http.StatusUnprocessableEntity, f, nil)
		return
	}
	http.Redirect(w, r, "/employer?done=employer-saved", http.StatusSeeOther)
}

// renderProfile fills the select lists for the chosen province, city and district and draws the page.
// A choice that does not belong under its parent is dropped, so the lists always agree.
func (s *Server) renderProfile(w http.ResponseWriter, r *http.Request, a actor.Actor, status int, f profileForm, missing []string) {
	ctx := r.Context()
	var err error
	fail := func(e error) bool {
		if e != nil {
			s.renderError(w, r, e)
			return true
		}
		return false
	}
	if f.Provinces, err = s.deps.Employers.Regions(ctx, ""); fail(err) {
		return
	}
	if !hasRegion(f.Provinces, f.Province) {
		f.Province, f.City, f.District = "", "", ""
		if len(f.Provinces) == 1 { // one province installed (Jilin): choose it for the user
			f.Province = f.Provinces[0].Code
		}
	}
	if f.Province != "" {
		if f.Cities, err = s.deps.Employers.Regions(ctx, f.Province); fail(err) {
			return
		}
	}
	if !hasRegion(f.Cities, f.City) {
		f.City, f.District = "", ""
	}
	if f.City != "" {
		if f.Districts, err = s.deps.Employers.Regions(ctx, f.City); fail(err) {
			return
		}
	}
	if !hasRegion(f.Districts, f.District) {
		f.District = ""
	}
	scope := f.District
	if scope == "" {
		scope = f.City
	}
	if scope == "" {
		scope = f.Province
	}
	if f.FederationOffices, err = s.deps.Employers.Offices(ctx, employer.OfficeFederation, scope); fail(err) {
		return
	}
	if f.TaxOffices, err = s.deps.Employers.Offices(ctx, employer.OfficeTax, scope); fail(err) {
		return
	}
	list, err := s.deps.Employers.Affiliates(ctx, a)
	if fail(err) {
		return
	}
	f.Affiliates = affiliateRows(list)
	f.Missing = missing
	if f.Fields == nil {
		f.Fields = map[string]string{}
	}
	f.UnitNatures, f.EconomyTypes = employer.UnitNatures(), employer.EconomyTypes()
	s.render(w, r, status, "employer", Page{Title: "单位信息维护管理", Nav: "employer", Data: f})
}

func hasRegion(list []employer.Region, code string) bool {
	return code != "" && slices.ContainsFunc(list, func(r employer.Region) bool { return r.Code == code })
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// requireCompleteProfile sends an employer whose profile misses required fields to the profile page
// (with a note saying why; the API answers 409) and reports false. Placement pages call it before
// showing a list or a form; the placement service itself refuses every change (employer.RequireComplete).
func (s *Server) requireCompleteProfile(w http.ResponseWriter, r *http.Request) bool {
	_, ok := s.completeProfile(w, r)
	return ok
}

// completeProfile is requireCompleteProfile that also hands back the employer's profile (the zero
// profile for staff), for pages that print the unit's name.
func (s *Server) completeProfile(w http.ResponseWriter, r *http.Request) (employer.Profile, bool) {
	a, ok := s.actor(r)
	if !ok || a.Role != actor.Employer {
		return employer.Profile{}, true
	}
	p, err := s.deps.Employers.Profile(r.Context(), a)
	if err == nil {
		err = employer.RequireComplete(p)
	}
	if err != nil {
		s.renderError(w, r, err)
		return employer.Profile{}, false
	}
	return p, true
}
