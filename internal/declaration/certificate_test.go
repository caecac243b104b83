package declaration_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"quotacert/internal/apperr"
	"quotacert/internal/placement"
	"quotacert/internal/review"
	"quotacert/internal/rules"
)

const p03 = "22010319790223017X" // registry certificate issued 2025-05-20: Jan–Apr fail on the certificate only

// TestManualCertificateReview: months saved on a historical certificate count only after the
// federation approves it; a rejection releases them (DOMAIN.md §3–§5).
func TestManualCertificateReview(t *testing.T) {
	for _, c := range []struct {
		name         string
		approve      bool
		counted, sel int
		review       rules.ReviewStatus
		label        string
	}{
		{"approved", true, 12, 12, rules.ReviewApproved, "counted"},
		{"rejected", false, 8, 8, rules.ReviewRejected, "released"},
	} {
		t.Run(c.name, func(t *testing.T) {
			each(t, func(t *testing.T, e *env) {
				ctx := context.Background()
				input := in(p03, "赵国强", "2024-03-01", "")
				input.Certificates = []placement.CertificateInput{{Number: "22010319790223017X23", Issued: "2020-01-01",
					ValidUntil: "2025-05-19", FileIDs: []string{"f-2"}}}
				id := must(e.pl.Create(ctx, e.emp, 2025, input))(t)
				st := must(e.pl.SaveMonths(ctx, e.emp, id, placement.SaveInput{Months: []placement.MonthInput{{Month: "2025-01"}, {Month: "2025-02"}, {Month: "2025-03"}, {Month: "2025-04"}}}))(t)
				if st != placement.Pending {
					t.Fatalf("status after save: %s", st)
				}
				if s := must(e.dc.State(ctx, e.emp, 2025))(t); s.Summary.CountedMonths != 0 || s.Summary.PendingMonths != 12 {
					t.Fatalf("pending certificate counted early: %+v", s.Summary)
				}
				it := pendingItem(t, e, review.KindCertificate, id, "")
				d := must(e.rv.Get(ctx, e.reviewer, it.ID))(t)
				if len(d.Files) != 1 || d.Files[0].ID != "f-2" {
					t.Fatalf("certificate evidence: %+v", d.Files)
				}
				comment := ""
				if !c.approve {
					comment = "证件照片模糊"
				}
				noErr(t, e.rv.Decide(ctx, e.reviewer, it.ID, c.approve, comment))
				v := must(e.pl.Get(ctx, e.emp, id))(t)
				selected := 0
				for _, m := range v.Months {
					if m.Selected {
						selected++
					}
				}
				if v.Status != placement.Confirmed || selected != c.sel || v.Certificates[0].Review != c.review {
					t.Fatalf("after decision: status %s selected %d review %s", v.Status, selected, v.Certificates[0].Review)
				}
				if s := must(e.dc.State(ctx, e.emp, 2025))(t); s.Summary.CountedMonths != c.counted || s.Summary.PendingMonths != 0 {
					t.Fatalf("months %s: %+v", c.label, s.Summary)
				}
			})
		})
	}
}

// TestConcurrentSubmit: two submissions racing (a double click on two tabs) leave one letter and
// give both the same answer.
func TestConcurrentSubmit(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := must(e.pl.Create(ctx, e.emp, 2025, in(p01, "刘喆", "2023-03-01", "")))(t)
		must(e.pl.SaveMonths(ctx, e.emp, id, placement.SaveInput{}))(t)
		var wg sync.WaitGroup
		numbers := make([]string, 4)
		errs := make([]error, 4)
		for i := range numbers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l, err := e.dc.Submit(ctx, e.emp, 2025, true, "192.0.2.9")
				numbers[i], errs[i] = l.Number, err
			}()
		}
		wg.Wait()
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
				if numbers[i] != numbers[0] && numbers[0] != "" {
					t.Fatalf("different letters: %v", numbers)
				}
			case apperr.CodeOf(err) == apperr.Internal:
				// SQLite may refuse a concurrent writer as busy; never a second letter.
				t.Logf("submit %d: %v", i, err)
			default:
				t.Fatalf("submit %d: %v", i, err)
			}
		}
		if ok == 0 {
			t.Fatal("no submission succeeded")
		}
		if n := count(t, e, `SELECT COUNT(*) FROM letters`); n != 1 {
			t.Fatalf("%d letters", n)
		}
	})
}

// TestCertificateValidAtSubmission: with the year's switch on (DOMAIN.md §10), a person whose
// certificate expired before the day of submission blocks it; with the switch off, nothing changes.
func TestCertificateValidAtSubmission(t *testing.T) {
	const p04 = "220105198309140285" // registry certificate valid until 2025-06-30
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := must(e.pl.Create(ctx, e.emp, 2025, in(p04, "钱晓梅", "2021-01-01", "")))(t)
		if st := must(e.pl.SaveMonths(ctx, e.emp, id, placement.SaveInput{}))(t); st != placement.Confirmed {
			t.Fatalf("status %s", st)
		}
		blocked := func() bool {
			for _, b := range must(e.dc.State(ctx, e.emp, 2025))(t).Blockers {
				if strings.Contains(b, "无有效残疾证") && strings.Contains(b, "220105********0285") {
					return true
				}
			}
			return false
		}
		if blocked() {
			t.Fatal("blocked while the switch is off")
		}
		if _, err := e.db.SQL().ExecContext(ctx, `UPDATE business_years SET cert_valid_at_submission = TRUE WHERE year = 2025`); err != nil {
			t.Fatal(err)
		}
		if !blocked() {
			t.Fatal("an expired certificate does not block submission with the switch on")
		}
		if _, err := e.dc.Submit(ctx, e.emp, 2025, true, "127.0.0.1"); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("submit with an expired certificate: %v", err)
		}
	})
}
