package web

import (
	"net/http"
	"strconv"

	"quotacert/internal/apperr"
)

// pathID reads the {id} wildcard of a route; what names the resource in the not-found message
// ("安置人员"). A malformed or non-positive id names nothing, so it is the same 404 as an id that
// does not exist (or is another's): ids cannot be probed by their shape.
func pathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf(what)
	}
	return id, nil
}

// Business years run from minYear to maxYear: the range the administrator may create (admin.AddYear
// and the levy parameters refuse any other), so a number outside it can never name a business
// year. The placement API once allowed 1900–9999 here, which only sent hopeless look-ups to the
// database; every other reader already used this range.
const (
	minYear = 2000
	maxYear = 2100
)

// parseYear reads a business year ("2025") from a path, query or form value; anything else is the
// not-found error of a business year.
func parseYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < minYear || y > maxYear {
		return 0, apperr.NotFoundf("业务年度")
	}
	return y, nil
}

// yearOr is the business year s names, else def: the declaration and results pages fall back to
// the last calendar year instead of refusing a missing or mistyped ?year=.
func yearOr(s string, def int) int {
	if y, err := parseYear(s); err == nil {
		return y
	}
	return def
}
