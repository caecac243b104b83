package declaration

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/readtx"
	"quotacert/internal/rules"
)

// Paging of the staff's results (issue 15): a province holds about 100,000 letters a year, so the
// page shows 50 at a time and the exports read them in chunks, never all at once.
const (
	DefaultResultPage = 50
	// exportChunk is how many letters an export reads per transaction: small enough to hold, large
	// enough that a province's 100,000 letters are a hundred short reads.
	exportChunk    = 1000
	maxResultQuery = 50
)

// ResultQuery selects one page of the results of a year in the staff member's subtree: q matches
// a part of the employer's name or of its credit code, status keeps valid or cancelled letters,
// sort orders by credit code (default), name or status.
type ResultQuery struct {
	Year     int
	Page     int // from 1; 0 is the first
	PageSize int // 0 is DefaultResultPage
	Q        string
	Status   string
	Sort     string // "" (credit code), "name", "status"
}

// ResultFilter is a ResultQuery checked and resolved for the store. After, when its code is set,
// starts the rows after that (credit code, letter id) instead of at Offset: the exports' chunks.
type ResultFilter struct {
	Office string
	Year   int
	Q      string // trimmed; "" none
	Status LetterStatus
	Sort   string
	Limit  int
	Offset int
	After  ResultKey
}

// ResultKey is a row's place in the export order.
type ResultKey struct {
	CreditCode string
	LetterID   int64
}

// ResultSummary are the figures of the whole year in the subtree, whatever the filter, and
// Matching, the rows the filter keeps: one aggregate query.
type ResultSummary struct {
	Letters, Valid, Cancelled int
	// Persons, CountedMonths and WeightMonths are those of the valid letters.
	Persons, CountedMonths int
	WeightMonths           rules.WeightMonths
	Matching               int
}

// ResultPage is one page of the results with the figures for paging.
type ResultPage struct {
	Rows     []Result
	Total    int // rows matching the filter, all pages
	Page     int
	PageSize int
	Pages    int
	Query    ResultQuery // as resolved (defaults filled in)
}

// HasNext reports whether a page follows.
func (p ResultPage) HasNext() bool { return p.Page < p.Pages }

// check validates q and fills in the defaults; every bad field is named.
func (q ResultQuery) check() (ResultQuery, ResultFilter, error) {
	bad := map[string]string{}
	if q.Page < 0 {
		bad["page"] = "页码应为正整数"
	}
	if q.Page == 0 {
		q.Page = 1
	}
	switch {
	case q.PageSize == 0:
		q.PageSize = DefaultResultPage
	case q.PageSize < 0 || q.PageSize > MaxFeedPage:
		bad["pageSize"] = fmt.Sprintf("每页条数应在 1 到 %d 之间", MaxFeedPage)
	}
	q.Q = strings.TrimSpace(q.Q)
	if utf8.RuneCountInString(q.Q) > maxResultQuery {
		bad["q"] = fmt.Sprintf("查询内容不能超过 %d 个字", maxResultQuery)
	}
	switch LetterStatus(q.Status) {
	case "", LetterValid, LetterCancelled:
	default:
		bad["status"] = "状态应为 valid 或 cancelled"
	}
	switch q.Sort {
	case "", "name", "status":
	default:
		bad["sort"] = "排序应为 name 或 status（默认按统一社会信用代码）"
	}
	if len(bad) > 0 {
		return q, ResultFilter{}, apperr.FieldErrors(bad)
	}
	return q, ResultFilter{Year: q.Year, Q: q.Q, Status: LetterStatus(q.Status), Sort: q.Sort, Limit: q.PageSize,
		Offset: (q.Page - 1) * q.PageSize}, nil
}

func staffOnly(a actor.Actor) error {
	if !a.IsStaff() || a.Office == "" {
		return apperr.New(apperr.Forbidden, "只有残联工作人员可以导出认证结果")
	}
	return nil
}

