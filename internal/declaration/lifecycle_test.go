package declaration_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/declaration"
	"quotacert/internal/exchange"
	"quotacert/internal/pii"
	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/review"
	"quotacert/internal/rules"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

const (
	demoCode  = "91220101MA14U8XK2R"
	otherCode = "91350100M000100Y43"
	empName   = "长春市喆堃示例科技有限公司"      // 喆 and 堃 are outside GB2312
	p01       = "22010219880712035X" // all months pass, weight 1
	p06       = "220102198603270620" // wage fails Feb, Mar, Aug
	p08       = "220113198101190849" // medical insurance missing Sep, Oct, Dec
)

// env is a database with the demo registry, two employers of 南关区, their users and files, and
// reviewers of 长春市 (the employers' city) and of 吉林市 (another city).
type env struct {
	db       *store.DB
	clock    *storetest.Clock
	pl       *placement.Service
	rv       *review.Service
	dc       *declaration.Service
	emp, oth actor.Actor
	reviewer actor.Actor // 长春市残联
	outsider actor.Actor // 吉林市残联
}

func setup(t *testing.T, db *store.DB, clock *storetest.Clock) *env {
	t.Helper()
	ctx := context.Background()
	prot, err := pii.New(bytes.Repeat([]byte{5}, pii.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	ex := exchange.NewService(store.ExchangeRunner(db), prot)
	for _, kind := range []exchange.Kind{exchange.Certificates, exchange.Wages, exchange.Social, exchange.Medical} {
		if _, err := ex.ImportFile(ctx, actor.System("test"), kind, "../demo/data/"+string(kind)+".csv", exchange.Options{}); err != nil {
			t.Fatalf("import demo %s: %v", kind, err)
		}
	}
	now := clock.Now()
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for i, e := range []struct{ code, name string }{{demoCode, empName}, {otherCode, "测试单位2"}} {
			if _, err := tx.Exec(ctx, `INSERT INTO employers (id, credit_code, name, federation_office, tax_office, district,
                contact_name, contact_phone, employee_count, address, created_at, updated_at) VALUES ($1, $2, $3, '220102',
                '12201020000', '220102', '张三', '13812345678', 120, '长春市南关区人民大街1号', $4, $4)`, i+1, e.code, e.name, now); err != nil {
				return err
			}
		}
		users := []struct {
			id         int64
			name, role string
			employer   any
			office     any
		}{{11, demoCode, "employer", 1, nil}, {12, otherCode, "employer", 2, nil},
			{21, "cc-reviewer", "reviewer", nil, "220100"}, {22, "jl-reviewer", "reviewer", nil, "220200"}}
		for _, u := range users {
			if _, err := tx.Exec(ctx, `INSERT INTO users (id, username, role, employer_id, office, password_hash, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, 'x', $6, $6)`, u.id, u.name, u.role, u.employer, u.office, now); err != nil {
				return err
			}
		}
		for _, id := range []string{"f-1", "f-2", "f-3", "f-4"} {
			if _, err := tx.Exec(ctx, `INSERT INTO files (id, employer_id, name, size, blob, content_type, created_at)
                VALUES ($1, 1, $2, 10, 'x', 'image/png', $3)`, id, id+".png", now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, clock: clock}
	e.emp = actor.Actor{UserID: 11, Name: demoCode, Role: actor.Employer, EmployerID: 1, ClientAddr: "192.0.2.7"}
	e.oth = actor.Actor{UserID: 12, Name: otherCode, Role: actor.Employer, EmployerID: 2}
	e.reviewer = actor.Actor{UserID: 21, Name: "cc-reviewer", Role: actor.Reviewer, Office: "220100"}
	e.outsider = actor.Actor{UserID: 22, Name: "jl-reviewer", Role: actor.Reviewer, Office: "220200"}
	e.pl = placement.NewService(store.PlacementRunner(db), ex, prot, clock.Now)
	e.rv = review.NewService(store.ReviewRunner(db), e.pl, clock.Now)
	e.dc = declaration.NewService(store.DeclarationRunner(db), ex, prot, clock.Now)
	return e
}

// each runs fn on SQLite and PostgreSQL with a clock inside the 2025 declaration window.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
			o := storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}
			var db *store.DB
			if dialect == "sqlite" {
				db = storetest.SQLite(t, o)
			} else {
				db = storetest.Postgres(t, o)
			}
			fn(t, setup(t, db, clock))
		})
	}
}

