package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/declaration"
	"quotacert/internal/httpx"
)

// resultColumns are the CSV header of the tax export, in CONTRACT.md's field names.
var resultColumns = []string{"creditCode", "name", "taxOffice", "persons", "countedMonths", "equivalentPersons", "letterNumber", "status"}

func resultRecord(r declaration.Result) []string {
	return []string{r.CreditCode, r.Name, r.TaxOffice, strconv.Itoa(r.Persons), strconv.Itoa(r.CountedMonths),
		r.WeightMonths.String(), r.LetterNumber, string(r.Status)}
}

// resultItemJSON is a row of the feed: the result with the time of its last change.
type resultItemJSON struct {
	declaration.Result
	ChangedAt time.Time `json:"changedAt"`
}

// defaultPageSize is the page of a list when the client names none (CONTRACT.md, wave 2).
const defaultPageSize = 50

// bearerToken is the token of an "Authorization: Bearer …" header, "" without one.
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// resultsQuery reads page, pageSize, since and after; each bad value is a field error.
type resultsQuery struct {
	page, pageSize int
	since          time.Time
	after          int64
	feed           bool // since or after given: the change feed
	total          int  // the feed's total fixed by the first page of the pull (from next)
	counted        bool // total given
	// q, status and sort filter the staff's list (not the feed).
	q, status, sort string
}

func parseResultsQuery(r *http.Request) (resultsQuery, error) {
	v := r.URL.Query()
	q := resultsQuery{page: 1, pageSize: defaultPageSize, q: v.Get("q"), status: v.Get("status"), sort: v.Get("sort")}
	fields := map[string]string{}
	if s := v.Get("page"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 1 {
			fields["page"] = "页码应为从 1 开始的整数"
		} else {
			q.page = n
		}
	}
	if s := v.Get("pageSize"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > declaration.MaxFeedPage {
			fields["pageSize"] = fmt.Sprintf("每页条数应为 1 至 %d 的整数", declaration.MaxFeedPage)
		} else {
			q.pageSize = n
		}
	}
	if s := v.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			fields["since"] = "时间格式应为 RFC 3339，例如 2026-03-01T08:00:00+08:00"
		}
		q.since, q.feed = t, true
	}
	if s := v.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			fields["after"] = "游标无效：请原样使用上次返回的 cursor"
		}
		q.after, q.feed = n, true
	}
	if s := v.Get("total"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			fields["total"] = "total 应为首页返回的条数：请原样使用 next"
		}
		q.total, q.counted = n, true
	}
	if len(fields) > 0 {
		return q, apperr.FieldErrors(fields)
	}
	return q, nil
}

