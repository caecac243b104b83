package web

import (
	"net/http"

	"quotacert/internal/apperr"
	"quotacert/internal/employer"
)

// The 添加关联单位 / 编辑关联单位 form: a subsidiary or dispatch agency with its proof (agreement).

// affiliateForm is the state of the add/edit affiliate page.
type affiliateForm struct {
	ID         int64 // 0 when adding
	CreditCode string
	Name       string
	Kind       string
	Locked     bool
	Review     string             // the stored affiliate's review state (its label), "" when adding
	Files      []employer.FileRef // attached (checked) files
	Error      string
	Fields     map[string]string
}

// handleAffiliateNew shows the empty form.
func (s *Server) handleAffiliateNew(w http.ResponseWriter, r *http.Request) {
	s.renderAffiliate(w, r, http.StatusOK, affiliateForm{Kind: employer.KindSubsidiary})
}

// handleAffiliateEdit shows the form of a stored affiliate with its files.
func (s *Server) handleAffiliateEdit(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := pathID(r, "关联单位")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	af, err := s.deps.Employers.Affiliate(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderAffiliate(w, r, http.StatusOK, affiliateForm{ID: af.ID, CreditCode: af.CreditCode, Name: af.Name,
		Kind: af.Kind, Locked: af.Locked, Review: af.ReviewLabel(), Files: af.Files})
}

// handleAffiliateSave adds (no id) or updates an affiliate from the multipart form. A file chosen in
// the form is uploaded first; if the rest of the form is refused, the page comes back with that
// file already attached so it need not be chosen again.
func (s *Server) handleAffiliateSave(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r, "关联单位"); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	f := affiliateForm{ID: id, Fields: map[string]string{}}
	if id != 0 {
		cur, err := s.deps.Employers.Affiliate(r.Context(), a, id)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		f.Locked, f.Review = cur.Locked, cur.ReviewLabel()
	}
	values, uploadErrs, err := s.readUploadForm(w, r, maxOneFileForm)
	if err != nil {
		e := apperr.As(err)
		if e.Code != apperr.Invalid {
			s.renderError(w, r, err)
			return
		}
		f.Fields["file"] = firstNonEmpty(e.Fields["file"], e.Message)
	}
	if m := uploadErrs["fileIds"]; m != "" {
		f.Fields["file"] = m
	}
	uploadFailed := f.Fields["file"] != ""
	in := employer.AffiliateInput{CreditCode: values.Get("creditCode"), Name: values.Get("name"),
		Kind: values.Get("kind"), FileIDs: values["fileIds"]}
	f.CreditCode, f.Name, f.Kind = in.CreditCode, in.Name, in.Kind
	if !uploadFailed {
		if id == 0 {
			_, err = s.deps.Employers.AddAffiliate(r.Context(), a, in)
		} else {
			_, err = s.deps.Employers.UpdateAffiliate(r.Context(), a, id, in)
		}
		if err == nil {
			done := "affiliate-added"
			if id != 0 {
				done = "affiliate-saved"
			}
			http.Redirect(w, r, "/employer?done="+done, http.StatusSeeOther)
			return
		}
		e := apperr.As(err)
		if e.Code != apperr.Invalid {
			s.renderError(w, r, err)
			return
		}
		for k, m := range e.Fields {
			f.Fields[k] = m
		}
	}
	// Show the files the user had attached, by their stored names.
	f.Files = s.namedFiles(r, in.FileIDs)
	f.Error = apperr.FieldErrors(f.Fields).Message
	s.renderAffiliate(w, r, http.StatusUnprocessableEntity, f)
}

func (s *Server) renderAffiliate(w http.ResponseWriter, r *http.Request, status int, f affiliateForm) {
	if f.Fields == nil {
		f.Fields = map[string]string{}
	}
	title := "添加关联单位"
	if f.ID != 0 {
		title = "编辑关联单位"
	}
	s.render(w, r, status, "affiliate_form", Page{Title: title, Nav: "employer", Data: f})
}
