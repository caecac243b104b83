package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// createPlacement registers a person through the API and returns its id.
func createPlacement(t *testing.T, c *client, body map[string]any) int64 {
	t.Helper()
	status, resp := c.json("POST", "/api/v1/years/2025/placements", body)
	if status != 201 {
		t.Fatalf("create: %d %s", status, resp)
	}
	return int64(decode[map[string]any](t, resp)["id"].(float64))
}

// TestMonthsSaveRoundTrips holds one months save, through the page and through the API, to one
// transaction for the session and at most three for the save itself (read the placement, read the
// official records, write), of which only the last writes, on both databases.
func TestMonthsSaveRoundTrips(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.ready(empCode)
		id := createPlacement(t, c, personBody(p01, "刘喆", c.fileID("合同.pdf")))
		const session = 1 // resolving the session cookie is one transaction of every signed-in request
		before, readBefore := s.db.Transactions(), s.db.Stats().ReadOnly
		status, body := c.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", id), map[string]any{"selected": []string{}})
		n := s.db.Transactions() - before - session
		if status != 200 || n > 3 {
			t.Errorf("API save: %d %s in %d transactions, want at most 3", status, body, n)
		}
		// The person was disclosed when registered: only the transaction that writes the months
		// takes the write lock.
		if w := n + session - (s.db.Stats().ReadOnly - readBefore); w != 1 {
			t.Errorf("API save: %d write transactions, want 1", w)
		}
		t.Logf("API save: %d transactions besides the session", n)
		before = s.db.Transactions()
		status, _, h := c.form(fmt.Sprintf("/placements/%d/months", id), url.Values{"months": {"2025-01"}}, nil)
		n = s.db.Transactions() - before - session
		if status != 303 || n > 3 {
			t.Errorf("page save: %d %q in %d transactions, want at most 3", status, h.Get("Location"), n)
		}
		t.Logf("page save: %d transactions besides the session", n)
	})
}

// TestPlacementWritesNeedCompleteProfile: every change of a placement is refused while the
// employer's profile misses a required field, through the API as through the pages (DOMAIN.md §6).
func TestPlacementWritesNeedCompleteProfile(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.ready(empCode)
		file := c.fileID("合同.pdf")
		id := createPlacement(t, c, personBody(p01, "刘喆", file))
		if _, err := s.db.SQL().Exec(`UPDATE employers SET address = '' WHERE credit_code = $1`, empCode); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/placements/%d", id)
		for _, req := range []struct {
			method, path string
			body         any
		}{
			{"PUT", path + "/months", map[string]any{"selected": []string{}}},
			{"PUT", path, personBody(p01, "刘喆", file)},
			{"POST", path + "/reregister", map[string]any{}},
			{"DELETE", path, nil},
			{"POST", "/api/v1/years/2025/placements", personBody(p06, "吴秀兰", file)},
		} {
			status, body := c.json(req.method, req.path, req.body)
			if e := decode[apiErr](t, body); status != 409 || !strings.Contains(e.Error.Message, "请先完善单位信息") ||
				!strings.Contains(e.Error.Message, "单位地址") {
				t.Errorf("%s %s with an incomplete profile: %d %s", req.method, req.path, status, body)
			}
		}
		// The pages send the employer to the profile page instead.
		person := url.Values{"year": {"2025"}, "idNumber": {p06}, "name": {"吴秀兰"}, "category": {"4"}, "level": {"3"},
			"dispatched": {"0"}, "femaleRetirementAge": {"50"}, "contracts[0].start": {"2022-01-01"}, "contracts[0].end": {"2026-12-31"}, "action": {"save"}}
		for _, req := range []struct {
			path   string
			fields url.Values
			files  map[string]string
		}{
			{fmt.Sprintf("/placements/%d/months", id), url.Values{"months": {"2025-01"}}, nil},
			{"/placements", person, map[string]string{"contracts[0].file": "合同.pdf"}},
			{fmt.Sprintf("/placements/%d/reregister", id), url.Values{}, nil},
			{fmt.Sprintf("/placements/%d/delete", id), url.Values{"year": {"2025"}}, nil},
		} {
			status, _, h := c.form(req.path, req.fields, req.files)
			if status != 303 || h.Get("Location") != "/employer?done=profile-incomplete" {
				t.Errorf("POST %s with an incomplete profile: %d %q", req.path, status, h.Get("Location"))
			}
		}
		var placements, saved int
		if err := s.db.SQL().QueryRow(`SELECT (SELECT COUNT(*) FROM placements), (SELECT COUNT(*) FROM placement_months)`).
			Scan(&placements, &saved); err != nil || placements != 1 || saved != 0 {
			t.Errorf("with an incomplete profile: %d placements, %d months saved (%v)", placements, saved, err)
		}
	})
}

// TestPlacementJSONCountsWhatIsSaved: GET /placements/{id} counts the saved selection, as the list's
// summary does — not every month that passed.
func TestPlacementJSONCountsWhatIsSaved(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.ready(empCode)
		agreement := c.fileID("派遣协议.pdf")
		status, body := c.json("POST", "/api/v1/employer/affiliates", map[string]any{"creditCode": thirdCode, "name": "派遣公司",
			"kind": "dispatch", "fileIds": []string{agreement}})
		if status != 201 {
			t.Fatalf("affiliate: %d %s", status, body)
		}
		s.approveAffiliates()
		person := personBody(p01, "刘喆", c.fileID("合同.pdf"))
		person["dispatched"], person["affiliateId"] = true, decode[map[string]any](t, body)["id"]
		id := createPlacement(t, c, person)
		equivalent := func() string {
			t.Helper()
			status, body := c.json("GET", fmt.Sprintf("/api/v1/placements/%d", id), nil)
			if status != 200 {
				t.Fatalf("get: %d %s", status, body)
			}
			return string(decode[map[string]json.RawMessage](t, body)["equivalentPersons"])
		}
		// All twelve months pass, but nothing is saved yet: nothing counts.
		if got := equivalent(); got != "0.00" {
			t.Errorf("draft: equivalentPersons %s, want 0.00", got)
		}
		// A dispatched person's employer chooses among the passed months: six of twelve.
		status, body = c.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", id), map[string]any{
			"selected": []string{"2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"}})
		if status != 200 || !strings.Contains(body, `"status":"confirmed"`) {
			t.Fatalf("save: %d %s", status, body)
		}
		_, list := c.json("GET", "/api/v1/years/2025/placements", nil)
		if got := equivalent(); got != "0.50" || !strings.Contains(list, `"equivalentPersons":0.50`) {
			t.Errorf("six months saved: placement %s, list %s; want 0.50 in both", got, list)
		}
	})
}