// handleAPIResults: GET /api/v1/years/{year}/results — the certified results for the tax bureau.
// A staff member without since or after gets the list by credit code in pages (page, pageSize,
// total, next); an API client (Authorization: Bearer), or anyone naming since or after, gets the
// change feed: rows in the order their change committed, with cursor and next.
func (s *Server) handleAPIResults(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	token := bearerToken(r)
	if token != "" || r.Header.Get("Authorization") != "" {
		if s.deps.APIClients == nil {
			s.renderError(w, r, apperr.New(apperr.Unauthorized, "本系统未启用税务接口"))
			return
		}
		var err error
		if a, err = s.deps.APIClients.Authenticate(r.Context(), token, s.clientAddr(r)); err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="quotacert"`)
			s.renderError(w, r, err)
			return
		}
	}
	year, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	q, err := parseResultsQuery(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	wantCSV := strings.Contains(r.Header.Get("Accept"), "text/csv")
	format := "json"
	if wantCSV {
		format = "csv"
	}
	if q.feed || a.Role == actor.APIClient {
		s.resultFeed(w, r, a, year, q, format)
		return
	}
	if wantCSV {
		// The staff's CSV is the whole export, as before: a file for the desk, not a page. It is
		// written as it is read, a chunk at a time.
		s.streamResultsCSV(w, r, a, year)
		return
	}
	rq := declaration.ResultQuery{Year: year, Page: q.page, PageSize: q.pageSize, Q: q.q, Status: q.status, Sort: q.sort}
	_, page, err := s.deps.Declarations.ResultsPaged(r.Context(), a, rq, format)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	rows := page.Rows
	if rows == nil {
		rows = []declaration.Result{}
	}
	var next any
	if page.HasNext() {
		next = resultsListURL("/api/v1/years/"+strconv.Itoa(year)+"/results", page.Query, page.Page+1, false)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": rows, "total": page.Total, "page": page.Page, "pageSize": page.PageSize, "next": next})
}

// resultsListURL is the address of page n of the staff's results under the same filter; withYear
// adds ?year= (the page; the API has the year in its path).
func resultsListURL(path string, q declaration.ResultQuery, n int, withYear bool) string {
	v := url.Values{}
	if withYear {
		v.Set("year", strconv.Itoa(q.Year))
	}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	if q.Sort != "" {
		v.Set("sort", q.Sort)
	}
	if q.PageSize != declaration.DefaultResultPage {
		v.Set("pageSize", strconv.Itoa(q.PageSize))
	}
	v.Set("page", strconv.Itoa(n))
	return path + "?" + v.Encode()
}

// streamResultsCSV writes the whole export as CSV while the chunks are read: the headers go with
// the first chunk, so a refusal before it is still an error answer. A failure after it cannot
// change the status any more: the connection is aborted, so the client sees a broken download
// instead of a file that looks complete.
func (s *Server) streamResultsCSV(w http.ResponseWriter, r *http.Request, a actor.Actor, year int) {
	cw := csv.NewWriter(w)
	started := false
	start := func() {
		if !started {
			started = true
			setResultsCSVHeaders(w, year)
			cw.Write(resultColumns)
		}
	}
	err := s.deps.Declarations.ExportResults(r.Context(), a, year, "csv", false, func(rows []declaration.Result) error {
		start()
		for _, row := range rows {
			rec := resultRecord(row)
			for i := range rec {
				rec[i] = csvSafe(rec[i])
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	})
	s.endStream(w, r, err, started, func() {
		start()
		cw.Flush()
	})
}

// endStream ends a streamed download: an error before anything was written is answered as usual,
// one after it aborts the connection (logged); without error, finish writes what an empty export
// still needs (its header row).
func (s *Server) endStream(w http.ResponseWriter, r *http.Request, err error, started bool, finish func()) {
	switch {
	case err == nil:
		finish()
	case !started:
		s.renderError(w, r, err)
	default:
		s.deps.Log.Error("export interrupted", "id", httpx.RequestID(r.Context()), "path", r.URL.Path, "err", err)
		panic(http.ErrAbortHandler)
	}
}

func resultsLink(year int, v url.Values) string {
	return fmt.Sprintf("/api/v1/years/%d/results?%s", year, v.Encode())
}

// resultFeed answers the change feed. next is null on the last page; cursor is always given: the
// client keeps it and polls with after=cursor later. next carries the pull's total, so that only
// its first page counts.
func (s *Server) resultFeed(w http.ResponseWriter, r *http.Request, a actor.Actor, year int, q resultsQuery, format string) {
	if r.URL.Query().Get("page") != "" {
		s.renderError(w, r, apperr.FieldErrors(map[string]string{"page": "增量读取按游标翻页：请用上次返回的 next 或 cursor，不用 page"}))
		return
	}
	f, err := s.deps.Declarations.ResultFeed(r.Context(), a, declaration.FeedQuery{Year: year, After: q.after, Since: q.since,
		Limit: q.pageSize, Counted: q.counted, Total: q.total, Format: format})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	cursor := strconv.FormatInt(f.Cursor, 10)
	var next any
	if f.More {
		next = resultsLink(year, url.Values{"after": {cursor}, "pageSize": {strconv.Itoa(q.pageSize)}, "total": {strconv.Itoa(f.Total)}})
	}
	if format == "csv" {
		w.Header().Set("X-Cursor", cursor)
		if f.More {
			w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, next))
		}
		writeResultsCSV(w, year, f.Items, func(r declaration.Result) string { return r.ChangedAt.Format(time.RFC3339Nano) })
		return
	}
	items := make([]resultItemJSON, 0, len(f.Items))
	for _, row := range f.Items {
		items = append(items, resultItemJSON{Result: row, ChangedAt: row.ChangedAt})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items, "total": f.Total, "pageSize": q.pageSize,
		"cursor": cursor, "next": next})
}

// writeResultsCSV writes a page of the feed (at most 500 rows) as CSV with the column changedAt.
func writeResultsCSV(w http.ResponseWriter, year int, rows []declaration.Result, changedAt func(declaration.Result) string) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	header := resultColumns
	if changedAt != nil {
		header = append(append([]string{}, resultColumns...), "changedAt")
	}
	cw.Write(header)
	for _, row := range rows {
		rec := resultRecord(row)
		for i := range rec {
			rec[i] = csvSafe(rec[i])
		}
		if changedAt != nil {
			rec = append(rec, changedAt(row))
		}
		cw.Write(rec)
	}
	cw.Flush()
	setResultsCSVHeaders(w, year)
	w.Write(buf.Bytes())
}

func setResultsCSVHeaders(w http.ResponseWriter, year int) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="results-%d.csv"`, year))
	w.Header().Set("Cache-Control", "no-store")
}
