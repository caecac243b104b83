package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"quotacert/internal/placement"
)

// TestKeptPagesShowEveryWrite: a grid or list page, or the API's list, shown again is kept (fewer transactions, no
// verification), and every write to what it shows — official data, another employer's months of
// the same person, a repair by SQL — shows at once, on both databases.
func TestKeptPagesShowEveryWrite(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.ready(empCode)
		id := createPlacement(t, c, personBody(p01, "刘喆", c.fileID("合同.pdf")))
		grid := fmt.Sprintf("/placements/%d", id)
		var writes uint64
		view := func(c *client, path string) (string, uint64) {
			t.Helper()
			before, reads := s.db.Transactions(), s.db.Stats().ReadOnly
			status, body, _ := c.get(path)
			if status != 200 {
				t.Fatalf("GET %s: %d", path, status)
			}
			n := s.db.Transactions() - before
			writes = n - (s.db.Stats().ReadOnly - reads)
			return body, n
		}
		first, n1 := view(c, grid)
		again, n2 := view(c, grid)
		if first != again {
			t.Error("the grid shown again differs though nothing was written")
		}
		// Kept: the session, the stamp, the header's unread count, all read-only; not the
		// profile, the placement and its verification.
		if n2 >= n1 || n2 > 3 || writes != 0 {
			t.Errorf("grid shown again in %d transactions (%d writes; first %d), want fewer, at most 3, no write", n2, writes, n1)
		}
		if strings.Contains(first, `<td class="fail">`) {
			t.Fatal("p01 passes every month in the demo data")
		}

		// Official data changes (a registry correction): the grid shows it.
		if _, err := s.db.SQL().Exec(`DELETE FROM registry_wages WHERE month = '2025-03'`); err != nil {
			t.Fatal(err)
		}
		after, _ := view(c, grid)
		if !strings.Contains(after, `<td class="fail">`) {
			t.Error("the grid kept its old verification after the official wages of March went")
		}

		// Another employer's grid of the same person shows the months this one saves.
		o := s.ready(otherCode)
		other := fmt.Sprintf("/placements/%d", createPlacement(t, o, personBody(p01, "刘喆", o.fileID("合同.pdf"))))
		body, _ := view(o, other)
		if strings.Contains(body, "该月已由其他单位申报") {
			t.Fatal("months taken before any was saved")
		}
		if status, resp := c.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", id), map[string]any{"selected": []string{}}); status != 200 {
			t.Fatalf("save: %d %s", status, resp)
		}
		if body, _ := view(o, other); !strings.Contains(body, "该月已由其他单位申报") {
			t.Error("the other employer's grid kept months free that this one saved")
		}

		// The list, and a repair by SQL.
		list, _ := view(c, "/placements")
		if !strings.Contains(list, "刘喆") {
			t.Fatal("the list does not show the person")
		}
		if _, n := view(c, "/placements"); n > 3 || writes != 0 {
			t.Errorf("list shown again in %d transactions (%d writes), want at most 3, no write", n, writes)
		}
		// The API's list too: kept, and equal to the answer computed afresh.
		const api = "/api/v1/years/2025/placements"
		firstAPI, n1 := view(c, api)
		againAPI, n2 := view(c, api)
		if firstAPI != againAPI || !strings.Contains(firstAPI, `"total":1`) {
			t.Errorf("the API's list shown again differs though nothing was written:\n%s\n%s", firstAPI, againAPI)
		}
		if n2 >= n1 || n2 > 2 || writes != 0 {
			t.Errorf("API list shown again in %d transactions (%d writes; first %d), want fewer, at most 2, no write", n2, writes, n1)
		}
		if _, err := s.db.SQL().Exec(`UPDATE persons SET name = '刘哲' WHERE name = '刘喆'`); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/placements", grid, api} {
			if body, _ := view(c, path); !strings.Contains(body, "刘哲") {
				t.Errorf("%s kept the old name", path)
			}
		}
	})
}

// TestSavedGridNeedsNoSecondVerification: the grid the redirect after 保存 shows is the one the save
// verified — kept at the save's stamp, so it costs no more than a kept grid — and it is exactly the
// page a fresh read renders.
func TestSavedGridNeedsNoSecondVerification(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.ready(empCode)
		id := createPlacement(t, c, personBody(p06, "吴秀兰", c.fileID("合同.pdf")))
		// Saved once through the API: the year's declaration row exists (its creation by the
		// first save raises the employer's stamp, and that save's grid is not kept).
		if status, resp := c.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", id), map[string]any{"selected": []string{}}); status != 200 {
			t.Fatalf("save: %d %s", status, resp)
		}
		status, _, h := c.form(fmt.Sprintf("/placements/%d/months", id), url.Values{"months": {"2025-01", "2025-04"}}, nil)
		loc := h.Get("Location")
		if status != 303 {
			t.Fatalf("page save: %d", status)
		}
		before, reads := s.db.Transactions(), s.db.Stats().ReadOnly
		status, kept, _ := c.get(loc)
		n := s.db.Transactions() - before
		if status != 200 || n > 3 || n != s.db.Stats().ReadOnly-reads {
			t.Errorf("the grid after the save: %d in %d transactions (%d read-only), want at most 3, all read-only",
				status, n, s.db.Stats().ReadOnly-reads)
		}
		// Writes that leave nothing shown changed move the stamp: the next view reads afresh.
		for _, reason := range []string{"x", ""} {
			if _, err := s.db.SQL().Exec(`UPDATE placements SET return_reason = $2 WHERE id = $1`, id, reason); err != nil {
				t.Fatal(err)
			}
		}
		_, fresh, _ := c.get(loc)
		if kept != fresh {
			t.Errorf("the grid kept by the save differs from a fresh read:\nkept  %s\nfresh %s", firstDiff(kept, fresh), firstDiff(fresh, kept))
		}
		if want := `id="placement-status"><strong>` + placement.Confirmed.Label(); !strings.Contains(kept, want) {
			t.Errorf("the grid after the save does not say %s", placement.Confirmed.Label())
		}
	})
}

// firstDiff is a's text from shortly before where it first differs from b.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return a[max(0, i-80):min(len(a), i+80)]
}
