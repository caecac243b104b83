package employer

import (
	"testing"

	"quotacert/internal/rules"
)

// TestReopensReview is DOMAIN.md §6 (and issue 13) as a table: which edits of an affiliate are a
// new request for review.
func TestReopensReview(t *testing.T) {
	base := Affiliate{CreditCode: "91350100M000100Y43", Name: "甲公司", Kind: KindSubsidiary, Review: rules.ReviewApproved}
	with := func(f func(*Affiliate)) Affiliate { a := base; f(&a); return a }
	cases := []struct {
		name      string
		cur, next Affiliate
		want      bool
	}{
		{"approved, renamed", base, with(func(a *Affiliate) { a.Name = "甲公司（更名）" }), false},
		{"approved, other attachments", base, with(func(a *Affiliate) { a.Files = []FileRef{{ID: "f2"}} }), false},
		{"approved, another credit code", base, with(func(a *Affiliate) { a.CreditCode = "911100001000044477" }), true},
		{"approved, subsidiary becomes a dispatch agency", base, with(func(a *Affiliate) { a.Kind = KindDispatch }), true},
		{"pending, renamed: the same request", with(func(a *Affiliate) { a.Review = rules.ReviewPending }),
			with(func(a *Affiliate) { a.Name = "乙" }), false},
		{"pending, another credit code", with(func(a *Affiliate) { a.Review = rules.ReviewPending }),
			with(func(a *Affiliate) { a.CreditCode = "911100001000044477" }), true},
		{"rejected, new proof", with(func(a *Affiliate) { a.Review = rules.ReviewRejected }),
			with(func(a *Affiliate) { a.Files = []FileRef{{ID: "f3"}} }), true},
	}
	for _, c := range cases {
		if got := reopensReview(c.cur, c.next); got != c.want {
			t.Errorf("%s: reopens=%v, want %v", c.name, got, c.want)
		}
	}
}
