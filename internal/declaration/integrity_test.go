package declaration_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/declaration"
	"quotacert/internal/placement"
	"quotacert/internal/review"
	"quotacert/internal/rules"
	"quotacert/internal/store"
)

// The integrity of an employer's year (issue 13), through the services on both databases.

// claimFeb is p06's months save with February (wage missing) claimed on the file given.
func claimFeb(file string) placement.SaveInput {
	return placement.SaveInput{Months: []placement.MonthInput{{Month: "2025-02", FileIDs: []string{file}, Note: "工资条"}}}
}

// TestSubmitSaveDrill races 完成申报 against a months save that would make a placement 待审核, 30
// times on each database. The lock of the employer-year orders them: either the save comes first
// (the placement waits for review, so the submission is refused) or the submission does (the year is
// locked, so the save is refused). Never both, never a submitted year with a placement that is not
// 已确认, never a letter whose figures differ from the placements it certifies. (On PostgreSQL the
// issue measured both answering 200 in 5 of 30 trials without the lock.)
func TestSubmitSaveDrill(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a := must(e.pl.Create(ctx, e.emp, 2025, in(p01, "刘喆", "2023-03-01", "")))(t)
		must(e.pl.SaveMonths(ctx, e.emp, a, placement.SaveInput{}))(t)
		b := must(e.pl.Create(ctx, e.emp, 2025, in(p06, "吴秀兰", "2022-01-01", "2026-12-31")))(t)
		outcomes := map[string]int{}
		for trial := range 30 {
			if s := must(e.pl.SaveMonths(ctx, e.emp, b, placement.SaveInput{}))(t); s != placement.Confirmed {
				t.Fatalf("trial %d: b is %s before the race", trial, s)
			}
			var wg sync.WaitGroup
			start := make(chan struct{})
			var letter declaration.Letter
			var submitErr, saveErr error
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				letter, submitErr = e.dc.Submit(ctx, e.emp, 2025, true, "192.0.2.7")
			}()
			go func() {
				defer wg.Done()
				<-start
				_, saveErr = e.pl.SaveMonths(ctx, e.emp, b, claimFeb("f-2"))
			}()
			close(start)
			wg.Wait()
			for name, err := range map[string]error{"submit": submitErr, "save": saveErr} {
				if err != nil && apperr.CodeOf(err) != apperr.Conflict {
					t.Fatalf("trial %d: %s: %v", trial, name, err)
				}
			}
			if submitErr == nil && saveErr == nil {
				t.Fatalf("trial %d: the submission and the save both succeeded", trial)
			}
			st := must(e.dc.State(ctx, e.emp, 2025))(t)
			if submitErr == nil {
				outcomes["submit first"]++
				for _, p := range st.Placements {
					if p.Status != placement.Confirmed {
						t.Fatalf("trial %d: submitted year with %s %s", trial, p.Name, p.Status)
					}
				}
				sum := placement.Summarize(st.Placements)
				if st.Letter == nil || st.Letter.Number != letter.Number || letter.Persons != sum.Counted ||
					letter.CountedMonths != sum.CountedMonths || letter.WeightMonths != sum.WeightMonths {
					t.Fatalf("trial %d: letter %+v disagrees with the placements %+v", trial, letter, sum)
				}
				// Open the year again for the next trial: 年审认证反馈, approved.
				noErr(t, e.dc.RequestReopen(ctx, e.emp, 2025, fmt.Sprintf("演练 %d", trial)))
				noErr(t, e.rv.Decide(ctx, e.reviewer, pendingItem(t, e, review.KindReopen, 0, "").ID, true, ""))
			} else {
				outcomes["save first"]++
				if st.Status != rules.DeclarationOpen {
					t.Fatalf("trial %d: refused submission left the year %s", trial, st.Status)
				}
				// Back to confirmed for the next trial: re-register withdraws the pending claim.
				noErr(t, e.pl.Reregister(ctx, e.emp, b))
			}
		}
		t.Logf("outcomes: %v", outcomes)
	})
}

