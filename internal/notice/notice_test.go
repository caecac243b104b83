package notice_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/notice"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

var t0 = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)

type env struct {
	db       *store.DB
	svc      *notice.Service
	clock    *storetest.Clock
	admin    actor.Actor
	reviewer actor.Actor
	emp      actor.Actor // 南关区 (220102)
	far      actor.Actor // 昌邑区 (220202)
}

func setup(t *testing.T, fn func(t *testing.T, e env)) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		e := env{db: db, svc: notice.NewService(store.NoticeRunner(db)), clock: clock}
		e.admin = staff(t, db, "admin", actor.Admin)
		e.reviewer = staff(t, db, "reviewer", actor.Reviewer)
		e.emp = employerUser(t, db, "91220101MA14U8XK2R", "220102")
		e.far = employerUser(t, db, "91350100M000100Y43", "220202")
		fn(t, e)
	})
}

func staff(t *testing.T, db *store.DB, name string, role actor.Role) actor.Actor {
	t.Helper()
	var id int64
	err := db.SQL().QueryRow(`INSERT INTO users (username, role, office, password_hash, created_at, updated_at)
        VALUES ($1, $2, '220000', 'x', $3, $3) RETURNING id`, name, string(role), t0).Scan(&id)
	if err != nil {
		t.Fatalf("insert user: %v", err)
	}
	return actor.Actor{UserID: id, Name: name, Role: role, Office: "220000", ClientAddr: "127.0.0.1"}
}

func employerUser(t *testing.T, db *store.DB, code, district string) actor.Actor {
	t.Helper()
	var eid, uid int64
	err := db.SQL().QueryRow(`INSERT INTO employers (credit_code, name, district, federation_office, created_at, updated_at)
        VALUES ($1, $2, $3, $3, $4, $4) RETURNING id`, code, "单位"+code[:4], district, t0).Scan(&eid)
	if err != nil {
		t.Fatalf("insert employer: %v", err)
	}
	err = db.SQL().QueryRow(`INSERT INTO users (username, role, employer_id, password_hash, created_at, updated_at)
        VALUES ($1, 'employer', $2, 'x', $3, $3) RETURNING id`, code, eid, t0).Scan(&uid)
	if err != nil {
		t.Fatalf("insert user: %v", err)
	}
	return actor.Actor{UserID: uid, Name: code, Role: actor.Employer, EmployerID: eid}
}

// publish creates and publishes a notice as the root admin, targeted at office (” = the root's own).
func (e env) publish(t *testing.T, title, body, office string) int64 {
	t.Helper()
	ctx := context.Background()
	id, err := e.svc.Create(ctx, e.admin, notice.Input{Title: title, Body: body, Office: office})
	if err != nil {
		t.Fatalf("create %q: %v", title, err)
	}
	if err := e.svc.Publish(ctx, e.admin, id, nil); err != nil {
		t.Fatalf("publish %q: %v", title, err)
	}
	e.clock.Advance(time.Minute) // distinct publication times: newest first is testable
	return id
}

func titles(items []notice.Notice) []string {
	var out []string
	for _, n := range items {
		out = append(out, n.Title)
	}
	return out
}

func TestSearch(t *testing.T) {
	setup(t, func(t *testing.T, e env) {
		ctx := context.Background()
		e.publish(t, "关于开展2025年度按比例就业年审的通知", "请各单位于10月31日前完成网上申报。", "")
		e.publish(t, "系统维护公告", "本周六系统升级维护，暂停服务。", "")
		e.publish(t, "Holiday NOTICE", "Office closed; 100% online_service continues.", "")
		e.publish(t, "培训通知", "残保金政策解读培训，地点：长春市。", "")
		cases := []struct {
			q    string
			want []string
		}{
			{"申报", []string{"关于开展2025年度按比例就业年审的通知"}},         // 2-character word, body only
			{"年审", []string{"关于开展2025年度按比例就业年审的通知"}},         // 2-character word, title
			{"维护", []string{"系统维护公告"}},                       // title and body
			{"残保金", []string{"培训通知"}},                        // body only
			{"通知", []string{"培训通知", "关于开展2025年度按比例就业年审的通知"}}, // newest first
			{"notice", []string{"Holiday NOTICE"}},           // Latin, case-insensitive
			{"100%", []string{"Holiday NOTICE"}},             // % is literal
			{"%", []string{"Holiday NOTICE"}},                // not a wildcard
			{"_", []string{"Holiday NOTICE"}},                // not a wildcard
			{"e_s", []string{"Holiday NOTICE"}},              // "online_service" only… via literal _
			{"无此词", nil},
			{"", []string{"培训通知", "Holiday NOTICE", "系统维护公告", "关于开展2025年度按比例就业年审的通知"}},
		}
		for _, c := range cases {
			l, err := e.svc.List(ctx, e.emp, c.q, 1, false)
			if err != nil {
				t.Fatalf("search %q: %v", c.q, err)
			}
			if got := titles(l.Items); strings.Join(got, "|") != strings.Join(c.want, "|") || l.Total != len(c.want) {
				t.Errorf("search %q = %v (total %d), want %v", c.q, got, l.Total, c.want)
			}
		}
		_, err := e.svc.List(ctx, e.emp, strings.Repeat("长", notice.MaxQuery+1), 1, false)
		if apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("overlong query: %v, want invalid", err)
		}
	})
}

