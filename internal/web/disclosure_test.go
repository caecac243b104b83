package web_test

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// validIDs returns n distinct valid resident ID numbers (南关区, born 1980) the demo registry does
// not know: each look-up of one reveals "no certificate", which is disability data too.
func validIDs(n int) []string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	const checks = "10X98765432"
	out := make([]string, n)
	for i := range out {
		first := fmt.Sprintf("22010219800101%03d", 500+i)
		sum := 0
		for j := 0; j < 17; j++ {
			sum += int(first[j]-'0') * weights[j]
		}
		out[i] = first + string(checks[sum%11])
	}
	return out
}

// TestDisclosureLimitBypassClosed is the bypass of issue 13 through HTTP, on both databases: on
// the old main the registry look-up answered 429 after 60 look-ups, but creating a placement,
// reading it (registryCertificates) and deleting it revealed the same disability data without
// limit. Now one limit counts the distinct persons every such route shows: re-reading a person
// already shown in the window is free, a new person over the limit is refused everywhere with 429,
// the reset time, Retry-After and an audit entry, and the next window has a new budget.
func TestDisclosureLimitBypassClosed(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s := placementSite(t, db, clock)
		c := s.ready(empCode)
		ids := validIDs(2 * placement.DisclosurePerEmployer)
		lookup := func(id string) (int, string) {
			t.Helper()
			return c.json("GET", "/api/v1/registry/persons/"+id, nil)
		}

		// Window 1: one placement, read again and again, is one person.
		id := createPlacement(t, c, personBody(p01, "刘喆", c.fileID("合同.pdf")))
		for range 5 {
			if status, body := c.json("GET", fmt.Sprintf("/api/v1/placements/%d", id), nil); status != 200 || !strings.Contains(body, p01+"43") {
				t.Fatalf("re-read: %d %s", status, body)
			}
		}
		for _, other := range ids[:placement.DisclosurePerEmployer-1] {
			if status, body := lookup(other); status != 404 {
				t.Fatalf("look-up %s: %d %s", other, status, body)
			}
		}
		if status, _ := c.json("GET", fmt.Sprintf("/api/v1/placements/%d", id), nil); status != 200 {
			t.Fatalf("a person already shown in the window: %d", status)
		}
		if status, body := lookup(ids[placement.DisclosurePerEmployer-1]); status != 429 {
			t.Fatalf("the 61st person: %d %s", status, body)
		}

		// Window 2: the budget is spent on other persons; then every route refuses a new one.
		clock.Advance(placement.DisclosureWindowLength + time.Minute)
		c = s.login("creditCode", empCode) // the idle session ended meanwhile
		for _, other := range ids[placement.DisclosurePerEmployer:] {
			if status, body := lookup(other); status != 404 {
				t.Fatalf("look-up in the new window %s: %d %s", other, status, body)
			}
		}
		req := c.request("GET", "/api/v1/registry/persons/"+p06, nil)
		req.Header.Set("Accept", "application/json")
		status, body, h := c.do(req)
		e := decode[apiErr](t, body)
		retry, _ := strconv.Atoi(h.Get("Retry-After"))
		reset := clock.Now().Add(placement.DisclosureWindowLength).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")
		if status != 429 || e.Error.Code != "throttled" || !strings.Contains(e.Error.Message, "请于 "+reset+" 后再试") ||
			retry < 3500 || retry > 3600 || strings.Contains(body, "吴秀兰") {
			t.Fatalf("look-up over the limit: %d %q %s", status, h.Get("Retry-After"), body)
		}
		var before int
		s.scan(`SELECT COUNT(*) FROM placements WHERE deleted_at IS NULL`, &before)
		if status, body := c.json("POST", "/api/v1/years/2025/placements", personBody(p06, "吴秀兰", c.fileID("合同2.pdf"))); status != 429 {
			t.Fatalf("create over the limit: %d %s", status, body)
		}
		if status, body := c.json("GET", fmt.Sprintf("/api/v1/placements/%d", id), nil); status != 429 ||
			strings.Contains(body, "registryCertificates") || strings.Contains(body, p01) {
			t.Fatalf("read over the limit: %d %s", status, body)
		}
		if status, page, _ := c.get(fmt.Sprintf("/placements/%d", id)); status != 429 || strings.Contains(page, "残疾证状态") {
			t.Fatalf("grid page over the limit: %d", status)
		}
		if status, page, _ := c.postForm("/placements", url.Values{"year": {"2025"}, "action": {"lookup"}, "idNumber": {p06}}); status != 429 ||
			!strings.Contains(page, "过于频繁") || strings.Contains(page, "吴秀兰") {
			t.Fatalf("the form's 查询 over the limit: %d", status)
		}
		if status, body := c.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", id), map[string]any{"selected": allMonths()}); status != 429 {
			t.Fatalf("months save over the limit: %d %s", status, body)
		}
		// Deleting reveals nothing, so it is not refused.
		if status, body := c.json("DELETE", fmt.Sprintf("/api/v1/placements/%d", id), nil); status != 204 {
			t.Fatalf("delete: %d %s", status, body)
		}
		var after, refusals, leaks int
		s.scan(`SELECT COUNT(*) FROM placements WHERE deleted_at IS NULL`, &after)
		s.scan(`SELECT COUNT(*) FROM audit_log WHERE action = 'disclosure.refused' AND outcome = 'failure' AND actor_name = '`+empCode+`'`, &refusals)
		s.scan(`SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%19860327%' OR object_id LIKE '%19860327%'`, &leaks)
		if after != before-1 || refusals != 7 || leaks != 0 {
			t.Errorf("placements %d → %d, refusal audits %d (want 7), unmasked ids %d", before, after, refusals, leaks)
		}

		// Window 3: a new budget.
		clock.Advance(placement.DisclosureWindowLength)
		c = s.login("creditCode", empCode)
		if status, body := lookup(p06); status != 200 || !strings.Contains(body, "吴秀兰") {
			t.Fatalf("look-up in the next window: %d %s", status, body)
		}
	})
}
