package placement

import (
	"errors"
	"strings"
	"testing"

	"quotacert/internal/apperr"
	"quotacert/internal/exchange"
	"quotacert/internal/rules"
)

// TestHolds is DOMAIN.md §4 and §6 as a table: which months an affiliate's review holds, and why.
func TestHolds(t *testing.T) {
	own := Payer{CreditCode: "E", Name: "本单位"}
	sub := func(r rules.ReviewStatus) Payer {
		return Payer{CreditCode: "S", AffiliateID: 1, Name: "子公司甲", Kind: "subsidiary", Review: r}
	}
	agency := func(r rules.ReviewStatus) Payer {
		return Payer{CreditCode: "D", AffiliateID: 2, Name: "派遣公司乙", Kind: "dispatch", Review: r}
	}
	m := func(n int) rules.Month { return rules.MonthOf(2025, n) }
	// A year whose months 1–6 pass, 7–12 fail.
	var res rules.Result
	for i := range res.Months {
		res.Months[i] = rules.MonthResult{Month: m(i + 1), Passed: i < 6}
	}
	recordsIn := func(months ...int) exchange.Payments {
		var p exchange.Payments
		for _, n := range months {
			p.Social = append(p.Social, m(n))
		}
		return p
	}
	cases := []struct {
		name   string
		p      Placement
		payers []Payer
		held   exchange.Payments
		want   map[int]string // month → a part of its reason; every other month is not held
		every  string         // when set: every month is held with this in its reason (want adds more)
	}{
		{"approved affiliate holds nothing", Placement{}, []Payer{own, sub(rules.ReviewApproved)}, exchange.Payments{}, nil, ""},
		{"pending affiliate holds the failed months it has records in", Placement{}, []Payer{own, sub(rules.ReviewPending)},
			recordsIn(3, 7, 8), map[int]string{7: "关联单位待审核：子公司甲", 8: "关联单位待审核：子公司甲"}, ""},
		{"wages count as records too", Placement{}, []Payer{own, sub(rules.ReviewPending)},
			exchange.Payments{Wages: []rules.Wage{{Month: m(9), Amount: 100}}}, map[int]string{9: "关联单位待审核"}, ""},
		{"a rejected one says so", Placement{}, []Payer{own, sub(rules.ReviewRejected)}, recordsIn(12),
			map[int]string{12: "关联单位审核未通过：子公司甲"}, ""},
		{"a pending affiliate without records holds nothing", Placement{}, []Payer{own, sub(rules.ReviewPending)},
			exchange.Payments{}, nil, ""},
		{"dispatched with its agency pending: every month, passed ones too", Placement{Dispatched: true, AffiliateID: 2},
			[]Payer{own, agency(rules.ReviewPending)}, exchange.Payments{},
			map[int]string{1: "劳务派遣协议审核通过后方可计入本单位", 12: "关联单位待审核"}, "关联单位待审核：派遣公司乙"},
		{"dispatched with its agency rejected", Placement{Dispatched: true, AffiliateID: 2}, []Payer{own, agency(rules.ReviewRejected)},
			exchange.Payments{}, nil, "关联单位审核未通过：派遣公司乙"},
		{"dispatched with its agency deleted", Placement{Dispatched: true, AffiliateID: 2}, []Payer{own}, exchange.Payments{},
			nil, holdNoAgency},
		{"dispatched with an approved agency, another affiliate pending", Placement{Dispatched: true, AffiliateID: 2},
			[]Payer{own, agency(rules.ReviewApproved), sub(rules.ReviewPending)}, recordsIn(10), map[int]string{10: "子公司甲"}, ""},
		{"two held affiliates are named together", Placement{}, []Payer{own, sub(rules.ReviewPending),
			{CreditCode: "T", AffiliateID: 3, Name: "子公司丙", Review: rules.ReviewRejected}}, recordsIn(11),
			map[int]string{11: "关联单位待审核：子公司甲；关联单位审核未通过：子公司丙"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := holds(c.p, c.payers, res, c.held)
			for i, reason := range got {
				want, held := c.want[i+1]
				if !held && c.every != "" {
					want, held = c.every, true
				}
				switch {
				case held && !strings.Contains(reason, want):
					t.Errorf("month %d: %q, want it to contain %q", i+1, reason, want)
				case held && !strings.HasPrefix(reason, m(i+1).String()+" "):
					t.Errorf("month %d: %q does not start with the month", i+1, reason)
				case !held && reason != "":
					t.Errorf("month %d held: %q", i+1, reason)
				}
			}
		})
	}
}

func fieldOf(err error, key string) string {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Fields[key]
	}
	return ""
}

// TestPlanRefusesHeldMonths: a held month is neither selected nor claimed, whatever is ticked.
func TestPlanRefusesHeldMonths(t *testing.T) {
	var res rules.Result
	for i := range res.Months {
		res.Months[i] = rules.MonthResult{Month: rules.MonthOf(2025, i+1), Passed: true, Weight: 1}
	}
	var held [12]string
	held[2] = "2025-03 关联单位待审核：派遣公司"
	p := Placement{Year: 2025, Dispatched: true}
	if _, _, err := plan(p, res, held, SaveInput{Months: []MonthInput{{Month: "2025-03"}}}); err == nil ||
		!strings.Contains(fieldOf(err, "months.2025-03"), "关联单位待审核") {
		t.Fatalf("ticked held month: %v", err)
	}
	months, claims, err := plan(p, res, held, SaveInput{Months: []MonthInput{{Month: "2025-01"}}})
	if err != nil || len(claims) != 0 || !months[0].Selected || months[2].Selected {
		t.Fatalf("held month left out: %+v %v", months, err)
	}
}
