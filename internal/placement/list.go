package placement

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/readtx"
)

// Paging of the list (issue 15): a welfare enterprise may place hundreds of persons, so the list
// shows one page at a time; the summary counts the whole year all the same.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
	maxQuery        = 50
)

// ListQuery selects one page of a year's placements: q matches the name (a part of it) or the
// last digits of the masked ID number; status keeps one status; sort orders by registration
// (default), name or status.
type ListQuery struct {
	Year     int
	Page     int // from 1; 0 is the first
	PageSize int // 0 is DefaultPageSize
	Q        string
	Status   string
	Sort     string // "" (registration order), "name", "status"
}

// ListFilter is a ListQuery checked and resolved for the store.
type ListFilter struct {
	EmployerID int64
	Year       int
	Q          string // trimmed; "" none
	Digits     bool   // Q is digits (or X): matched against the end of the masked ID number
	Status     Status // "" all
	Sort       string
	Limit      int
	Offset     int
}

// ListPage is one page of the list with the figures for paging.
type ListPage struct {
	Rows     []ListRow
	Total    int // rows matching the filter, all pages
	Page     int
	PageSize int
	Pages    int
	Query    ListQuery // as resolved (defaults filled in)
}

// HasNext reports whether a page follows.
func (p ListPage) HasNext() bool { return p.Page < p.Pages }

// check validates q and fills in the defaults; every bad field is named.
func (q ListQuery) check() (ListQuery, ListFilter, error) {
	bad := map[string]string{}
	if q.Page < 0 {
		bad["page"] = "页码应为正整数"
	}
	if q.Page == 0 {
		q.Page = 1
	}
	switch {
	case q.PageSize == 0:
		q.PageSize = DefaultPageSize
	case q.PageSize < 0 || q.PageSize > MaxPageSize:
		bad["pageSize"] = fmt.Sprintf("每页条数应在 1 到 %d 之间", MaxPageSize)
	}
	q.Q = strings.TrimSpace(q.Q)
	if utf8.RuneCountInString(q.Q) > maxQuery {
		bad["q"] = fmt.Sprintf("查询内容不能超过 %d 个字", maxQuery)
	}
	switch Status(q.Status) {
	case "", Draft, Pending, Confirmed, Rejected:
	default:
		bad["status"] = "状态应为 draft、pending、confirmed 或 rejected"
	}
	switch q.Sort {
	case "", "name", "status":
	default:
		bad["sort"] = "排序应为 name 或 status（默认按登记顺序）"
	}
	if len(bad) > 0 {
		return q, ListFilter{}, apperr.FieldErrors(bad)
	}
	f := ListFilter{Year: q.Year, Q: q.Q, Status: Status(q.Status), Sort: q.Sort,
		Limit: q.PageSize, Offset: (q.Page - 1) * q.PageSize}
	f.Digits = f.Q != "" && strings.Trim(strings.ToUpper(f.Q), "0123456789X") == ""
	if f.Digits {
		f.Q = strings.ToUpper(f.Q)
	}
	return q, f, nil
}

// ListStamp reads the stamp of the employer's list (Stamp): while it reads the same, a page of the
// list read after it is still that page.
func (s *Service) ListStamp(ctx context.Context, a actor.Actor) (Stamp, error) {
	if a.Role != actor.Employer {
		return Stamp{}, apperr.New(apperr.Forbidden, "只有用人单位可以查看安置列表")
	}
	var st Stamp
	err := s.run(readtx.Mark(ctx), func(tx Tx) error {
		pk, err := tx.Peek(ctx, a.EmployerID, 0)
		st = pk.Stamp
		return err
	})
	return st, err
}

// ListPaged returns one page of the employer's placements of a year and the summary of the whole
// year, in one read-only transaction: the summary is one aggregate query, the page one query for
// its rows (with the count of all matching rows) and one for their saved months.
func (s *Service) ListPaged(ctx context.Context, a actor.Actor, q ListQuery) (Summary, ListPage, error) {
	if a.Role != actor.Employer {
		return Summary{}, ListPage{}, apperr.New(apperr.Forbidden, "只有用人单位可以查看安置列表")
	}
	q, f, err := q.check()
	if err != nil {
		return Summary{}, ListPage{}, err
	}
	f.EmployerID = a.EmployerID
	var sum Summary
	page := ListPage{Page: q.Page, PageSize: q.PageSize, Query: q}
	err = s.run(readtx.Mark(ctx), func(tx Tx) error {
		st, err := tx.YearState(ctx, a.EmployerID, q.Year)
		if err != nil {
			return err
		}
		if !st.Exists {
			return apperr.NotFoundf(fmt.Sprintf("%d业务年度", q.Year))
		}
		if sum, err = tx.ListSummary(ctx, a.EmployerID, q.Year); err != nil {
			return err
		}
		sum.YearLocked = st.Declaration.Locked()
		page.Rows, page.Total, err = tx.ListPlacementsPage(ctx, f)
		return err
	})
	if err != nil {
		return Summary{}, ListPage{}, err
	}
	page.Pages = max(1, (page.Total+q.PageSize-1)/q.PageSize)
	return sum, page, nil
}
