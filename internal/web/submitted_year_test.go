package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestSubmittedYearPages: 添加残疾人, 复制上年名单 and Excel 批量导入 of a submitted year say so before
// any form is shown (issue 17: the clerk filled the whole form, then lost it on an error page).
func TestSubmittedYearPages(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.ready(empCode)
		if status, body, _ := c.get("/placements/new?year=2025"); status != 200 || !strings.Contains(body, `id="idNumber"`) {
			t.Fatalf("an open year's form: %d", status)
		}
		submitYear(t, s.db, empCode, 2025)
		for _, path := range []string{"/placements/new?year=2025", "/placements/copy?year=2025", "/placements/import?year=2025"} {
			status, body, _ := c.get(path)
			if status != http.StatusConflict || !strings.Contains(body, `id="year-locked"`) || !strings.Contains(body, "2025业务年度已完成申报") ||
				strings.Contains(body, `id="idNumber"`) || strings.Contains(body, `type="file"`) {
				t.Errorf("%s on a submitted year: %d", path, status)
			}
		}
		// Another year stays open.
		if status, body, _ := c.get("/placements/new?year=2026"); status != 200 || !strings.Contains(body, `id="idNumber"`) {
			t.Errorf("an open year after another's submission: %d", status)
		}
	})
}
