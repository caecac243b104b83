package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// approveAffiliates approves every pending affiliate request through the reviewer's API, as the
// provincial federation (its subtree holds every test employer).
func (s *site) approveAffiliates() {
	s.t.Helper()
	for _, id := range s.affiliateItems("pending") {
		rev := s.login("username", "province")
		if status, body := rev.json("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", id), map[string]any{"approve": true}); status != 200 {
			s.t.Fatalf("approve affiliate request %d: %d %s", id, status, body)
		}
	}
}

// affiliateItems lists the ids of the affiliate review items of a status in the province's queue.
func (s *site) affiliateItems(status string) []int64 {
	s.t.Helper()
	st, body := s.login("username", "province").json("GET", "/api/v1/reviews?kind=affiliate&status="+status, nil)
	var q struct{ Items []struct{ ID int64 } }
	if err := json.Unmarshal([]byte(body), &q); st != 200 || err != nil {
		s.t.Fatalf("affiliate queue: %d %s (%v)", st, body, err)
	}
	var out []int64
	for _, it := range q.Items {
		out = append(out, it.ID)
	}
	return out
}

type monthOut struct {
	Month            string
	Passed, Selected bool
	Hold             string
	Reasons          []string
}

func (c *client) months(t *testing.T, id int64) (string, []monthOut) {
	t.Helper()
	status, body := c.json("GET", fmt.Sprintf("/api/v1/placements/%d", id), nil)
	if status != 200 {
		t.Fatalf("get placement %d: %d %s", id, status, body)
	}
	p := decode[struct {
		Status string
		Months []monthOut
	}](t, body)
	return p.Status, p.Months
}

func allMonths() []string {
	var out []string
	for m := 1; m <= 12; m++ {
		out = append(out, fmt.Sprintf("2025-%02d", m))
	}
	return out
}

