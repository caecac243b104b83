package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/placement"
)

// savePlacementForm runs the buttons of the placement form for a new (id 0) or a draft placement:
// 查询 asks the registry, 添加合同 and 添加历史证件 add a row, and 保存，下一步 creates or updates and
// opens the grid. A refused save shows the form again with everything typed and uploaded kept and
// each message beside its field.
func (s *Server) savePlacementForm(w http.ResponseWriter, r *http.Request, id int64) {
	a, _ := s.actor(r)
	values, uploadErrs, err := s.readUploadForm(w, r, maxPlacementForm)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	year, err := parseYear(values.Get("year"))
	if err != nil {
		s.renderError(w, r, err)
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
		status := statusFor(f.Fields)
		if f.Throttled {
			status = http.StatusTooManyRequests
		}
		s.renderPlacementForm(w, r, status, f)
		return
	case "addContract":
		f.Contracts = append(f.Contracts, contractRow{})
		s.rerenderRows(w, r, &f, uploadErrs, "已添加一份合同，请在“合同 "+strconv.Itoa(len(f.Contracts))+"”中填写。")
		return
	case "addCertificate":
		f.Certificates = append(f.Certificates, certificateRow{})
		s.rerenderRows(w, r, &f, uploadErrs, "已添加一个历史证件，请在“历史证件 "+strconv.Itoa(len(f.Certificates))+"”中填写。")
		return
	}
	if kind, i, ok := removeAction(values.Get("action")); ok {
		// The button names the row as it was posted; rows left empty were dropped on reading.
		done := ""
		if kind == "contract" {
			for j, c := range f.Contracts {
				if c.Posted == i {
					f.Contracts, done = append(f.Contracts[:j], f.Contracts[j+1:]...), "已删除合同 "+strconv.Itoa(i+1)+"。"
					break
				}
			}
		} else {
			for j, c := range f.Certificates {
				if c.Posted == i {
					f.Certificates, done = append(f.Certificates[:j], f.Certificates[j+1:]...), "已删除历史证件 "+strconv.Itoa(i+1)+"。"
					break
				}
			}
		}
		s.rerenderRows(w, r, &f, uploadErrs, done)
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

// lookup fills the form from the registry (查询): name and the certificate (kind, category and level,
// or grade) of the newest valid certificate, unless the user chose them already. Bad input and throttling are shown beside the
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
		f.Fields["idNumber"], f.Throttled = apperr.As(err).Message, true
		return nil
	default:
		return err
	}
	f.Registry = registryRows(p.Certificates)
	if strings.TrimSpace(f.Name) == "" {
		f.Name = p.Name
	}
	if f.Category == "" && f.Level == "" && f.Grade == "" && p.CertificateKind != "" {
		// Nothing chosen yet: the registry's certificate decides the kind too.
		f.CertificateKind = string(p.CertificateKind)
	}
	if f.Category == "" && p.Category != 0 {
		f.Category = strconv.Itoa(p.Category)
	}
	if f.Level == "" && p.Level != 0 {
		f.Level = strconv.Itoa(p.Level)
	}
	if f.Grade == "" && p.Grade != 0 {
		f.Grade = strconv.Itoa(p.Grade)
	}
	return nil
}

// removeAction reads the 删除 buttons of the form's rows: "removeContract.2" removes the third
// contract, "removeCertificate.0" the first historical certificate.
func removeAction(action string) (kind string, i int, ok bool) {
	for prefix, k := range map[string]string{"removeContract.": "contract", "removeCertificate.": "certificate"} {
		if rest, found := strings.CutPrefix(action, prefix); found {
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 {
				return "", 0, false
			}
			return k, n, true
		}
	}
	return "", 0, false
}

// rerenderRows shows the form again after a row was added or removed. Files chosen before the
// button was pressed were uploaded with the form: they are kept on their rows, and the status
// message names them so the clerk knows they need not be chosen again.
func (s *Server) rerenderRows(w http.ResponseWriter, r *http.Request, f *placementForm, uploadErrs map[string]string, done string) {
	s.keepFiles(r, f)
	for k, m := range uploadErrs {
		f.Fields[k] = m
	}
	f.Error = errorSummary(f.Fields)
	var kept []string
	for _, c := range f.Contracts {
		for _, file := range c.Files {
			kept = append(kept, file.Name)
		}
	}
	for _, c := range f.Certificates {
		for _, file := range c.Files {
			kept = append(kept, file.Name)
		}
	}
	f.Status = done
	if len(kept) > 0 {
		f.Status += "已选择的文件已上传并保留：" + strings.Join(kept, "、") + "，无需重新选择。"
	}
	s.renderPlacementForm(w, r, statusFor(f.Fields), *f)
}
