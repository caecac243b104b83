package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"

	"quotacert/internal/apperr"
	"quotacert/internal/blob"
	"quotacert/internal/employer"
)

// affiliateForm is the state of the add/edit affiliate page.
type affiliateForm struct {
	ID         int64 // 0 when adding
	CreditCode string
	Name       string
	Kind       string
	Locked     bool
	Files      []employer.FileRef // attached (checked) files
	Error      string
	Fields     map[string]string
}

// maxFormBody bounds a multipart affiliate form: one attachment plus a little text.
const maxFormBody = blob.MaxSize + 1<<20

func (s *Server) handleAffiliateNew(w http.ResponseWriter, r *http.Request) {
	s.renderAffiliate(w, r, http.StatusOK, affiliateForm{Kind: employer.KindSubsidiary})
}

func (s *Server) handleAffiliateEdit(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.renderError(w, r, apperr.NotFoundf("关联单位"))
		return
	}
	af, err := s.deps.Employers.Affiliate(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderAffiliate(w, r, http.StatusOK, affiliateForm{ID: af.ID, CreditCode: af.CreditCode, Name: af.Name,
		Kind: af.Kind, Locked: af.Locked, Files: af.Files})
}

// handleAffiliateSave adds (no id) or updates an affiliate from the multipart form. A file chosen in
// the form is uploaded first; if the rest of the form is refused, the page comes back with that
// file already attached so it need not be chosen again.
func (s *Server) handleAffiliateSave(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	var id int64
	if raw := r.PathValue("id"); raw != "" {
		var err error
		if id, err = strconv.ParseInt(raw, 10, 64); err != nil {
			s.renderError(w, r, apperr.NotFoundf("关联单位"))
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
		f.Locked = cur.Locked
	}
	values, upErr := s.readAffiliateForm(w, r)
	var uploadFailed bool
	if upErr != nil {
		e := apperr.As(upErr)
		if e.Code != apperr.Invalid {
			s.renderError(w, r, upErr)
			return
		}
		f.Fields["file"] = firstNonEmpty(e.Fields["file"], e.Message)
		uploadFailed = true
	}
	in := employer.AffiliateInput{CreditCode: values.Get("creditCode"), Name: values.Get("name"),
		Kind: values.Get("kind"), FileIDs: values["fileIds"]}
	f.CreditCode, f.Name, f.Kind = in.CreditCode, in.Name, in.Kind
	var err error
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

// readAffiliateForm streams the multipart form: text fields into values, the file part (if one was
// chosen) straight into the attachment store, whose id is added to fileIds.
func (s *Server) readAffiliateForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	a, _ := s.actor(r)
	values := url.Values{}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	mr, err := r.MultipartReader()
	if err != nil {
		// A plain urlencoded post (no file) is accepted too.
		if err := r.ParseForm(); err != nil {
			return values, apperr.Wrap(apperr.Invalid, "提交的表单无法读取，请重新填写", err)
		}
		return r.PostForm, nil
	}
	var uploadErr error
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return values, uploadError(err)
		}
		if part.FormName() == "file" {
			if part.FileName() == "" {
				continue // no file chosen
			}
			f, err := s.deps.Files.Upload(r.Context(), a, part.FileName(), part)
			if err != nil {
				uploadErr = uploadError(err)
				continue
			}
			values.Add("fileIds", f.ID)
			continue
		}
		if err := readField(values, part); err != nil {
			return values, err
		}
	}
	return values, uploadErr
}

func readField(values url.Values, part *multipart.Part) error {
	b, err := io.ReadAll(io.LimitReader(part, 4<<10+1))
	if err != nil {
		return uploadError(err)
	}
	if len(b) > 4<<10 {
		return apperr.New(apperr.Invalid, "表单内容过长")
	}
	values.Add(part.FormName(), string(b))
	return nil
}

// uploadError turns a body that exceeded the request limit into the size message.
func uploadError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &apperr.Error{Code: apperr.Invalid, Message: "文件不能超过 10 MB，请压缩或拆分后上传",
			Fields: map[string]string{"file": "文件不能超过 10 MB，请压缩或拆分后上传"}}
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	return &apperr.Error{Code: apperr.Invalid, Message: "文件上传中断，请重新上传", Fields: map[string]string{"file": "文件上传中断，请重新上传"}}
}

// namedFiles looks up the names of the actor's files among ids (unknown ids are left out).
func (s *Server) namedFiles(r *http.Request, ids []string) []employer.FileRef {
	a, _ := s.actor(r)
	var out []employer.FileRef
	for _, id := range ids {
		f, rc, err := s.deps.Files.Open(r.Context(), a, id)
		if err != nil {
			continue
		}
		rc.Close()
		out = append(out, employer.FileRef{ID: f.ID, Name: f.Name, Size: f.Size})
	}
	return out
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

// handleAffiliateDeleteConfirm asks before deleting: a page of its own, so it works without JavaScript.
func (s *Server) handleAffiliateDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.renderError(w, r, apperr.NotFoundf("关联单位"))
		return
	}
	af, err := s.deps.Employers.Affiliate(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "affiliate_delete", Page{Title: "删除关联单位", Nav: "employer",
		Data: affiliateRow{ID: af.ID, CreditCode: af.CreditCode, Name: af.Name, KindLabel: employer.KindLabel(af.Kind), Locked: af.Locked}})
}

func (s *Server) handleAffiliateDelete(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.renderError(w, r, apperr.NotFoundf("关联单位"))
		return
	}
	if err := s.deps.Employers.DeleteAffiliate(r.Context(), a, id); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/employer?done=affiliate-deleted", http.StatusSeeOther)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
