package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestGridViewsAreNotDownloads: viewing a placement's grid is no download of the claim's evidence;
// only opening a file is audited as file.download. (The grid used to open every file to read its
// name, so each view by a reviewer wrote a false download record per file.)
func TestGridViewsAreNotDownloads(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.ready(empCode)
		status, body := c.json("POST", "/api/v1/years/2025/placements", personBody(p06, "吴秀兰", c.fileID("合同.pdf")))
		if status != 201 {
			t.Fatalf("create: %d %s", status, body)
		}
		id := int64(decode[map[string]any](t, body)["id"].(float64))
		evidence := c.fileID("工资条.pdf")
		if status, body := c.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", id), map[string]any{
			"claims": []map[string]any{{"month": "2025-02", "fileIds": []string{evidence}, "note": "补发工资"}}}); status != 200 {
			t.Fatalf("claim: %d %s", status, body)
		}
		downloads := func() int {
			t.Helper()
			var n int
			if err := s.db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'file.download'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		reviewer := s.login("username", "province")
		for i := range 3 {
			status, page, _ := reviewer.get(fmt.Sprintf("/placements/%d", id))
			if status != 200 || !strings.Contains(page, "待审核") {
				t.Fatalf("view %d: %d, claim not shown", i+1, status)
			}
		}
		if n := downloads(); n != 0 {
			t.Errorf("3 views of the grid wrote %d file.download entries, want 0", n)
		}
		if status, content, _ := reviewer.get("/api/v1/files/" + evidence); status != 200 || content != samplePDF {
			t.Fatalf("download: %d", status)
		}
		if n := downloads(); n != 1 {
			t.Errorf("one download wrote %d file.download entries, want 1", n)
		}
		// The employer's grid still names the evidence it keeps, with its link.
		if status, page, _ := c.get(fmt.Sprintf("/placements/%d", id)); status != 200 || !strings.Contains(page, "工资条.pdf") ||
			!strings.Contains(page, "/api/v1/files/"+evidence) {
			t.Errorf("employer's grid: %d, evidence not listed", status)
		}
	})
}
