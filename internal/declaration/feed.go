package declaration

import (
	"context"
	"fmt"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
)

// FeedQuery asks for the results of a year that changed after a point: After is the cursor of a
// previous answer (the change number of its last row), Since a time (rows changed at or after it).
// Limit is the page size (1–500). A pull's first page counts its rows; the pages after it carry
// that count in Total (Counted set) and are not counted again: a count reads every row after the
// cursor, which on every page of a full pull made it quadratic.
type FeedQuery struct {
	Year    int
	After   int64
	Since   time.Time
	Limit   int
	Counted bool // Total was fixed by the first page of this pull
	Total   int
	Format  string // for the audit entry: json, csv
}

// Feed is one page of the change feed. Cursor is where the next poll starts: the change number of
// the last row given, or the query's own After when nothing changed. More says that rows beyond
// this page changed already; Total counts the rows of the pull as its first page found them, that
// page's included (later pages repeat the figure they were given).
type Feed struct {
	Items  []Result
	Cursor int64
	More   bool
	Total  int
}

// MaxFeedPage bounds a page of the feed.
const MaxFeedPage = 500

// ResultFeed is the tax bureau's incremental read of the certified results: the letters of a year
// in the reader's scope in the order their last change committed (a new letter, a cancellation).
// Staff read their federation office's subtree; an API client its tax office's region subtree or the
// province. Polling with the returned cursor misses no row and repeats none, because the change
// numbers are handed out in commit order (migration 0350); polling with Since set to the last
// changedAt received misses none either but repeats the rows of that instant. Every read is audited.
func (s *Service) ResultFeed(ctx context.Context, a actor.Actor, q FeedQuery) (Feed, error) {
	var sc ResultScope
	switch {
	case a.Role == actor.APIClient && a.Client != 0:
		sc = ResultScope{TaxOffice: a.TaxOffice, Province: a.TaxOffice == ""}
	case a.IsStaff() && a.Office != "":
		sc = ResultScope{FederationOffice: a.Office}
	default:
		return Feed{}, apperr.New(apperr.Forbidden, "只有残联工作人员和已登记的税务接口客户端可以读取认证结果")
	}
	if q.Limit < 1 || q.Limit > MaxFeedPage {
		return Feed{}, apperr.FieldErrors(map[string]string{"pageSize": fmt.Sprintf("每页条数应在 1 至 %d 之间", MaxFeedPage)})
	}
	if q.Counted && q.Total < 0 {
		return Feed{}, apperr.FieldErrors(map[string]string{"total": "total 应为首页返回的条数：请原样使用 next"})
	}
	if q.After < 0 {
		return Feed{}, apperr.FieldErrors(map[string]string{"after": "游标无效：请使用上次返回的 cursor"})
	}
	var sinceUS int64
	if !q.Since.IsZero() {
		sinceUS = q.Since.UnixMicro()
	}
	out := Feed{Cursor: q.After}
	err := s.run(ctx, func(tx Tx) error {
		if _, err := tx.BusinessYear(ctx, q.Year); err != nil {
			return err
		}
		// One row more than the page says whether another page follows.
		rows, err := tx.ResultFeed(ctx, sc, q.Year, q.After, sinceUS, q.Limit+1)
		if err != nil {
			return err
		}
		if len(rows) > q.Limit {
			rows, out.More = rows[:q.Limit], true
		}
		out.Items, out.Total = rows, q.Total
		switch {
		case q.Counted:
		case !out.More:
			out.Total = len(rows) // the whole pull is this page: nothing to count
		default:
			if out.Total, err = tx.ResultFeedCount(ctx, sc, q.Year, q.After, sinceUS); err != nil {
				return err
			}
		}
		if len(rows) > 0 {
			out.Cursor = rows[len(rows)-1].Seq
		}
		e := audit.For(a, "results.export", "year", fmt.Sprint(q.Year))
		e.Office = auditOffice(a)
		e.Detail = fmt.Sprintf("format=%s feed after=%d since=%s rows=%d cursor=%d", q.Format, q.After, sinceText(q.Since), len(rows), out.Cursor)
		return tx.AppendAudit(ctx, e)
	})
	for i := range out.Items {
		out.Items[i].EquivalentPerson = float64(out.Items[i].WeightMonths.Hundredths()) / 100
	}
	return out, err
}

// auditOffice is the jurisdiction an API client's entries belong to: the office of the
// administrator who registered it (staff entries get theirs from the account).
func auditOffice(a actor.Actor) string {
	if a.Role == actor.APIClient {
		return a.Office
	}
	return ""
}

func sinceText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}
