package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
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

		if _, home, _ := b.get("/"); !strings.Contains(home, "关联单位“我的子公司”待残联审核") {
			t.Errorf("B's home page does not say its affiliate waits for review")
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

// TestObjectionTakesTheYearLock: an objection decides the asking employer's item, so it waits for
// that employer's year lock (a submission or a reviewer's decision holding it) like a reviewer's
// decision does. PostgreSQL only: SQLite's single writer serialises every write anyway.
func TestObjectionTakesTheYearLock(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC))
	s := placementSite(t, storetest.Postgres(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}), clock)
	a, b := s.ready(empCode), s.ready(otherCode)
	if status, body := b.json("POST", "/api/v1/employer/affiliates", map[string]any{"creditCode": empCode,
		"name": "我的子公司", "kind": "subsidiary", "fileIds": []string{b.fileID("协议.pdf")}}); status != 201 {
		t.Fatalf("B adds A as subsidiary: %d %s", status, body)
	}
	var item, employer int64
	var year int
	s.scan(`SELECT id, employer_id, year FROM review_items WHERE kind = 'affiliate'`, &item, &employer, &year)

	// Another transaction holds B's year (the row lockYear locks, made beforehand: a write of it
	// would raise B's view stamps, which the objection's writes raise too) while A objects.
	ctx := context.Background()
	if _, err := s.db.SQL().ExecContext(ctx, `INSERT INTO declarations (employer_id, year, status) VALUES ($1, $2, 'open')
        ON CONFLICT (employer_id, year) DO NOTHING`, employer, year); err != nil {
		t.Fatal(err)
	}
	holding, objected := make(chan struct{}), make(chan struct{})
	waited := make(chan error, 1)
	go func() {
		waited <- s.db.InTx(ctx, func(tx *store.Tx) error {
			var pid int
			if err := tx.QueryRow(ctx, `SELECT pg_backend_pid() FROM declarations WHERE employer_id = $1 AND year = $2 FOR UPDATE`,
				employer, year).Scan(&pid); err != nil {
				return err
			}
			close(holding)
			// Hold the lock until the objection is seen waiting behind it (or has finished without).
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
				var n int
				if err := s.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`,
					pid).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					return nil
				}
				select {
				case <-objected:
					return fmt.Errorf("the objection finished while B's year %d was locked", year)
				case <-time.After(20 * time.Millisecond):
				}
			}
			return fmt.Errorf("the objection never waited for B's year %d", year)
		})
	}()
	<-holding
	status, body := a.json("POST", fmt.Sprintf("/api/v1/employer/affiliate-requests/%d/objection", item), map[string]any{"reason": "不是我单位的子公司"})
	close(objected)
	if err := <-waited; err != nil {
		t.Error(err)
	}
	if status != 200 || !strings.Contains(body, `"objected":true`) {
		t.Fatalf("objection after the lock was released: %d %s", status, body)
	}
}

// TestAffiliateReview is the reviewer's side and the employer's edits, through HTTP on both
// databases: the item in the queue and the API (kind affiliate), its page with the proof inline and
// both units, approval making the affiliate's records count, edits that keep or reopen the review,
// the dispatch agreement rule, and deletion withdrawing a pending request.
func TestAffiliateReview(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		a := s.ready(empCode)
		b := s.ready(otherCode)
		proof := b.fileID("子公司关系证明.pdf")
		status, body := b.json("POST", "/api/v1/employer/affiliates", map[string]any{"creditCode": empCode,
			"name": "长春示范科技有限公司", "kind": "subsidiary", "fileIds": []string{proof}})
		if status != 201 {
			t.Fatalf("add: %d %s", status, body)
		}
		af := decode[struct{ ID int64 }](t, body).ID

		// The queue lists it for B's office (南关区, below the province), not for 吉林市.
		items := s.affiliateItems("pending")
		if len(items) != 1 {
			t.Fatalf("pending affiliate items: %v", items)
		}
		item := items[0]
		city := s.login("username", "jilincity")
		if status, body := city.json("GET", "/api/v1/reviews?kind=affiliate", nil); status != 200 || strings.Contains(body, `"kind":"affiliate"`) {
			t.Errorf("another city's reviewer sees the request: %d %s", status, body)
		}
		if status, _, _ := city.get(fmt.Sprintf("/review/items/%d", item)); status != 404 {
			t.Errorf("another city's reviewer opens the item: %d", status)
		}
		rev := s.login("username", "province")
		_, queue, _ := rev.get("/review?kind=affiliate")
		if !strings.Contains(queue, "关联单位审核") || !strings.Contains(queue, "关联单位：长春示范科技有限公司") {
			t.Errorf("queue page does not list the request")
		}
		status, page, _ := rev.get(fmt.Sprintf("/review/items/%d", item))
		if status != 200 || !strings.Contains(page, "/api/v1/files/"+proof+"?inline=1") || !strings.Contains(page, "该代码为已注册单位") ||
			!strings.Contains(page, empCode) || !strings.Contains(page, otherCode) || !strings.Contains(page, "南关区") {
			t.Fatalf("item page: %d %s", status, page)
		}
		if status, _, _ := rev.get("/api/v1/files/" + proof + "?inline=1"); status != 200 {
			t.Errorf("the reviewer cannot open the proof: %d", status)
		}
		// A rejection needs a comment; the approval is final.
		if status, _ := rev.json("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", item), map[string]any{"approve": false}); status != 422 {
			t.Errorf("rejection without a comment: %d", status)
		}
		if status, body := rev.json("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", item), map[string]any{"approve": true, "comment": "已核对"}); status != 200 ||
			!strings.Contains(body, `"status":"approved"`) || !strings.Contains(body, `"kind":"affiliate"`) {
			t.Fatalf("approve: %d %s", status, body)
		}
		// A sees the decided request; it can no longer object.
		if status, _ := a.json("POST", fmt.Sprintf("/api/v1/employer/affiliate-requests/%d/objection", item), map[string]any{"reason": "晚了"}); status != 409 {
			t.Errorf("objection after approval: %d", status)
		}

		// Approved: A's records count for B's placement of p01.
		bp := createPlacement(t, b, personBody(p01, "刘喆", b.fileID("合同.pdf")))
		if _, months := b.months(t, bp); !months[0].Passed || months[0].Hold != "" {
			t.Fatalf("after approval: %+v", months[0])
		}
		// Renaming it and adding a file keeps the approval (no new request).
		more := b.fileID("补充材料.pdf")
		status, body = b.json("PUT", fmt.Sprintf("/api/v1/employer/affiliates/%d", af), map[string]any{"creditCode": empCode,
			"name": "长春示范科技有限公司（更名）", "kind": "subsidiary", "fileIds": []string{proof, more}})
		if status != 200 || !strings.Contains(body, `"status":"approved"`) || len(s.affiliateItems("pending")) != 0 {
			t.Fatalf("rename: %d %s", status, body)
		}
		// A changed credit code is a new request: the records stop counting until it is approved.
		status, body = b.json("PUT", fmt.Sprintf("/api/v1/employer/affiliates/%d", af), map[string]any{"creditCode": thirdCode,
			"name": "另一家子公司", "kind": "subsidiary", "fileIds": []string{proof, more}})
		if status != 200 || !strings.Contains(body, `"status":"pending"`) || len(s.affiliateItems("pending")) != 1 {
			t.Fatalf("code change: %d %s", status, body)
		}
		if _, months := b.months(t, bp); months[0].Passed {
			t.Errorf("the old code still counts after the change: %+v", months[0])
		}
		// The code is not registered: the item says so; the old decision stays in its history.
		_, page, _ = rev.get(fmt.Sprintf("/review/items/%d", s.affiliateItems("pending")[0]))
		if !strings.Contains(page, "该统一社会信用代码未在本系统注册") || !strings.Contains(page, "审核记录") {
			t.Errorf("item page of the changed code lacks the registry note or the history")
		}
		// Deleting it withdraws the pending request.
		if status, _ := b.json("DELETE", fmt.Sprintf("/api/v1/employer/affiliates/%d", af), nil); status != 204 {
			t.Fatalf("delete: %d", status)
		}
		if n := len(s.affiliateItems("pending")); n != 0 {
			t.Errorf("%d requests still pending after the delete", n)
		}
		if status, body := a.json("GET", "/api/v1/employer/affiliate-requests", nil); status != 200 || strings.Contains(body, `"id"`) {
			t.Errorf("A still sees requests of a deleted affiliate: %s", body)
		}
	})
}

// TestDispatchNeedsApprovedAgreement: a dispatched person counts at the using employer only with an
// approved agreement (DOMAIN.md §4, "never both"): while the agency waits for review every month is
// held, even the months that pass; once approved they pass and may be chosen.
func TestDispatchNeedsApprovedAgreement(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.ready(empCode)
		status, body := c.json("POST", "/api/v1/employer/affiliates", map[string]any{"creditCode": thirdCode, "name": "派遣公司",
			"kind": "dispatch", "fileIds": []string{c.fileID("派遣协议.pdf")}})
		if status != 201 {
			t.Fatalf("affiliate: %d %s", status, body)
		}
		person := personBody(p01, "刘喆", c.fileID("合同.pdf"))
		person["dispatched"], person["affiliateId"] = true, decode[map[string]any](t, body)["id"]
		id := createPlacement(t, c, person)
		_, months := c.months(t, id)
		for _, m := range months {
			if m.Selected || !strings.Contains(m.Hold, "劳务派遣协议审核通过后方可计入本单位") {
				t.Fatalf("month %s with the agency under review: %+v", m.Month, m)
			}
		}
		if status, body := c.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", id), map[string]any{"selected": []string{"2025-01"}}); status != 422 {
			t.Fatalf("saving a held month: %d %s", status, body)
		}
		if _, page, _ := c.get(fmt.Sprintf("/placements/%d", id)); !strings.Contains(page, `id="affiliate-holds"`) {
			t.Errorf("the grid page does not say why the months are held")
		}
		s.approveAffiliates()
		_, months = c.months(t, id)
		if !months[0].Passed || months[0].Hold != "" {
			t.Fatalf("after approval: %+v", months[0])
		}
		if status, body := c.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", id), map[string]any{"selected": []string{"2025-01"}}); status != 200 {
			t.Fatalf("save after approval: %d %s", status, body)
		}
	})
}
