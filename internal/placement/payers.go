package placement

import (
	"strings"

	"quotacert/internal/exchange"
	"quotacert/internal/rules"
)

// Payer is a credit code whose wage and insurance records may count for an employer's persons
// (DOMAIN.md §3): the employer's own, or one of its affiliates in force.
type Payer struct {
	CreditCode string
	// AffiliateID is 0 for the employer itself.
	AffiliateID int64
	Name        string
	Kind        string // affiliates: subsidiary | dispatch
	// Review is an affiliate's review (DOMAIN.md §6).
	Review rules.ReviewStatus
}

// Counts reports whether the payer's records count for the employer: its own always, an
// affiliate's only once its review is approved.
func (p Payer) Counts() bool { return p.AffiliateID == 0 || p.Review == rules.ReviewApproved }

// held is why an affiliate's records do not count yet (the grid reason), "" when they do.
func (p Payer) held() string {
	switch {
	case p.Counts():
		return ""
	case p.Review == rules.ReviewRejected:
		return "关联单位审核未通过"
	}
	return "关联单位待审核"
}

// Grid reasons of a dispatched person whose agency is no longer an affiliate.
const holdNoAgency = "劳务派遣单位已删除，无劳务派遣协议不能计入本单位"

// payerSplit is the employer's payers split by whether their records count.
type payerSplit struct {
	counted, held []Payer
}

func splitPayers(payers []Payer) payerSplit {
	var s payerSplit
	for _, p := range payers {
		if p.Counts() {
			s.counted = append(s.counted, p)
		} else {
			s.held = append(s.held, p)
		}
	}
	return s
}

func codes(ps []Payer) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.CreditCode
	}
	return out
}

// agencyHold is why a dispatched person cannot count at the employer in any month: its agency's
// agreement is not approved (DOMAIN.md §4: by default the person counts at the agency; the user
// counts them only with an approved agreement, never both). "" when nothing holds it.
func agencyHold(p Placement, payers []Payer) string {
	if !p.Dispatched || p.AffiliateID == 0 {
		return ""
	}
	for _, py := range payers {
		if py.AffiliateID == p.AffiliateID {
			if h := py.held(); h != "" {
				return h + "：" + py.Name + "（劳务派遣协议审核通过后方可计入本单位）"
			}
			return ""
		}
	}
	return holdNoAgency
}

// holds says month by month why records of the employer's affiliates do not count (the month's
// first reason, "" when nothing holds it). A dispatched person whose agency has no approved
// agreement is held in every month. Otherwise a month is held when it failed while an affiliate
// still under review (or rejected) has wage or insurance records of the person in it: those records
// would count once approved. A month that passes on the counted payers alone is never held. It is
// pure: heldRecords are the records of the held payers only.
func holds(p Placement, payers []Payer, res rules.Result, heldRecords exchange.Payments) [12]string {
	var out [12]string
	if h := agencyHold(p, payers); h != "" {
		for i, mr := range res.Months {
			out[i] = mr.Month.String() + " " + h
		}
		return out
	}
	held := splitPayers(payers).held
	if len(held) == 0 {
		return out
	}
	byState := map[string][]string{}
	var states []string
	for _, py := range held {
		h := py.held()
		if _, ok := byState[h]; !ok {
			states = append(states, h)
		}
		byState[h] = append(byState[h], py.Name)
	}
	var text []string
	for _, h := range states {
		text = append(text, h+"："+strings.Join(byState[h], "、"))
	}
	reason := strings.Join(text, "；") + "（其工资、社保、医保记录审核通过后才计入）"
	has := map[rules.Month]bool{}
	for _, w := range heldRecords.Wages {
		has[w.Month] = true
	}
	for _, m := range heldRecords.Social {
		has[m] = true
	}
	for _, m := range heldRecords.Medical {
		has[m] = true
	}
	for i, mr := range res.Months {
		if !mr.Passed && has[mr.Month] {
			out[i] = mr.Month.String() + " " + reason
		}
	}
	return out
}