func in(id, name string, start, end string) placement.Input {
	return placement.Input{IDNumber: id, Name: name, Category: 4, Level: 3,
		Contracts: []placement.ContractInput{{Start: start, End: end, FileIDs: []string{"f-1"}}}}
}

// must checks a (value, error) pair: must(f(...))(t).
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func code(err error) apperr.Code { return apperr.CodeOf(err) }

func fields(err error) map[string]string {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// pendingItem finds the reviewer's pending item of a placement and month.
func pendingItem(t *testing.T, e *env, kind review.Kind, placementID int64, month string) review.Item {
	t.Helper()
	items := must(e.rv.Queue(context.Background(), e.reviewer, review.Filter{Kind: kind}))(t)
	for _, it := range items {
		if it.PlacementID == placementID && it.Month == month {
			return it
		}
	}
	t.Fatalf("no pending %s item for placement %d %s in %+v", kind, placementID, month, items)
	return review.Item{}
}

// TestYearLifecycle walks a whole business year: claims approved and rejected, a returned
// placement re-registered, submission blocked then allowed, a double submission, reopen requests
// rejected and approved, the verification before and after cancellation and the tax export.
func TestYearLifecycle(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()

		// Nothing registered yet: blocked by the profile (its contact phone and address missing) and
		// by the empty list.
		incompleteProfile(t, e)
		st := must(e.dc.State(ctx, e.emp, 2025))(t)
		if st.Status != rules.DeclarationOpen || st.CanSubmit || !hasBlocker(st, "单位信息不完整") || !hasBlocker(st, "尚未登记") ||
			!strings.Contains(strings.Join(st.Blockers, ""), "经办人电话") {
			t.Fatalf("empty year state: %+v", st.Blockers)
		}
		if st.Pledge == "" || st.Year.PledgeVersion != refdata.PledgeVersion {
			t.Fatalf("pledge: %q %q", st.Year.PledgeVersion, st.Pledge)
		}

		// Placements change only with a complete profile.
		if _, err := e.pl.Create(ctx, e.emp, 2025, in(p01, "刘喆", "2023-03-01", "")); code(err) != apperr.Conflict ||
			!strings.Contains(apperr.As(err).Message, "请先完善单位信息") {
			t.Fatalf("create with an incomplete profile: %v", err)
		}
		completeProfile(t, e)
		a := must(e.pl.Create(ctx, e.emp, 2025, in(p01, "刘喆", "2023-03-01", "")))(t)
		must(e.pl.SaveMonths(ctx, e.emp, a, placement.SaveInput{}))(t)
		b := must(e.pl.Create(ctx, e.emp, 2025, in(p06, "吴秀兰", "2022-01-01", "2026-12-31")))(t)
		must(e.pl.SaveMonths(ctx, e.emp, b, placement.SaveInput{Months: []placement.MonthInput{
			{Month: "2025-02", FileIDs: []string{"f-2"}, Note: "工资条"}, {Month: "2025-03", FileIDs: []string{"f-3"}}}}))(t)
		c := must(e.pl.Create(ctx, e.emp, 2025, in(p08, "赵某", "2019-04-01", "")))(t)
		if s := must(e.pl.SaveMonths(ctx, e.emp, c, placement.SaveInput{Months: []placement.MonthInput{
			{Month: "2025-09", FileIDs: []string{"f-4"}}}}))(t); s != placement.Pending {
			t.Fatalf("placement c status %s", s)
		}

		// The other city's reviewer sees nothing and cannot open or decide an item.
		feb := pendingItem(t, e, review.KindClaim, b, "2025-02")
		if items := must(e.rv.Queue(ctx, e.outsider, review.Filter{}))(t); len(items) != 0 {
			t.Fatalf("outsider queue: %+v", items)
		}
		if _, err := e.rv.Get(ctx, e.outsider, feb.ID); code(err) != apperr.NotFound {
			t.Fatalf("outsider get: %v", err)
		}
		if err := e.rv.Decide(ctx, e.outsider, feb.ID, true, ""); code(err) != apperr.NotFound {
			t.Fatalf("outsider decide: %v", err)
		}
		if err := e.rv.Return(ctx, e.outsider, c, "无关"); code(err) != apperr.NotFound {
			t.Fatalf("outsider return: %v", err)
		}
		if err := e.rv.Decide(ctx, e.emp, feb.ID, true, ""); code(err) != apperr.Forbidden {
			t.Fatalf("employer decide: %v", err)
		}
		// Filters: by district, by employer name, by age.
		if items := must(e.rv.Queue(ctx, e.reviewer, review.Filter{District: "220102", Employer: "喆堃"}))(t); len(items) != 3 {
			t.Fatalf("filtered queue: %d items", len(items))
		}
		if items := must(e.rv.Queue(ctx, e.reviewer, review.Filter{District: "220104"}))(t); len(items) != 0 {
			t.Fatalf("other district: %d items", len(items))
		}
		if items := must(e.rv.Queue(ctx, e.reviewer, review.Filter{OlderThanDays: 3}))(t); len(items) != 0 {
			t.Fatalf("age filter: %d items", len(items))
		}

		// The item page: the grid, the failed check, the evidence.
		d := must(e.rv.Get(ctx, e.reviewer, feb.ID))(t)
		if d.View == nil || d.View.Person.Name != "吴秀兰" || len(d.FailedChecks) != 1 || !strings.Contains(d.FailedChecks[0], "工资") ||
			len(d.Files) != 1 || d.Files[0].ID != "f-2" || !d.Files[0].Image() || len(d.History) != 1 {
			t.Fatalf("detail: view %v checks %v files %+v history %d", d.View != nil, d.FailedChecks, d.Files, len(d.History))
		}

		// Claims: Feb approved, Mar rejected (a comment is required), decisions are final.
		if err := e.rv.Decide(ctx, e.reviewer, feb.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.rv.Decide(ctx, e.reviewer, feb.ID, true, ""); err != nil {
			t.Fatalf("same decision twice: %v", err)
		}
		if err := e.rv.Decide(ctx, e.reviewer, feb.ID, false, "改判"); code(err) != apperr.Conflict {
			t.Fatalf("opposite decision: %v", err)
		}
		mar := pendingItem(t, e, review.KindClaim, b, "2025-03")
		if err := e.rv.Decide(ctx, e.reviewer, mar.ID, false, "  "); fields(err)["comment"] == "" {
			t.Fatalf("reject without comment: %v", err)
		}
		if err := e.rv.Decide(ctx, e.reviewer, mar.ID, false, "工资条与银行流水不符"); err != nil {
			t.Fatal(err)
		}
		v := must(e.pl.Get(ctx, e.emp, b))(t)
		if v.Status != placement.Confirmed || !v.Months[1].Selected || v.Months[2].Selected ||
			v.Months[2].Claim == nil || v.Months[2].Claim.Status != "rejected" || v.Months[2].Claim.Comment != "工资条与银行流水不符" {
			t.Fatalf("after decisions: status %s feb %v mar %v claim %+v", v.Status, v.Months[1].Selected, v.Months[2].Selected, v.Months[2].Claim)
		}

		// Submission is blocked by the profile and by placement c still pending.
		incompleteProfile(t, e)
		_, err := e.dc.Submit(ctx, e.emp, 2025, true, "192.0.2.7")
		if code(err) != apperr.Conflict || !strings.Contains(apperr.As(err).Message, "赵某") {
			t.Fatalf("blocked submit: %v", err)
		}
		completeProfile(t, e)

		// Return c (退回) with a reason; its pending claim is closed; the employer re-registers it.
		if err := e.rv.Return(ctx, e.reviewer, c, " "); fields(err)["reason"] == "" {
			t.Fatalf("return without reason: %v", err)
		}
		if err := e.rv.Return(ctx, e.reviewer, c, "劳动合同附件不清晰"); err != nil {
			t.Fatal(err)
		}
		if err := e.rv.Return(ctx, e.reviewer, c, "劳动合同附件不清晰"); err != nil {
			t.Fatalf("double return: %v", err)
		}
		v = must(e.pl.Get(ctx, e.emp, c))(t)
		if v.Status != placement.Rejected || v.ReturnReason != "劳动合同附件不清晰" {
			t.Fatalf("returned: %s %q", v.Status, v.ReturnReason)
		}
		if items := must(e.rv.Queue(ctx, e.reviewer, review.Filter{}))(t); len(items) != 0 {
			t.Fatalf("queue after return: %+v", items)
		}
		if err := e.pl.Reregister(ctx, e.emp, c); err != nil {
			t.Fatal(err)
		}
		if s := must(e.pl.SaveMonths(ctx, e.emp, c, placement.SaveInput{}))(t); s != placement.Confirmed {
			t.Fatalf("re-registered status %s", s)
		}

		// Dashboard: three confirmed placements in 南关区, nothing pending.
		dash := must(e.rv.Dashboard(ctx, e.reviewer, 0))(t)
		if dash.Year != 2025 || len(dash.Districts) != 1 || dash.Districts[0].Confirmed != 3 || dash.Districts[0].Name == "" {
			t.Fatalf("dashboard: %+v", dash)
		}

		// Window closed: blocked; reopened window and completed profile: allowed.
		incompleteProfile(t, e)
		setWindow(t, e, "2026-03-01", "2026-03-31")
		st = must(e.dc.State(ctx, e.emp, 2025))(t)
		if st.CanSubmit || !hasBlocker(st, "已截止") || !hasBlocker(st, "单位信息不完整") {
			t.Fatalf("closed window: %v", st.Blockers)
		}
		setWindow(t, e, "2026-03-01", "2026-10-31")
		completeProfile(t, e)
		st = must(e.dc.State(ctx, e.emp, 2025))(t)
		if !st.CanSubmit || len(st.Blockers) != 0 {
			t.Fatalf("should be submittable: %v", st.Blockers)
		}
		if st.Summary.CountedMonths != 31 || st.Summary.WeightMonths.String() != "2.58" {
			t.Fatalf("summary: %+v", st.Summary)
		}

		// The pledge is required; then submit, twice.
		if _, err := e.dc.Submit(ctx, e.emp, 2025, false, ""); fields(err)["pledgeAccepted"] == "" {
			t.Fatalf("submit without pledge: %v", err)
		}
		l1 := must(e.dc.Submit(ctx, e.emp, 2025, true, "192.0.2.7"))(t)
		l2 := must(e.dc.Submit(ctx, e.emp, 2025, true, "192.0.2.7"))(t)
		if l1.Number != l2.Number || l1.VerifyCode != l2.VerifyCode || !strings.HasPrefix(l1.Number, "JL2025-") ||
			len(l1.VerifyCode) != 16 || l1.Persons != 3 || l1.CountedMonths != 31 || l1.WeightMonths.String() != "2.58" ||
			l1.OfficeName != "长春市南关区残疾人联合会" || l1.EmployerName != empName {
			t.Fatalf("letters: %+v / %+v", l1, l2)
		}
		if n := count(t, e, `SELECT COUNT(*) FROM letters`); n != 1 {
			t.Fatalf("%d letters after a double submit", n)
		}
		if n := count(t, e, `SELECT COUNT(*) FROM declarations WHERE status = 'submitted' AND pledge_version = '`+
			refdata.PledgeVersion+`' AND client_addr = '192.0.2.7' AND submitted_by = 11 AND submitted_at IS NOT NULL`); n != 1 {
			t.Fatal("pledge record missing")
		}
		// The year is locked for the placement domain.
		if _, err := e.pl.Create(ctx, e.emp, 2025, in(p01, "刘喆", "2023-03-01", "")); code(err) != apperr.Conflict {
			t.Fatalf("create after submit: %v", err)
		}
		if err := e.pl.Reregister(ctx, e.emp, a); code(err) != apperr.Conflict {
			t.Fatalf("reregister after submit: %v", err)
		}
		if err := e.rv.Return(ctx, e.reviewer, a, "晚了"); code(err) != apperr.Conflict {
			t.Fatalf("return after submit: %v", err)
		}

		// Verification and the tax export.
		pub := must(e.dc.Verify(ctx, strings.ToUpper(l1.VerifyCode)))(t)
		if pub.Status != declaration.LetterValid || pub.Year != 2025 || pub.EmployerName != empName {
			t.Fatalf("verify: %+v", pub)
		}
		if _, err := e.dc.Verify(ctx, "aaaaaaaaaaaaaaaa"); code(err) != apperr.NotFound {
			t.Fatalf("unknown code: %v", err)
		}
		res := must(exportAll(ctx, e.dc, e.reviewer))(t)
		if len(res) != 1 || res[0].CreditCode != demoCode || res[0].Status != "valid" || res[0].EquivalentPerson != 2.58 ||
			res[0].CountedMonths != 31 || res[0].Persons != 3 || res[0].TaxOffice != "12201020000" || res[0].LetterNumber != l1.Number {
			t.Fatalf("results: %+v", res)
		}
		if res := must(exportAll(ctx, e.dc, e.outsider))(t); len(res) != 0 {
			t.Fatalf("outsider results: %+v", res)
		}
		if _, err := exportAll(ctx, e.dc, e.emp); code(err) != apperr.Forbidden {
			t.Fatalf("employer results: %v", err)
		}

		// Reopen request rejected: stays submitted, the letter stays valid.
		if err := e.dc.RequestReopen(ctx, e.emp, 2025, ""); fields(err)["reason"] == "" {
			t.Fatalf("reopen without reason: %v", err)
		}
		noErr(t, e.dc.RequestReopen(ctx, e.emp, 2025, "漏报一名残疾职工"))
		noErr(t, e.dc.RequestReopen(ctx, e.emp, 2025, "漏报一名残疾职工"))
		if st := must(e.dc.State(ctx, e.emp, 2025))(t); st.Status != rules.DeclarationReopenRequested || st.CanSubmit {
			t.Fatalf("after reopen request: %s", st.Status)
		}
		ro := pendingItem(t, e, review.KindReopen, 0, "")
		if d := must(e.rv.Get(ctx, e.reviewer, ro.ID))(t); d.View != nil || d.Item.Note != "漏报一名残疾职工" {
			t.Fatalf("reopen detail: %+v", d.Item)
		}
		noErr(t, e.rv.Decide(ctx, e.reviewer, ro.ID, false, "理由不充分"))
		st = must(e.dc.State(ctx, e.emp, 2025))(t)
		if st.Status != rules.DeclarationSubmitted || st.Letter == nil || st.Letter.Number != l1.Number ||
			len(st.Reopens) != 1 || st.Reopens[0].Comment != "理由不充分" {
			t.Fatalf("after rejected reopen: %+v", st)
		}

		// Reopen approved: open again, the letter cancelled (kept), the export shows it.
		noErr(t, e.dc.RequestReopen(ctx, e.emp, 2025, "补充登记"))
		ro = pendingItem(t, e, review.KindReopen, 0, "")
		noErr(t, e.rv.Decide(ctx, e.reviewer, ro.ID, true, ""))
		st = must(e.dc.State(ctx, e.emp, 2025))(t)
		if st.Status != rules.DeclarationOpen || st.Letter != nil || !st.CanSubmit {
			t.Fatalf("after approved reopen: %+v", st)
		}
		if pub := must(e.dc.Verify(ctx, l1.VerifyCode))(t); pub.Status != declaration.LetterCancelled {
			t.Fatalf("cancelled letter verifies as %s", pub.Status)
		}
		if _, err := e.dc.Letter(ctx, e.emp, 2025); code(err) != apperr.NotFound {
			t.Fatalf("letter after cancel: %v", err)
		}
		res = must(exportAll(ctx, e.dc, e.reviewer))(t)
		if len(res) != 1 || res[0].Status != "cancelled" {
			t.Fatalf("results after cancel: %+v", res)
		}
		// The year is editable again; a new submission issues a new letter.
		if err := e.pl.Reregister(ctx, e.emp, a); err != nil {
			t.Fatalf("reregister after reopen: %v", err)
		}
		must(e.pl.SaveMonths(ctx, e.emp, a, placement.SaveInput{}))(t)
		l3 := must(e.dc.Submit(ctx, e.emp, 2025, true, "192.0.2.8"))(t)
		if l3.Number == l1.Number || l3.VerifyCode == l1.VerifyCode {
			t.Fatalf("new letter reuses the old one: %+v", l3)
		}
		res = must(exportAll(ctx, e.dc, e.reviewer))(t)
		if len(res) != 2 || res[0].Status != "cancelled" || res[1].Status != "valid" {
			t.Fatalf("results after resubmit: %+v", res)
		}
		if n := count(t, e, `SELECT COUNT(*) FROM audit_log WHERE action IN ('review.decide', 'review.return',
            'declaration.submit', 'declaration.reopen.request', 'results.export', 'placement.view')`); n < 12 {
			t.Fatalf("only %d audit entries", n)
		}
		if n := count(t, e, `SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%`+p06[6:14]+`%'`); n != 0 {
			t.Fatal("an unmasked ID number reached the audit log")
		}
	})
}

