package web

import (
	"fmt"
	"net/http"
	"net/url"

	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
	"quotacert/internal/placement/sheet"
)

// The Excel in and out of the placement API (CONTRACT.md wave 2): the template, the import and the
// list as a workbook.

// xlsxType is the media type of a workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// writeXLSX answers with a workbook download named name (ascii is the plain-ASCII fallback name).
func writeXLSX(w http.ResponseWriter, data []byte, ascii, name string) {
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name)))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
}

// handleAPIPlacementTemplate is GET /api/v1/years/{year}/placements/template.xlsx.
func (s *Server) handleAPIPlacementTemplate(w http.ResponseWriter, r *http.Request) {
	year, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	data, err := sheet.Template(year)
	if err != nil {
		s.renderError(w, r, apperr.Wrap(apperr.Internal, "生成导入模板失败", err))
		return
	}
	writeXLSX(w, data, fmt.Sprintf("placements-template-%d.xlsx", year), fmt.Sprintf("%d年度残疾人安置人员导入模板.xlsx", year))
}

// handleAPIPlacementImport is POST /api/v1/years/{year}/placements/import (multipart "file") →
// 201 {created, ids}, or 422 with fields keyed "row N".
func (s *Server) handleAPIPlacementImport(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	_, in, got, err := s.readImportUpload(w, r)
	if err == nil && !got {
		err = fieldErr("file", "请在 file 字段上传 .xlsx 文件")
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	res, err := s.deps.Placements.Import(r.Context(), a, year, in)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"created": len(res.Created), "ids": res.Created})
}

// handleAPIPlacementsXLSX is GET /api/v1/years/{year}/placements.xlsx: the year's list with its
// summary as a workbook (masked ID numbers, counted months per person, status).
func (s *Server) handleAPIPlacementsXLSX(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	emp, ok := s.completeProfile(w, r)
	if !ok {
		return
	}
	sum, rows, err := s.deps.Placements.List(r.Context(), a, year)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	data, err := sheet.Export(sheet.ExportInput{EmployerName: emp.Name, CreditCode: emp.CreditCode, Year: year, Summary: sum,
		Rows: rows, Generated: s.deps.Now()})
	if err != nil {
		s.renderError(w, r, apperr.Wrap(apperr.Internal, "生成表格失败", err))
		return
	}
	writeXLSX(w, data, fmt.Sprintf("placements-%d.xlsx", year), fmt.Sprintf("%d年度残疾人安置人员名单.xlsx", year))
}
