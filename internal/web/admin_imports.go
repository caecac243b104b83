package web

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"quotacert/internal/apperr"
	"quotacert/internal/exchange"
)

// MaxImportUpload bounds one uploaded data-exchange file. The file is streamed to a temporary file
// on disk, never held in memory, so the bound protects the disk, not the heap.
const MaxImportUpload = 512 << 20

// importDeadline bounds an import through the web: below the server's write timeout (two minutes,
// cmd/quotacert/serve.go), so the page can still say what happened.
const importDeadline = 100 * time.Second

// importsPage is the history page with the upload form.
type importsPage struct {
	Kinds   []exchange.Kind
	Kind    string
	Errors  map[string]string // field → message, shown beside the field
	History []exchange.Import
	// Note, for admins below the root, says who imports (province-wide data); the page then shows
	// neither the form nor the history.
	Note string
}

// importReport is the result page of one import.
type importReport struct {
	Import exchange.Import
	Errors []exchange.RowError
	More   int // bad rows beyond the listed ones
}

func (s *Server) handleImportsPage(w http.ResponseWriter, r *http.Request) {
	s.renderImports(w, r, http.StatusOK, importsPage{})
}

func (s *Server) renderImports(w http.ResponseWriter, r *http.Request, status int, p importsPage) {
	a, _ := s.actor(r)
	sc, err := s.adminScope(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if !sc.Province() {
		p.Note = "残疾人证、工资、养老保险、医疗保险和最低工资标准的数据交换文件是全省数据，由" + sc.RootName + "的系统管理员导入。"
		s.render(w, r, status, "admin_imports", Page{Title: "数据导入", Nav: "imports", Data: p})
		return
	}
	hist, err := s.deps.Exchange.History(r.Context(), a, 200)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Kinds, p.History = exchange.Kinds(), hist
	s.render(w, r, status, "admin_imports", Page{Title: "数据导入", Nav: "imports", Data: p})
}

// handleImportUpload streams the multipart upload to a temporary file, imports it, and redirects
// to the result page (POST-redirect-GET), so a reload does not import twice.
func (s *Server) handleImportUpload(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	r.Body = http.MaxBytesReader(w, r.Body, MaxImportUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		s.renderImports(w, r, http.StatusUnprocessableEntity, importsPage{Errors: map[string]string{"file": "请选择要上传的文件"}})
		return
	}
	var kind, name string
	var tmp *os.File
	defer func() {
		if tmp != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.renderImports(w, r, http.StatusUnprocessableEntity, importsPage{Kind: kind, Errors: map[string]string{"file": "上传中断或文件过大（最大 512 MB），请重试"}})
			return
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			kind = strings.TrimSpace(string(b))
		case "file":
			if part.FileName() == "" {
				continue
			}
			name = part.FileName()
			if tmp, err = spool(part); err != nil {
				s.renderImports(w, r, http.StatusUnprocessableEntity, importsPage{Kind: kind, Errors: map[string]string{"file": "上传中断或文件过大（最大 512 MB），请重试"}})
				return
			}
		}
		part.Close()
	}
	errs := map[string]string{}
	k, err := exchange.ParseKind(kind)
	if err != nil {
		errs["kind"] = "请选择数据类型"
	}
	if tmp == nil {
		errs["file"] = "请选择要上传的文件（.csv 或 .xlsx）"
	}
	if len(errs) > 0 {
		s.renderImports(w, r, http.StatusUnprocessableEntity, importsPage{Kind: kind, Errors: errs})
		return
	}
	// The import runs within the request, with a deadline below the server's write timeout, so it
	// never outlives the answer the admin waits for: past it the transaction is rolled back and the
	// page says to use the command line, which has no deadline. Its memory is bounded whatever the
	// file (exchange.DefaultBatchSize rows, one row, the limits of package tabular).
	ctx, cancel := context.WithTimeout(r.Context(), importDeadline)
	defer cancel()
	progress, done := s.deps.Metrics.Import()
	res, err := s.deps.Exchange.Import(ctx, a, k, name, tmp, exchange.Options{Progress: progress})
	done(err == nil && res.Accepted())
	if errors.Is(err, context.DeadlineExceeded) {
		s.renderImports(w, r, http.StatusUnprocessableEntity, importsPage{Kind: kind, Errors: map[string]string{"file": fmt.Sprintf(
			"文件过大，%d 秒内未能导入完毕，未导入任何数据。请拆分文件，或由运维人员在服务器上用 quotacert import 命令导入", int(importDeadline.Seconds()))}})
		return
	}
	if err != nil && res.ImportID == 0 {
		if apperr.CodeOf(err) == apperr.Invalid { // e.g. an unsupported extension: nothing to report on
			s.renderImports(w, r, http.StatusUnprocessableEntity, importsPage{Kind: kind, Errors: map[string]string{"file": apperr.As(err).Message}})
			return
		}
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/imports/"+strconv.FormatInt(res.ImportID, 10), http.StatusSeeOther)
}

// spool copies an uploaded part to a temporary file and rewinds it.
func spool(part *multipart.Part) (*os.File, error) {
	tmp, err := os.CreateTemp("", "quotacert-upload-*")
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(tmp, part); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return tmp, nil
}

func (s *Server) importReportOf(r *http.Request) (importReport, error) {
	a, _ := s.actor(r)
	id, err := pathID(r, "导入记录")
	if err != nil {
		return importReport{}, err
	}
	imp, errs, err := s.deps.Exchange.Report(r.Context(), a, id)
	if err != nil {
		return importReport{}, err
	}
	return importReport{Import: imp, Errors: errs, More: imp.ErrorCount - len(errs)}, nil
}

func (s *Server) handleImportReport(w http.ResponseWriter, r *http.Request) {
	rep, err := s.importReportOf(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	title := "导入成功"
	if !rep.Import.Accepted() {
		title = "导入失败：文件未导入"
	}
	s.render(w, r, http.StatusOK, "admin_import", Page{Title: title, Nav: "imports", Data: rep})
}

// handleImportErrorsCSV downloads the bad rows of an import as CSV (UTF-8 with a BOM so that Excel
// in China opens it with the right encoding).
func (s *Server) handleImportErrorsCSV(w http.ResponseWriter, r *http.Request) {
	rep, err := s.importReportOf(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="import-%d-errors.csv"`, rep.Import.ID))
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, "\ufeff")
	cw := csv.NewWriter(w)
	cw.Write([]string{"row", "field", "reason"})
	for _, e := range rep.Errors {
		cw.Write([]string{strconv.Itoa(e.Row), csvSafe(e.Field), csvSafe(e.Reason)})
	}
	cw.Flush()
}
