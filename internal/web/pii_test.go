package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/idnum"
)

// idCandidate finds 18-character runs that could be resident ID numbers.
var idCandidate = regexp.MustCompile(`\d{17}[\dXx]`)

// unmaskedIDs returns the valid resident ID numbers in s (credit codes of 18 digits are not IDs:
// their "birth date" is not a date, so ParseResidentID rejects them).
func unmaskedIDs(s string) []string {
	var out []string
	today := idnum.Date{Year: 2026, Month: 3, Day: 2}
	for _, m := range idCandidate.FindAllString(s, -1) {
		if _, err := idnum.ParseResidentID(m, today); err == nil {
			out = append(out, m)
		}
	}
	return out
}

// TestNoUnmaskedIDNumbers types resident ID numbers where careless users do (login names, the unit
// name, a URL) and scans the server log, the audit page and the JSON answers for them.
func TestNoUnmaskedIDNumbers(t *testing.T) {
	if got := unmaskedIDs("x 11010519491231002X y 911100001000044477"); len(got) != 1 {
		t.Fatalf("the scanner itself is broken: %v", got)
	}
	each(t, func(t *testing.T, h *harness) {
		const id1, id2 = "11010519491231002X", "53010219200508011X"
		var responses strings.Builder
		c := h.client("10.2.0.1")
		record := func(_ int, body string) { responses.WriteString(body) }

		rec := c.login(id1, testPassword) // an ID number in the credit-code field
		record(rec.Code, rec.Body.String())
		rec = c.login(strings.ToLower(id2), testPassword) // …and in the user-name field
		record(rec.Code, rec.Body.String())
		id, ans := h.captcha()
		rec = c.postJSON("/api/v1/register", map[string]string{"creditCode": testCode, "name": "测试" + id1 + "公司",
			"password": testPassword, "contactName": "王五", "contactPhone": "13812345678", "captchaId": id, "captcha": ans})
		record(rec.Code, rec.Body.String())
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "不能包含身份证号") {
			t.Errorf("a unit name holding an ID number was accepted: %d", rec.Code)
		}
		rec = c.get("/api/v1/registry/persons/" + id2)
		record(rec.Code, rec.Body.String())
		rec = c.postForm("/login", url.Values{"kind": {"staff"}, "username": {id2}, "password": {"x"}})
		if strings.Contains(rec.Body.String(), id2) {
			// The form keeps what the user typed, for the user only: that is not a list or a log.
			t.Logf("login form echoes the typed value to its author (allowed)")
		}

		h.staff("adm", actor.Admin, "220000")
		admin := h.client("10.2.0.2")
		if r := admin.login("adm", testPassword); r.Code != http.StatusOK {
			t.Fatalf("admin login %d", r.Code)
		}
		h.clock.Advance(time.Second)
		page := admin.get("/admin/audit").Body.String()
		if !strings.Contains(page, "110105********002X") {
			t.Errorf("audit page does not show the masked attempt")
		}
		users := admin.get("/admin/users").Body.String()

		for what, text := range map[string]string{"server log": h.log.String(), "audit page": page,
			"user list": users, "JSON responses": responses.String()} {
			if ids := unmaskedIDs(text); len(ids) > 0 {
				t.Errorf("%s holds unmasked ID numbers %v", what, ids)
			}
		}
	})
}