func TestPagingAndDrafts(t *testing.T) {
	setup(t, func(t *testing.T, e env) {
		ctx := context.Background()
		for i := 1; i <= notice.PageSize+3; i++ {
			e.publish(t, fmt.Sprintf("通知%02d", i), "正文", "")
		}
		draft, err := e.svc.Create(ctx, e.admin, notice.Input{Title: "草稿", Body: "未发布"})
		if err != nil {
			t.Fatal(err)
		}
		p1, err := e.svc.List(ctx, e.emp, "", 1, false)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := e.svc.List(ctx, e.emp, "", 2, false)
		if err != nil {
			t.Fatal(err)
		}
		p3, err := e.svc.List(ctx, e.emp, "", 3, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(p1.Items) != notice.PageSize || len(p2.Items) != 3 || len(p3.Items) != 0 || p1.Pages != 2 || p1.Total != notice.PageSize+3 {
			t.Fatalf("pages: %d/%d/%d items, %d pages, total %d", len(p1.Items), len(p2.Items), len(p3.Items), p1.Pages, p1.Total)
		}
		if p1.Items[0].Title != fmt.Sprintf("通知%02d", notice.PageSize+3) || p2.Items[2].Title != "通知01" {
			t.Errorf("order: first %q, last %q", p1.Items[0].Title, p2.Items[2].Title)
		}
		// The draft is hidden from everyone but admins asking for drafts, and not found when opened.
		for _, a := range []actor.Actor{e.emp, e.reviewer} {
			if _, err := e.svc.Get(ctx, a, draft); apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("%s opens draft: %v", a.Role, err)
			}
		}
		withDrafts, err := e.svc.List(ctx, e.emp, "草稿", 1, true) // an employer asking for drafts gets none
		if err != nil {
			t.Fatal(err)
		}
		if len(withDrafts.Items) != 0 {
			t.Errorf("employer sees drafts: %v", titles(withDrafts.Items))
		}
		adminList, err := e.svc.List(ctx, e.admin, "", 1, true)
		if err != nil {
			t.Fatal(err)
		}
		if adminList.Total != notice.PageSize+4 || adminList.Items[0].Title != "草稿" {
			t.Errorf("admin list: total %d, first %q", adminList.Total, adminList.Items[0].Title)
		}
		if _, err := e.svc.Get(ctx, e.admin, draft); err != nil {
			t.Errorf("admin opens draft: %v", err)
		}
		// Unpublishing hides a notice again; a scheduled notice stays hidden until its time.
		id := p1.Items[0].ID
		if err := e.svc.Unpublish(ctx, e.admin, id); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(ctx, e.emp, id); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("unpublished notice opened: %v", err)
		}
		later := e.clock.Now().Add(time.Hour)
		if err := e.svc.Publish(ctx, e.admin, id, &later); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(ctx, e.emp, id); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("scheduled notice opened early: %v", err)
		}
		e.clock.Advance(2 * time.Hour)
		if _, err := e.svc.Get(ctx, e.emp, id); err != nil {
			t.Errorf("scheduled notice after its time: %v", err)
		}
	})
}