// TestDoubleSaveNoFalseConflict saves one placement twice at once (a double click, two tabs), 20
// times: no answer may be the other-employer message, for no other employer holds the months. (On
// PostgreSQL the delete-and-insert save answered it 16–17 times in 20.)
func TestDoubleSaveNoFalseConflict(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		b := must(e.pl.Create(ctx, e.emp, 2025, in(p06, "吴秀兰", "2022-01-01", "2026-12-31")))(t)
		for trial := range 20 {
			in := placement.SaveInput{}
			if trial%2 == 1 {
				in = claimFeb("f-2")
			}
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, 2)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = e.pl.SaveMonths(ctx, e.emp, b, in)
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("trial %d save %d: %v", trial, i, err)
				}
			}
		}
		if n := count(t, e, `SELECT COUNT(*) FROM placement_months WHERE placement_id = `+fmt.Sprint(b)); n != 12 {
			t.Fatalf("%d saved months", n)
		}
	})
}

// TestZeroCountedMonths: a placement whose saved months count none stays 未完成 with the reason and
// the year cannot be submitted with it alone — neither after a save without a month nor after the
// only claimed month is rejected. (On main it became 已确认 and a letter for 0.00 persons issued.)
func TestZeroCountedMonths(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		// The contract starts after the year: no month of 2025 passes.
		z := must(e.pl.Create(ctx, e.emp, 2025, in(p01, "刘喆", "2026-01-01", "")))(t)
		if s := must(e.pl.SaveMonths(ctx, e.emp, z, placement.SaveInput{}))(t); s != placement.Draft {
			t.Fatalf("zero months saved: %s", s)
		}
		v := must(e.pl.Get(ctx, e.emp, z))(t)
		if v.Status != placement.Draft || v.DraftReason != placement.NoCountedMonth || !v.IsSaved() {
			t.Fatalf("zero months: %s %q saved %v", v.Status, v.DraftReason, v.IsSaved())
		}
		st := must(e.dc.State(ctx, e.emp, 2025))(t)
		if st.CanSubmit || len(st.Placements) != 1 || st.Placements[0].DraftReason != placement.NoCountedMonth ||
			!hasBlocker(st, "未完成") {
			t.Fatalf("state with a zero-month placement: %v %+v", st.Blockers, st.Placements)
		}
		if _, err := e.dc.Submit(ctx, e.emp, 2025, true, "192.0.2.7"); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("submit with a zero-month placement alone: %v", err)
		}

		// Its only counted month would be a claim: rejected, nothing counts, so 未完成 again.
		noErr(t, e.pl.Reregister(ctx, e.emp, z))
		if s := must(e.pl.SaveMonths(ctx, e.emp, z, placement.SaveInput{Months: []placement.MonthInput{
			{Month: "2025-12", FileIDs: []string{"f-3"}}}}))(t); s != placement.Pending {
			t.Fatalf("claimed: %s", s)
		}
		noErr(t, e.rv.Decide(ctx, e.reviewer, pendingItem(t, e, review.KindClaim, z, "2025-12").ID, false, "合同未覆盖该月"))
		v = must(e.pl.Get(ctx, e.emp, z))(t)
		if v.Status != placement.Draft || v.DraftReason != placement.NoCountedMonth || v.CountedMonths() != 0 {
			t.Fatalf("after the only claim was rejected: %s %q %d", v.Status, v.DraftReason, v.CountedMonths())
		}
		if _, err := e.dc.Submit(ctx, e.emp, 2025, true, "192.0.2.7"); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("submit after the rejection: %v", err)
		}
		if n := count(t, e, `SELECT COUNT(*) FROM letters`); n != 0 {
			t.Fatalf("%d letters", n)
		}
	})
}

