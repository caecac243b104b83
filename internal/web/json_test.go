package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestMonthsBodyOverSixteenKiB: the largest valid months body — twelve claims, each with a
// 500-character note and evidence for every failed check — is saved. The JSON decoder used to cap
// every body at 16 KiB whatever the route allowed, and refused this one as "不是有效的 JSON".
// A body over the route's limit is refused with a message that says so.
func TestMonthsBodyOverSixteenKiB(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.ready(empCode)
		status, body := c.json("POST", "/api/v1/years/2025/placements", personBody(pNo, "张三", c.fileID("合同.pdf")))
		if status != 201 {
			t.Fatalf("create: %d %s", status, body)
		}
		id := int64(decode[map[string]any](t, body)["id"].(float64))
		var evidence []string // one file per check: enough for any failed month
		for i := range 6 {
			evidence = append(evidence, c.fileID(fmt.Sprintf("证明%d.pdf", i)))
		}
		var claims []map[string]any
		for m := 1; m <= 12; m++ {
			claims = append(claims, map[string]any{"month": fmt.Sprintf("2025-%02d", m), "fileIds": evidence,
				"note": strings.Repeat("补", 500)})
		}
		in := map[string]any{"selected": []string{}, "claims": claims}
		raw, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) <= 16<<10 {
			t.Fatalf("the body is %d bytes: it must exceed 16 KiB to test the limit", len(raw))
		}
		path := fmt.Sprintf("/api/v1/placements/%d/months", id)
		if status, body := c.json("PUT", path, in); status != 200 || !strings.Contains(body, `"status":"pending"`) {
			t.Fatalf("months body of %d bytes: %d %.300s", len(raw), status, body)
		}
		_, body = c.json("GET", fmt.Sprintf("/api/v1/placements/%d", id), nil)
		v := decode[struct {
			Months []struct{ Claim *struct{ Note string } }
		}](t, body)
		for i, m := range v.Months {
			if m.Claim == nil || m.Claim.Note != strings.Repeat("补", 500) {
				t.Errorf("month %d: claim %+v", i+1, m.Claim)
			}
		}

		claims[0]["note"] = strings.Repeat("补", 30000) // 90 KB: over the route's 64 KiB
		status, body = c.json("PUT", path, in)
		if e := decode[apiErr](t, body); status != 422 || !strings.Contains(e.Error.Message, "超过") {
			t.Errorf("oversized body: %d %s", status, body)
		}
	})
}