// TestUnreadAndOffices: an employer reads the notices targeted at the offices on its federation
// office's path to the root; staff read them all.
func TestUnreadAndOffices(t *testing.T) {
	setup(t, func(t *testing.T, e env) {
		ctx := context.Background()
		all := e.publish(t, "全省通知", "全体", "")
		e.publish(t, "长春市通知", "长春", "220100")
		e.publish(t, "吉林市通知", "吉林", "220200")
		e.publish(t, "南关区通知", "南关", "220102")
		l, err := e.svc.List(ctx, e.emp, "", 1, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(titles(l.Items), "|"); got != "南关区通知|长春市通知|全省通知" {
			t.Errorf("南关区 employer sees %s", got)
		}
		for _, n := range l.Items {
			if n.Read {
				t.Errorf("%q read before opening", n.Title)
			}
		}
		l, err = e.svc.List(ctx, e.far, "", 1, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(titles(l.Items), "|"); got != "吉林市通知|全省通知" {
			t.Errorf("昌邑区 employer sees %s", got)
		}
		l, err = e.svc.List(ctx, e.reviewer, "", 1, false)
		if err != nil {
			t.Fatal(err)
		}
		if l.Total != 4 {
			t.Errorf("reviewer sees %d notices, want all 4", l.Total)
		}
		changchun := l.Items[2].ID // 长春市通知
		if _, err := e.svc.Get(ctx, e.far, changchun); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("other office's notice opened: %v", err)
		}
		// Opening marks read for that user only; opening twice is harmless.
		for range 2 {
			if _, err := e.svc.Get(ctx, e.emp, all); err != nil {
				t.Fatal(err)
			}
		}
		l, err = e.svc.List(ctx, e.emp, "", 1, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range l.Items {
			if n.Read != (n.ID == all) {
				t.Errorf("%q read = %v", n.Title, n.Read)
			}
		}
		l, err = e.svc.List(ctx, e.far, "", 1, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range l.Items {
			if n.Read {
				t.Errorf("other user's read mark leaked onto %q", n.Title)
			}
		}
		latest, err := e.svc.Latest(ctx, e.emp, 2)
		if err != nil || strings.Join(titles(latest), "|") != "南关区通知|长春市通知" {
			t.Errorf("latest = %v %v", titles(latest), err)
		}
	})
}

func TestSanitising(t *testing.T) {
	cases := []struct{ md, mustNot, must string }{
		{"正文<script>alert(1)</script>", "<script", "正文"},
		{`<img src="x" onerror="alert(1)">`, "onerror", ""},
		{`[点我](javascript:alert(1))`, "javascript:", "点我"},
		{`<a href="javascript:alert(1)">x</a>`, "javascript:", ""},
		{`<iframe src="https://evil.example"></iframe>`, "<iframe", ""},
		{"# 标题\n\n**加粗** [链接](https://www.cdpf.org.cn)", "<script", `<a href="https://www.cdpf.org.cn" rel="nofollow">链接</a>`},
		{"| 月份 | 金额 |\n|---|---|\n| 1 | 2 |", "<script", "<table>"},
	}
	for _, c := range cases {
		html := notice.Render(c.md)
		if strings.Contains(strings.ToLower(html), c.mustNot) {
			t.Errorf("Render(%q) = %q contains %q", c.md, html, c.mustNot)
		}
		if c.must != "" && !strings.Contains(html, c.must) {
			t.Errorf("Render(%q) = %q lacks %q", c.md, html, c.must)
		}
	}
	setup(t, func(t *testing.T, e env) {
		id := e.publish(t, "含脚本", "你好<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>", "")
		v, err := e.svc.Get(context.Background(), e.emp, id)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(v.HTML, "<script") || strings.Contains(v.HTML, "onerror") || !strings.Contains(v.HTML, "你好") {
			t.Errorf("served HTML %q", v.HTML)
		}
	})
}

func TestAdminChangesAudited(t *testing.T) {
	setup(t, func(t *testing.T, e env) {
		ctx := context.Background()
		// Non-admins cannot write.
		if _, err := e.svc.Create(ctx, e.reviewer, notice.Input{Title: "x", Body: "y"}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("reviewer creates: %v", err)
		}
		if _, err := e.svc.Create(ctx, actor.Actor{}, notice.Input{Title: "x", Body: "y"}); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("anonymous creates: %v", err)
		}
		// Bad input: Chinese messages per field, nothing written.
		_, err := e.svc.Create(ctx, e.admin, notice.Input{Title: " ", Body: "", Office: "999999", FileIDs: []string{"nope"}})
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Fields["title"] == "" || ae.Fields["body"] == "" ||
			ae.Fields["office"] == "" || ae.Fields["fileIds"] == "" {
			t.Fatalf("bad input: %#v", err)
		}
		// An attachment that exists is linked and listed.
		if _, err := e.db.SQL().Exec(`INSERT INTO files (id, name, size, blob, content_type, created_at)
            VALUES ('f1', '通知附件.pdf', 1234, 'abc', 'application/pdf', $1)`, t0); err != nil {
			t.Fatal(err)
		}
		// An employer's evidence file cannot become a notice attachment.
		if _, err := e.db.SQL().Exec(`INSERT INTO files (id, employer_id, name, size, blob, content_type, created_at)
            VALUES ('emp1', $1, '工资表.pdf', 1, 'abc', 'application/pdf', $2)`, e.emp.EmployerID, t0); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Create(ctx, e.admin, notice.Input{Title: "x", Body: "y", FileIDs: []string{"emp1"}})
		if !errors.As(err, &ae) || ae.Fields["fileIds"] == "" {
			t.Errorf("employer file attached: %v", err)
		}
		id, err := e.svc.Create(ctx, e.admin, notice.Input{Title: "新通知", Body: "正文", FileIDs: []string{"f1", "f1"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Update(ctx, e.admin, id, notice.Input{Title: "新通知（修订）", Body: "正文2", Office: "220100", FileIDs: []string{"f1"}}); err != nil {
			t.Fatal(err)
		}
		for range 2 { // double submit
			if err := e.svc.Publish(ctx, e.admin, id, nil); err != nil {
				t.Fatal(err)
			}
		}
		v, err := e.svc.Get(ctx, e.emp, id)
		if err != nil || v.Title != "新通知（修订）" || len(v.Files) != 1 || v.Files[0].Name != "通知附件.pdf" || v.Office != "220100" || v.OfficeName != "长春市残疾人联合会" {
			t.Fatalf("after update: %+v %v", v, err)
		}
		for range 2 {
			if err := e.svc.Unpublish(ctx, e.admin, id); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.svc.Update(ctx, e.admin, id+100, notice.Input{Title: "x", Body: "y"}); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("update unknown: %v", err)
		}
		var entries []string
		err = e.db.InTx(ctx, func(tx *store.Tx) error {
			list, err := tx.AuditSince(ctx, t0, 100)
			for _, a := range list {
				entries = append(entries, string(a.Outcome)+" "+a.Action+" "+a.ActorName+" "+a.ObjectID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ids := fmt.Sprint(id)
		// The reviewer's attempt and the update of an unknown notice are refusals, audited.
		want := []string{"failure notice.create reviewer ", "success notice.create admin " + ids, "success notice.update admin " + ids,
			"success notice.publish admin " + ids, "success notice.unpublish admin " + ids, "failure notice.update admin " + fmt.Sprint(id+100)}
		if strings.Join(entries, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit:\n%s\nwant\n%s", strings.Join(entries, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestAdminScope: an administrator of 长春市残联 publishes to its own subtree (its own office by
// default), manages only the notices targeted there, and cannot reach the province's or another
// city's: those are not found for its console, drafts included. CreateAndPublish publishes in the
// same transaction; Create leaves a draft.
func TestAdminScope(t *testing.T) {
	setup(t, func(t *testing.T, e env) {
		ctx := context.Background()
		var cityID int64
		if err := e.db.SQL().QueryRow(`INSERT INTO users (username, role, office, password_hash, created_at, updated_at)
            VALUES ('ccadmin', 'admin', '220100', 'x', $1, $1) RETURNING id`, t0).Scan(&cityID); err != nil {
			t.Fatal(err)
		}
		city := actor.Actor{UserID: cityID, Name: "ccadmin", Role: actor.Admin, Office: "220100", ClientAddr: "127.0.0.2"}
		province := e.publish(t, "全省通知", "全体", "")
		jilinDraft, err := e.svc.Create(ctx, e.admin, notice.Input{Title: "吉林市草稿", Body: "x", Office: "220200"})
		if err != nil {
			t.Fatal(err)
		}
		own, err := e.svc.CreateAndPublish(ctx, city, notice.Input{Title: "长春市通知", Body: "长春"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		district, err := e.svc.Create(ctx, city, notice.Input{Title: "南关区草稿", Body: "南关", Office: "220102"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.CreateAndPublish(ctx, city, notice.Input{Title: "越权", Body: "x", Office: "220200"}, nil)
		if apperr.CodeOf(err) != apperr.Forbidden || apperr.As(err).Fields["office"] == "" {
			t.Errorf("city admin publishes to 吉林市: %v", err)
		}
		if _, err := e.svc.CreateAndPublish(ctx, city, notice.Input{Title: "越权", Body: "x", Office: "220000"}, nil); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("city admin publishes to the whole province: %v", err)
		}
		n, err := e.svc.Edit(ctx, city, own)
		if err != nil || n.Office != "220100" || n.PublishedAt == nil {
			t.Errorf("city notice: %+v %v", n, err)
		}
		if n, err := e.svc.Edit(ctx, city, district); err != nil || n.PublishedAt != nil {
			t.Errorf("city's draft: %+v %v", n, err)
		}
		// Outside the subtree: not found, and nothing changes.
		for name, err := range map[string]error{
			"unpublish the province's": e.svc.Unpublish(ctx, city, province),
			"edit the province's":      e.svc.Update(ctx, city, province, notice.Input{Title: "改", Body: "改"}),
			"publish 吉林市's draft":      e.svc.Publish(ctx, city, jilinDraft, nil),
			"move its own away":        e.svc.Update(ctx, city, own, notice.Input{Title: "x", Body: "x", Office: "220200"}),
		} {
			if c := apperr.CodeOf(err); c != apperr.NotFound && c != apperr.Forbidden {
				t.Errorf("city admin: %s: %v", name, err)
			}
		}
		if _, err := e.svc.Edit(ctx, city, jilinDraft); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("city admin opens 吉林市's draft for editing: %v", err)
		}
		if _, err := e.svc.Get(ctx, city, jilinDraft); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("city admin reads 吉林市's draft: %v", err)
		}
		if v, err := e.svc.Get(ctx, city, province); err != nil || v.PublishedAt == nil {
			t.Errorf("city admin reads the province's published notice: %+v %v", v, err)
		}
		// The console lists the subtree's notices only; the root's lists all.
		l, err := e.svc.List(ctx, city, "", 1, true)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(titles(l.Items), "|"); got != "南关区草稿|长春市通知" {
			t.Errorf("city admin's console lists %s", got)
		}
		if l, err := e.svc.List(ctx, e.admin, "", 1, true); err != nil || l.Total != 4 {
			t.Errorf("root admin's console lists %d, %v", l.Total, err)
		}
		// Employers: the 南关区 employer reads the city's notice, the 昌邑区 one does not.
		if _, err := e.svc.Get(ctx, e.emp, own); err != nil {
			t.Errorf("南关区 employer reads 长春市's notice: %v", err)
		}
		if _, err := e.svc.Get(ctx, e.far, own); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("昌邑区 employer reads 长春市's notice: %v", err)
		}
		var published int
		if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM notices WHERE published_at IS NOT NULL`).Scan(&published); err != nil {
			t.Fatal(err)
		}
		if published != 2 {
			t.Errorf("%d published notices, want the province's and the city's", published)
		}
	})
}

// TestEmployerWithoutOffice: an employer that has not chosen its federation office yet belongs to
// the root office and reads the notices for everyone only.
func TestEmployerWithoutOffice(t *testing.T) {
	setup(t, func(t *testing.T, e env) {
		ctx := context.Background()
		e.publish(t, "全省通知", "全体", "")
		e.publish(t, "长春市通知", "长春", "220100")
		if _, err := e.db.SQL().Exec(`UPDATE employers SET federation_office = NULL WHERE id = $1`, e.emp.EmployerID); err != nil {
			t.Fatal(err)
		}
		l, err := e.svc.List(ctx, e.emp, "", 1, false)
		if err != nil || strings.Join(titles(l.Items), "|") != "全省通知" {
			t.Errorf("employer without an office sees %v %v", titles(l.Items), err)
		}
	})
}