// TestDeleteKeepsReviewHistory: a deleted placement's review items stay — the decided one with its
// decision, the waiting one closed with the reason — in the reviewer's queue and item page and in
// the audit; the person may be registered again (a new placement, a new id).
func TestDeleteKeepsReviewHistory(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		b := must(e.pl.Create(ctx, e.emp, 2025, in(p06, "吴秀兰", "2022-01-01", "2026-12-31")))(t)
		must(e.pl.SaveMonths(ctx, e.emp, b, placement.SaveInput{Months: []placement.MonthInput{
			{Month: "2025-02", FileIDs: []string{"f-2"}}, {Month: "2025-03", FileIDs: []string{"f-3"}}}}))(t)
		feb := pendingItem(t, e, review.KindClaim, b, "2025-02")
		mar := pendingItem(t, e, review.KindClaim, b, "2025-03")
		noErr(t, e.rv.Decide(ctx, e.reviewer, feb.ID, true, "工资条齐全"))
		noErr(t, e.pl.Delete(ctx, e.emp, b))
		if err := e.pl.Delete(ctx, e.emp, b); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("second delete: %v", err)
		}
		if _, err := e.pl.Get(ctx, e.emp, b); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("deleted placement read: %v", err)
		}

		items := must(e.rv.Queue(ctx, e.reviewer, review.Filter{Status: "all", Kind: review.KindClaim}))(t)
		byID := map[int64]review.Item{}
		for _, it := range items {
			byID[it.ID] = it
		}
		if it := byID[feb.ID]; it.Status != rules.ReviewApproved || it.Comment != "工资条齐全" || !it.PlacementDeleted ||
			it.PersonName != "吴秀兰" {
			t.Fatalf("decided item after delete: %+v", it)
		}
		if it := byID[mar.ID]; it.Status != rules.ReviewRejected || it.Comment != placement.DeletedComment || !it.PlacementDeleted {
			t.Fatalf("waiting item after delete: %+v", it)
		}
		if pending := must(e.rv.Queue(ctx, e.reviewer, review.Filter{}))(t); len(pending) != 0 {
			t.Fatalf("pending after delete: %+v", pending)
		}
		d := must(e.rv.Get(ctx, e.reviewer, feb.ID))(t)
		if d.View != nil || !d.Item.PlacementDeleted || len(d.History) != 1 || d.History[0].ID != mar.ID {
			t.Fatalf("item page after delete: view %v %+v history %+v", d.View != nil, d.Item, d.History)
		}
		if err := e.rv.Decide(ctx, e.reviewer, mar.ID, true, ""); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("deciding a closed item: %v", err)
		}

		var entries []audit.Entry
		noErr(t, e.db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			entries, err = tx.AuditSince(ctx, e.clock.Now().AddDate(0, 0, -1), 1000)
			return err
		}))
		var deleted, decided bool
		for _, en := range entries {
			deleted = deleted || en.Action == "placement.delete" && en.ObjectID == fmt.Sprint(b) && strings.Contains(en.Detail, "reviewItemsClosed=1")
			decided = decided || en.Action == "review.decide" && en.ObjectID == fmt.Sprint(feb.ID)
		}
		if !deleted || !decided {
			t.Fatalf("audit: delete %v decide %v", deleted, decided)
		}

		// The months no longer count nor block; the person can be registered again, as a new placement.
		again := must(e.pl.Create(ctx, e.emp, 2025, in(p06, "吴秀兰", "2022-01-01", "2026-12-31")))(t)
		if again <= b {
			t.Fatalf("new placement id %d after deleting %d", again, b)
		}
		if s := must(e.pl.SaveMonths(ctx, e.emp, again, placement.SaveInput{}))(t); s != placement.Confirmed {
			t.Fatalf("registered again: %s", s)
		}
		if st := must(e.dc.State(ctx, e.emp, 2025))(t); len(st.Placements) != 1 || st.Placements[0].ID != again {
			t.Fatalf("list after delete: %+v", st.Placements)
		}
	})
}

