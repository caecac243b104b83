package placement

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/idnum"
)

// Excel in (批量导入): an employer with many persons fills the template workbook (package
// placement/sheet reads it) and uploads it; every row becomes a draft placement of the year, in one
// all-or-nothing transaction, validated like the form (Input). Contracts come without their
// attachments: the clerk adds them on each person's form before saving the months (checkSavable).
// A rejected file is kept in the import history with its errors, so the errors can be downloaded.

// MaxImportRows bounds the data rows of one file: welfare enterprises place hundreds of persons, a
// larger file is a mistake (or an attack) and is refused before anything is validated.
const MaxImportRows = 2000

// ImportRow is one data row of the workbook: its row number in the sheet (header = 1), the input
// it types and the credit code of its dispatch agency (AffiliateCode), which the service resolves
// to one of the employer's affiliates.
type ImportRow struct {
	Line          int
	Input         Input
	AffiliateCode string
}

// RowError is one bad row of an uploaded file: `第N行 字段: 原因`. Field is the column's Chinese
// name (FieldLabel); Line 0 is the file as a whole. Reasons never contain the row's values.
type RowError struct {
	Line   int
	Field  string
	Reason string
}

func (e RowError) String() string {
	switch {
	case e.Line == 0:
		return e.Reason
	case e.Field == "":
		return fmt.Sprintf("第%d行 %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("第%d行 %s: %s", e.Line, e.Field, e.Reason)
}

// ImportInput is a read file: its name and SHA-256 for the history, its rows, and the errors the
// reader found (formula cells, unreadable values), which reject the file like validation errors.
type ImportInput struct {
	FileName string
	SHA256   string
	Rows     []ImportRow
	Errors   []RowError
}

// ImportRecord is one entry of an employer's import history.
type ImportRecord struct {
	ID         int64
	EmployerID int64
	Year       int
	FileName   string
	SHA256     string
	Rows       int
	Created    int
	Accepted   bool
	ErrorCount int
	Actor      string
	CreatedAt  time.Time
}

// ImportResult is the outcome of an import: the history entry, the drafts created, or every error.
type ImportResult struct {
	ImportID int64
	Created  []int64
	Errors   []RowError
}

// MaxListedImportErrors caps the errors kept of one file (every row of a 2,000-row file may have
// several).
const MaxListedImportErrors = 1000

// errImportRejected rolls the import's transaction back when a row fails a check made inside it.
var errImportRejected = errors.New("placement import: rows refused")

// Import creates a draft placement of year for every row, or none: any bad row rejects the whole
// file with every error listed (Invalid, with Fields keyed "row N"), and the attempt is recorded
// with its errors. A person already registered in the year, or twice in the file, is a row error.
// The registry is not read (the grids verify each person), so the look-up limit does not apply.
func (s *Service) Import(ctx context.Context, a actor.Actor, year int, in ImportInput) (ImportResult, error) {
	if a.Role != actor.Employer {
		return ImportResult{}, apperr.New(apperr.Forbidden, "只有用人单位可以导入安置人员")
	}
	var result ImportResult
	errs := append([]RowError(nil), in.Errors...)
	if len(in.Rows) == 0 && len(errs) == 0 {
		errs = append(errs, RowError{Reason: "文件没有数据行：请在“安置人员”工作表第2行起填写人员（示例行会被跳过）"})
	}
	if len(in.Rows) > MaxImportRows {
		return ImportResult{}, apperr.New(apperr.Invalid, fmt.Sprintf("一次最多导入 %d 人，请拆分文件后分批导入", MaxImportRows))
	}
	if len(errs) == 0 {
		var rowErrs []RowError
		err := s.run(ctx, func(tx Tx) error {
			res := ImportResult{}
			rowErrs = nil
			// An import creates placements: the employer-year's lock first (issue 13).
			if err := tx.LockYear(ctx, a.EmployerID, year); err != nil {
				return err
			}
			emp, err := tx.Employer(ctx, a.EmployerID)
			if err != nil {
				return err
			}
			if err := s.checkWritable(ctx, tx, emp, year); err != nil {
				return err
			}
			b, err := loadBulk(ctx, tx, emp.ID, year)
			if err != nil {
				return err
			}
			plans := make([]parsed, 0, len(in.Rows))
			firstLine := map[string]int{} // ID number → the row it first appeared on
			for _, row := range in.Rows {
				p, bad := s.importRow(b, row, firstLine)
				if len(bad) > 0 {
					rowErrs = append(rowErrs, bad...)
					continue
				}
				plans = append(plans, p)
			}
			if len(rowErrs) > 0 {
				return errImportRejected
			}
			for _, p := range plans {
				id, err := s.insert(ctx, tx, a, year, p)
				if err != nil {
					return err
				}
				res.Created = append(res.Created, id)
				e := audit.For(a, "placement.import", "placement", fmt.Sprint(id))
				e.Detail = fmt.Sprintf("year=%d person=%s file=%s", year, idnum.MaskID(p.person.IDNumber), in.SHA256)
				if err := tx.AppendAudit(ctx, e); err != nil {
					return err
				}
			}
			res.ImportID, err = tx.InsertImport(ctx, ImportRecord{EmployerID: emp.ID, Year: year, FileName: in.FileName,
				SHA256: in.SHA256, Rows: len(in.Rows), Created: len(res.Created), Accepted: true, Actor: a.Name, CreatedAt: tx.Now()}, nil)
			result = res
			return err
		})
		if err == nil {
			return result, nil
		}
		if !errors.Is(err, errImportRejected) {
			return ImportResult{}, err
		}
		errs = rowErrs
	}
	return s.rejectImport(ctx, a, year, in, errs)
}

// importRow validates one row against what the import read once (b): its dispatch agency by
// credit code, the fields as the form checks them, a person repeated in the file or already
// registered in the year, the agency's kind and agreement. It returns the row's plan or its errors.
func (s *Service) importRow(b bulk, row ImportRow, firstLine map[string]int) (parsed, []RowError) {
	in := row.Input
	if code := strings.TrimSpace(row.AffiliateCode); code != "" {
		if !in.Dispatched {
			return parsed{}, []RowError{{Line: row.Line, Field: FieldLabel("affiliateId"), Reason: "非劳务派遣人员不填写劳务派遣单位"}}
		}
		id, ok := b.agencyByCode(code)
		if !ok {
			return parsed{}, []RowError{{Line: row.Line, Field: FieldLabel("affiliateId"),
				Reason: "不是本单位的关联单位，请先在单位信息维护管理中添加该劳务派遣单位"}}
		}
		in.AffiliateID = id
	}
	p, err := in.check(s.today(), true)
	if err != nil {
		return parsed{}, rowErrors(row.Line, err)
	}
	if first, dup := firstLine[p.person.IDNumber]; dup {
		return parsed{}, []RowError{{Line: row.Line, Field: FieldLabel("idNumber"),
			Reason: fmt.Sprintf("与第%d行是同一人员；一人有多份合同时，请导入后在人员信息中添加", first)}}
	}
	firstLine[p.person.IDNumber] = row.Line
	if bad := b.refs(p); len(bad) > 0 {
		return parsed{}, rowErrors(row.Line, apperr.FieldErrors(bad))
	}
	if b.placed[s.pii.Hash(p.person.IDNumber)] {
		return parsed{}, []RowError{{Line: row.Line, Field: FieldLabel("idNumber"), Reason: "该人员本业务年度已登记"}}
	}
	return p, nil
}

// rejectImport records a refused file with its errors (in a transaction of its own: the import's
// was rolled back) and answers Invalid with the errors keyed "row N" (CONTRACT.md).
func (s *Service) rejectImport(ctx context.Context, a actor.Actor, year int, in ImportInput, errs []RowError) (ImportResult, error) {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	total := len(errs)
	listed := errs[:min(len(errs), MaxListedImportErrors)]
	res := ImportResult{Errors: listed}
	err := s.run(ctx, func(tx Tx) error {
		var err error
		res.ImportID, err = tx.InsertImport(ctx, ImportRecord{EmployerID: a.EmployerID, Year: year, FileName: in.FileName,
			SHA256: in.SHA256, Rows: len(in.Rows), ErrorCount: total, Actor: a.Name, CreatedAt: tx.Now()}, listed)
		if err != nil {
			return err
		}
		e := audit.For(a, "placement.import", "placement_import", fmt.Sprint(res.ImportID))
		e.Outcome = audit.Failure
		e.Detail = fmt.Sprintf("year=%d rejected errors=%d file=%s", year, total, in.SHA256)
		return tx.AppendAudit(ctx, e)
	})
	if err != nil {
		return ImportResult{}, err
	}
	fields := map[string]string{}
	for _, e := range listed {
		key := "file"
		if e.Line > 0 {
			key = fmt.Sprintf("row %d", e.Line)
		}
		msg := e.Reason
		if e.Field != "" {
			msg = e.Field + ": " + e.Reason
		}
		if prev := fields[key]; prev != "" {
			msg = prev + "；" + msg
		}
		fields[key] = msg
	}
	return res, &apperr.Error{Code: apperr.Invalid, Fields: fields,
		Message: fmt.Sprintf("文件中有 %d 处错误，整个文件未导入，请修改后重新上传", total)}
}

// ImportErrors returns a rejected import of the employer with its listed errors (the errors file).
func (s *Service) ImportErrors(ctx context.Context, a actor.Actor, id int64) (ImportRecord, []RowError, error) {
	if a.Role != actor.Employer {
		return ImportRecord{}, nil, apperr.New(apperr.Forbidden, "只有用人单位可以查看导入记录")
	}
	var rec ImportRecord
	var errs []RowError
	err := s.run(ctx, func(tx Tx) error {
		var err error
		rec, errs, err = tx.Import(ctx, id)
		if err == nil && rec.EmployerID != a.EmployerID {
			return apperr.NotFoundf("导入记录")
		}
		return err
	})
	return rec, errs, err
}

// rowErrors turns a refusal of one row into its errors, one per field, in a stable order.
func rowErrors(line int, err error) []RowError {
	e := apperr.As(err)
	if len(e.Fields) == 0 {
		return []RowError{{Line: line, Reason: e.Message}}
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if ri, rj := fieldRank(keys[i]), fieldRank(keys[j]); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	out := make([]RowError, 0, len(keys))
	for _, k := range keys {
		out = append(out, RowError{Line: line, Field: FieldLabel(k), Reason: e.Fields[k]})
	}
	return out
}

// agencyByCode finds the live affiliate with a credit code (case and spaces ignored).
func (b bulk) agencyByCode(code string) (int64, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	for _, af := range b.agencies {
		if af.CreditCode == code {
			return af.ID, true
		}
	}
	return 0, false
}