func hasBlocker(st declaration.State, part string) bool {
	for _, b := range st.Blockers {
		if strings.Contains(b, part) {
			return true
		}
	}
	return false
}

func exec(t *testing.T, e *env, q string, args ...any) {
	t.Helper()
	if err := e.db.InTx(context.Background(), func(tx *store.Tx) error { _, err := tx.Exec(context.Background(), q, args...); return err }); err != nil {
		t.Fatal(err)
	}
}

// incompleteProfile empties employer 1's contact phone and address (required, DOMAIN.md §6);
// completeProfile fills them in again.
func incompleteProfile(t *testing.T, e *env) {
	t.Helper()
	exec(t, e, `UPDATE employers SET contact_phone = '', address = '' WHERE id = 1`)
}

func completeProfile(t *testing.T, e *env) {
	t.Helper()
	exec(t, e, `UPDATE employers SET contact_phone = '13812345678', address = '长春市南关区人民大街1号' WHERE id = 1`)
}

func setWindow(t *testing.T, e *env, open, close string) {
	t.Helper()
	exec(t, e, `UPDATE business_years SET window_open = $1, window_close = $2 WHERE year = 2025`, open, close)
}

func count(t *testing.T, e *env, q string) int {
	t.Helper()
	var n int
	if err := e.db.SQL().QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

var _ = fmt.Sprint

// exportAll collects what ExportResults gives, every chunk.
func exportAll(ctx context.Context, dc *declaration.Service, a actor.Actor) ([]declaration.Result, error) {
	var out []declaration.Result
	err := dc.ExportResults(ctx, a, 2025, "json", false, func(rows []declaration.Result) error {
		out = append(out, rows...)
		return nil
	})
	return out, err
}