// TestReclaimIsNewReviewItem: a rejected month claimed again is a new review item; the rejection and
// its comment stay, for the reviewer (the item's history) and for the employer (the month's earlier
// claims). (On main the same item was reset and the comment erased.)
func TestReclaimIsNewReviewItem(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		b := must(e.pl.Create(ctx, e.emp, 2025, in(p06, "吴秀兰", "2022-01-01", "2026-12-31")))(t)
		must(e.pl.SaveMonths(ctx, e.emp, b, claimFeb("f-2")))(t)
		first := pendingItem(t, e, review.KindClaim, b, "2025-02")
		noErr(t, e.rv.Decide(ctx, e.reviewer, first.ID, false, "工资条模糊不清"))

		if s := must(e.pl.SaveMonths(ctx, e.emp, b, claimFeb("f-3")))(t); s != placement.Pending {
			t.Fatalf("claimed again: %s", s)
		}
		second := pendingItem(t, e, review.KindClaim, b, "2025-02")
		if second.ID == first.ID {
			t.Fatalf("the re-claim reused item %d", first.ID)
		}
		old := must(e.rv.Get(ctx, e.reviewer, first.ID))(t)
		if old.Item.Status != rules.ReviewRejected || old.Item.Comment != "工资条模糊不清" || len(old.Files) != 1 || old.Files[0].ID != "f-2" {
			t.Fatalf("the first claim after the re-claim: %+v files %+v", old.Item, old.Files)
		}
		d := must(e.rv.Get(ctx, e.reviewer, second.ID))(t)
		if len(d.History) != 1 || d.History[0].ID != first.ID || d.History[0].Comment != "工资条模糊不清" ||
			len(d.Files) != 1 || d.Files[0].ID != "f-3" {
			t.Fatalf("reviewer's history: %+v files %+v", d.History, d.Files)
		}
		v := must(e.pl.Get(ctx, e.emp, b))(t)
		c := v.Months[1].Claim
		if c == nil || c.ID != second.ID || c.Status != rules.ReviewPending || len(c.Earlier) != 1 ||
			c.Earlier[0].Status != rules.ReviewRejected || c.Earlier[0].Comment != "工资条模糊不清" {
			t.Fatalf("employer's view of February: %+v", c)
		}
		// Saving again while it waits gives the waiting claim the new evidence, no third item.
		must(e.pl.SaveMonths(ctx, e.emp, b, claimFeb("f-4")))(t)
		if again := pendingItem(t, e, review.KindClaim, b, "2025-02"); again.ID != second.ID {
			t.Fatalf("a save while waiting opened item %d", again.ID)
		}
		noErr(t, e.rv.Decide(ctx, e.reviewer, second.ID, true, "补充材料可信"))
		v = must(e.pl.Get(ctx, e.emp, b))(t)
		if c := v.Months[1].Claim; v.Status != placement.Confirmed || c.Status != rules.ReviewApproved || len(c.Earlier) != 1 {
			t.Fatalf("after approval: %s %+v", v.Status, c)
		}
	})
}

// TestIDsNotReused: ids are never handed out twice, on SQLite (AUTOINCREMENT) as on PostgreSQL
// (identity): a withdrawn claim's review item id and a deleted placement's id do not come back.
// (On main SQLite gave the next row the id of the newest deleted one.)
func TestIDsNotReused(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		b := must(e.pl.Create(ctx, e.emp, 2025, in(p06, "吴秀兰", "2022-01-01", "2026-12-31")))(t)
		must(e.pl.SaveMonths(ctx, e.emp, b, claimFeb("f-2")))(t)
		first := pendingItem(t, e, review.KindClaim, b, "2025-02")
		// Withdrawn: saved without the claim (the waiting item is removed), then claimed again.
		must(e.pl.SaveMonths(ctx, e.emp, b, placement.SaveInput{}))(t)
		if n := count(t, e, `SELECT COUNT(*) FROM review_items`); n != 0 {
			t.Fatalf("%d review items after withdrawing", n)
		}
		must(e.pl.SaveMonths(ctx, e.emp, b, claimFeb("f-2")))(t)
		if second := pendingItem(t, e, review.KindClaim, b, "2025-02"); second.ID <= first.ID {
			t.Fatalf("review item id %d after %d was removed", second.ID, first.ID)
		}
		// A contract replaced by an edit (the old row removed) does not give its id away either.
		noErr(t, e.pl.Reregister(ctx, e.emp, b))
		before := count(t, e, `SELECT MAX(id) FROM contracts`)
		noErr(t, e.pl.Update(ctx, e.emp, b, in(p06, "吴秀兰", "2022-01-01", "2026-12-31")))
		if after := count(t, e, `SELECT MAX(id) FROM contracts`); after <= before {
			t.Fatalf("contract id %d after %d was replaced", after, before)
		}
		noErr(t, e.pl.Delete(ctx, e.emp, b))
		if again := must(e.pl.Create(ctx, e.emp, 2025, in(p06, "吴秀兰", "2022-01-01", "2026-12-31")))(t); again <= b {
			t.Fatalf("placement id %d after %d was deleted", again, b)
		}
	})
}