// ResultsPaged returns one page of the year's results in the staff member's subtree with the
// summary of the whole year: the summary and the count are one aggregate query, the page one query
// that reads only its rows. The read is audited like an export (format page or json).
func (s *Service) ResultsPaged(ctx context.Context, a actor.Actor, q ResultQuery, format string) (ResultSummary, ResultPage, error) {
	if err := staffOnly(a); err != nil {
		return ResultSummary{}, ResultPage{}, err
	}
	q, f, err := q.check()
	if err != nil {
		return ResultSummary{}, ResultPage{}, err
	}
	f.Office = a.Office
	var sum ResultSummary
	page := ResultPage{Page: q.Page, PageSize: q.PageSize, Query: q}
	err = s.run(ctx, func(tx Tx) error {
		if _, err := tx.BusinessYear(ctx, q.Year); err != nil {
			return err
		}
		if sum, err = tx.ResultsSummary(ctx, f); err != nil {
			return err
		}
		if page.Rows, err = tx.Results(ctx, f); err != nil {
			return err
		}
		e := audit.For(a, "results.export", "year", fmt.Sprint(q.Year))
		e.Detail = fmt.Sprintf("format=%s page=%d q=%q status=%s rows=%d of %d", format, q.Page, q.Q, q.Status, len(page.Rows), sum.Matching)
		return tx.AppendAudit(ctx, e)
	})
	if err != nil {
		return ResultSummary{}, ResultPage{}, err
	}
	page.Total = sum.Matching
	page.Pages = max(1, (page.Total+q.PageSize-1)/q.PageSize)
	for i := range page.Rows {
		page.Rows[i].EquivalentPerson = float64(page.Rows[i].WeightMonths.Hundredths()) / 100
	}
	return sum, page, nil
}

// ExportResults gives every result of the year in the staff member's subtree to emit, in credit
// code order, a chunk at a time, with the letters' certified persons when persons is set (the
// workbook). The export is audited first, in its own transaction; each chunk is read in a short
// read-only transaction of its own and handed to emit after it ended, so neither the rows nor a
// transaction are held while the client downloads (a slow client holds no connection, and no
// statement runs into the statement timeout). A letter issued or cancelled during the download
// shows as the chunk that reads it finds it. An error of emit ends the export.
func (s *Service) ExportResults(ctx context.Context, a actor.Actor, year int, format string, persons bool, emit func([]Result) error) error {
	if err := staffOnly(a); err != nil {
		return err
	}
	f := ResultFilter{Office: a.Office, Year: year, Limit: exportChunk}
	err := s.run(ctx, func(tx Tx) error {
		if _, err := tx.BusinessYear(ctx, year); err != nil {
			return err
		}
		sum, err := tx.ResultsSummary(ctx, f)
		if err != nil {
			return err
		}
		e := audit.For(a, "results.export", "year", fmt.Sprint(year))
		e.Detail = fmt.Sprintf("format=%s rows=%d", format, sum.Letters)
		return tx.AppendAudit(ctx, e)
	})
	if err != nil {
		return err
	}
	for {
		var rows []Result
		err := s.run(readtx.Mark(ctx), func(tx Tx) error {
			var err error
			if rows, err = tx.Results(ctx, f); err != nil || !persons || len(rows) == 0 {
				return err
			}
			ids := make([]int64, len(rows))
			for i, r := range rows {
				ids[i] = r.LetterID
			}
			certified, err := tx.LettersPersons(ctx, ids)
			for i := range rows {
				rows[i].Certified = certified[rows[i].LetterID]
			}
			return err
		})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		for i := range rows {
			rows[i].EquivalentPerson = float64(rows[i].WeightMonths.Hundredths()) / 100
		}
		if err := emit(rows); err != nil {
			return err
		}
		if len(rows) < f.Limit {
			return nil
		}
		last := rows[len(rows)-1]
		f.After = ResultKey{CreditCode: last.CreditCode, LetterID: last.LetterID}
	}
}