// TestAffiliateHijackClosed is the attack of issue 13 through HTTP, on both databases: employer B
// adds employer A's credit code as its 子公司 with any PDF, places A's employee and saves the
// months that pass on A's wage and insurance records — on the old main B's placement became 已确认
// without any review and A then got "该月已由其他单位申报" for its own employee. Now B's months wait
// ("关联单位待审核") and cannot be saved, A sees the request on its home page and objects, B sees
// the objection, and A's own placement of its employee counts.
func TestAffiliateHijackClosed(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		a := s.ready(empCode) // A: employs p01, pays wage and insurance (the demo registry)
		b := s.ready(otherCode)

		status, body := b.json("POST", "/api/v1/employer/affiliates", map[string]any{"creditCode": empCode,
			"name": "我的子公司", "kind": "subsidiary", "fileIds": []string{b.fileID("随便一个文件.pdf")}})
		if status != 201 || !strings.Contains(body, `"status":"pending"`) {
			t.Fatalf("B adds A as subsidiary: %d %s", status, body)
		}
		bPlacement := createPlacement(t, b, personBody(p01, "刘喆", b.fileID("合同.pdf")))
		st, months := b.months(t, bPlacement)
		for _, m := range months {
			if m.Passed || m.Selected || !strings.Contains(m.Hold, "关联单位待审核") || len(m.Reasons) == 0 ||
				!strings.Contains(m.Reasons[0], "关联单位待审核") {
				t.Fatalf("B's month %s while A is not approved: %+v", m.Month, m)
			}
		}
		// B cannot select the months, nor claim them with evidence.
		status, body = b.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", bPlacement), map[string]any{"selected": allMonths()})
		if e := decode[apiErr](t, body); status != 422 || !strings.Contains(e.Error.Fields["months.2025-03"], "关联单位待审核") {
			t.Fatalf("B saves A's months: %d %s", status, body)
		}
		proof := b.fileID("工资条.pdf")
		status, body = b.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", bPlacement), map[string]any{
			"claims": []map[string]any{{"month": "2025-03", "fileIds": []string{proof, proof, proof}}}})
		if status != 422 || !strings.Contains(body, "关联单位待审核") {
			t.Fatalf("B claims A's month: %d %s", status, body)
		}
		if st2, _ := b.months(t, bPlacement); st != "draft" || st2 != "draft" {
			t.Fatalf("B's placement is %s, want draft", st2)
		}

		// A sees the request on its home page and in the API, and objects (a reason is required).
		_, home, _ := a.get("/")
		if !strings.Contains(home, "其他单位将本单位登记为关联单位") || !strings.Contains(home, otherCode) {
			t.Fatalf("A's home page does not show the request: %s", home)
		}
		status, body = a.json("GET", "/api/v1/employer/affiliate-requests", nil)
		reqs := decode[struct {
			Items []struct {
				ID       int64
				Status   string
				Employer struct{ CreditCode string }
			}
		}](t, body)
		if status != 200 || len(reqs.Items) != 1 || reqs.Items[0].Status != "pending" || reqs.Items[0].Employer.CreditCode != otherCode {
			t.Fatalf("A's requests: %d %s", status, body)
		}
		item := reqs.Items[0].ID
		if status, _, _ := b.get(fmt.Sprintf("/employer/affiliate-requests/%d", item)); status != 404 {
			t.Errorf("B opens the request meant for A: %d", status)
		}
		status, page, _ := a.get(fmt.Sprintf("/employer/affiliate-requests/%d", item))
		if status != 200 || !strings.Contains(page, "提出异议") {
			t.Fatalf("request page: %d %s", status, page)
		}
		if status, page, _ := a.postForm(fmt.Sprintf("/employer/affiliate-requests/%d/objection", item), url.Values{"reason": {" "}}); status != 422 ||
			!strings.Contains(page, "请填写异议理由") {
			t.Fatalf("objection without a reason: %d", status)
		}
		reason := "本单位与该单位没有任何关联关系，刘喆是本单位职工"
		status, _, h := a.postForm(fmt.Sprintf("/employer/affiliate-requests/%d/objection", item), url.Values{"reason": {reason}})
		if status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "affiliate-objected") {
			t.Fatalf("objection: %d %v", status, h)
		}
		// Twice is harmless; the reviewer can no longer approve it.
		if status, body := a.json("POST", fmt.Sprintf("/api/v1/employer/affiliate-requests/%d/objection", item), map[string]any{"reason": reason}); status != 200 ||
			!strings.Contains(body, `"objected":true`) {
			t.Fatalf("second objection: %d %s", status, body)
		}
		rev := s.login("username", "province")
		if status, body := rev.json("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", item), map[string]any{"approve": true}); status != 409 {
			t.Fatalf("approving after the objection: %d %s", status, body)
		}
		status, body = rev.json("GET", "/api/v1/reviews?kind=affiliate&status=all", nil)
		if status != 200 || !strings.Contains(body, `"kind":"affiliate"`) || !strings.Contains(body, `"objected":true`) ||
			!strings.Contains(body, `"creditCode":"`+empCode+`"`) {
			t.Fatalf("reviewer's list: %d %s", status, body)
		}
		var audits int
		s.scan(fmt.Sprintf(`SELECT COUNT(*) FROM audit_log WHERE action = 'review.object' AND object_id = '%d' AND actor_name = '%s'`, item, empCode), &audits)
		if audits != 1 {
			t.Errorf("objection audit entries: %d", audits)
		}

		// B sees the objection; its months say the affiliate was refused.
		status, body = b.json("GET", "/api/v1/employer/affiliates", nil)
		if status != 200 || !strings.Contains(body, `"status":"rejected"`) || !strings.Contains(body, `"objected":true`) || !strings.Contains(body, reason) {
			t.Fatalf("B's affiliate after the objection: %d %s", status, body)
		}
		if _, page, _ := b.get("/employer"); !strings.Contains(page, "对方单位提出异议") || !strings.Contains(page, reason) {
			t.Errorf("B's profile page does not show the objection")
		}
		if _, months := b.months(t, bPlacement); !strings.Contains(months[0].Hold, "关联单位审核未通过") {
			t.Errorf("B's month after the objection: %+v", months[0])
		}

		// A's own placement of its employee counts, every month.
		aPlacement := createPlacement(t, a, personBody(p01, "刘喆", a.fileID("合同.pdf")))
		status, body = a.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", aPlacement), map[string]any{"selected": allMonths()})
		if status != 200 || !strings.Contains(body, `"status":"confirmed"`) {
			t.Fatalf("A saves its own employee's months: %d %s", status, body)
		}
		_, list := a.json("GET", "/api/v1/years/2025/placements", nil)
		if !strings.Contains(list, `"countedMonths":12`) {
			t.Errorf("A's list: %s", list)
		}
	})
}
