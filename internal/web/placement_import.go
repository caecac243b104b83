package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"quotacert/internal/apperr"
	"quotacert/internal/placement"
	"quotacert/internal/placement/sheet"
)

// The Excel import pages: GET /placements/import shows the steps (download the template, fill it,
// upload it), POST /placements/import reads the upload and creates the drafts or shows every bad
// row, and GET /placements/imports/{id}/errors.csv downloads the errors of a rejected file.

// importPage is the upload page, with the errors of a refused file.
type importPage struct {
	Year     int
	Errors   []placement.RowError
	More     int   // errors beyond those listed
	ImportID int64 // the rejected attempt, for the errors file
	Message  string
}

// handlePlacementImportPage: GET /placements/import?year=Y.
func (s *Server) handlePlacementImportPage(w http.ResponseWriter, r *http.Request) {
	if !s.requireCompleteProfile(w, r) {
		return
	}
	year, _, err := s.pageYear(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if s.yearLocked(w, r, year) {
		return
	}
	s.renderImportPage(w, r, http.StatusOK, importPage{Year: year})
}

func (s *Server) renderImportPage(w http.ResponseWriter, r *http.Request, status int, p importPage) {
	s.render(w, r, status, "placement_import", Page{Title: "Excel 批量导入", Nav: "placements", Data: p})
}

// maxImportForm bounds the upload form: the workbook and a little text.
const maxImportForm = sheet.MaxFileBytes + 64<<10

// readImportUpload streams the multipart form of an import: the year field and the workbook in
// the part "file", read by the sheet reader as it arrives (never stored as an attachment).
func (s *Server) readImportUpload(w http.ResponseWriter, r *http.Request) (url.Values, placement.ImportInput, bool, error) {
	values := url.Values{}
	r.Body = http.MaxBytesReader(w, r.Body, maxImportForm)
	mr, err := r.MultipartReader()
	if err != nil {
		return values, placement.ImportInput{}, false, apperr.New(apperr.Invalid, "请选择要上传的 Excel 文件（.xlsx）")
	}
	var in placement.ImportInput
	got := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return values, in, got, nil
		}
		if err != nil {
			return values, in, got, uploadError(err)
		}
		if part.FormName() != "file" {
			if err := readField(values, part); err != nil {
				return values, in, got, err
			}
			continue
		}
		if part.FileName() == "" || got {
			continue
		}
		if in, err = readWorkbook(part); err != nil {
			return values, in, got, err
		}
		got = true
	}
}

// readWorkbook reads one uploaded workbook; a file that is not .xlsx is refused by its name first.
func readWorkbook(part *multipart.Part) (placement.ImportInput, error) {
	name := cleanUploadName(part.FileName())
	if !strings.HasSuffix(strings.ToLower(name), ".xlsx") {
		return placement.ImportInput{}, fieldErr("file", "请上传 .xlsx 格式的 Excel 文件（可先下载导入模板）")
	}
	in, err := sheet.Read(part)
	if err != nil {
		return in, uploadError(err)
	}
	in.FileName = name
	return in, nil
}

// cleanUploadName keeps the base name of an upload, valid UTF-8 and of a sane length.
func cleanUploadName(name string) string {
	name = strings.ToValidUTF8(name, "?")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if r := []rune(name); len(r) > 100 {
		name = string(r[len(r)-100:])
	}
	return name
}

// handlePlacementImport: POST /placements/import — create the drafts and return to the list, or
// show the page again with every bad row.
func (s *Server) handlePlacementImport(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	values, in, got, err := s.readImportUpload(w, r)
	year, yerr := parseYear(values.Get("year"))
	if yerr != nil {
		s.renderError(w, r, yerr)
		return
	}
	if err == nil && !got {
		err = fieldErr("file", "请选择要上传的 Excel 文件（.xlsx）")
	}
	if err != nil {
		if apperr.CodeOf(err) != apperr.Invalid {
			s.renderError(w, r, err)
			return
		}
		s.renderImportPage(w, r, http.StatusUnprocessableEntity, importPage{Year: year, Message: apperr.As(err).Message})
		return
	}
	res, err := s.deps.Placements.Import(r.Context(), a, year, in)
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/placements?year=%d&done=placements-imported", year), http.StatusSeeOther)
	case apperr.CodeOf(err) == apperr.Invalid && res.ImportID != 0:
		s.renderImportPage(w, r, http.StatusUnprocessableEntity, importPage{Year: year, Errors: res.Errors,
			ImportID: res.ImportID, Message: apperr.As(err).Message})
	case apperr.CodeOf(err) == apperr.Invalid:
		s.renderImportPage(w, r, http.StatusUnprocessableEntity, importPage{Year: year, Message: apperr.As(err).Message})
	default:
		s.renderError(w, r, err)
	}
}

// handlePlacementImportErrors: GET /placements/imports/{id}/errors.csv — the errors of a rejected
// file of the employer's, one per line, for Excel (UTF-8 with a byte-order mark).
func (s *Server) handlePlacementImportErrors(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := pathID(r, "导入记录")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	rec, errs, err := s.deps.Placements.ImportErrors(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	rows := [][]string{{"行号", "字段", "原因", "错误"}}
	for _, e := range errs {
		line := ""
		if e.Line > 0 {
			line = fmt.Sprint(e.Line)
		}
		rows = append(rows, []string{line, e.Field, csvSafe(e.Reason), csvSafe(e.String())})
	}
	if rec.ErrorCount > len(errs) {
		rows = append(rows, []string{"", "", fmt.Sprintf("另有 %d 处错误未列出", rec.ErrorCount-len(errs)), ""})
	}
	if err := cw.WriteAll(rows); err != nil {
		s.renderError(w, r, apperr.Wrap(apperr.Internal, "生成错误清单失败", err))
		return
	}
	name := fmt.Sprintf("导入错误清单-%d.csv", rec.ID)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="import-errors-%d.csv"; filename*=UTF-8''%s`, rec.ID, url.PathEscape(name)))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
