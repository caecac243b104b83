package rules

import "strings"

// Case is everything the monthly verification of one placement (person P at
// employer E in business year Y) depends on. The caller has already chosen
// the records of the payers (E and its affiliates in force), so every wage
// and insurance record here counts (DOMAIN.md §3).
type Case struct {
	// Year is the business year Y.
	Year int
	// Region is E's district (GB/T 2260, 6 digits), for the minimum wage.
	Region string
	// MinimumWages is the whole minimum-wage table, or any part of it that
	// contains the entries for Region's prefixes.
	MinimumWages []MinimumWage
	// Person is P.
	Person Person
	// Dispatched marks a person working at E through a dispatch agency: it
	// changes no check, only whether passed months are locked (§4).
	Dispatched   bool
	Certificates []Certificate
	Contracts    []Contract
	Wages        []Wage
	// SocialInsurance lists the months with a pension payment record.
	SocialInsurance []Month
	// MedicalInsurance lists the months with a medical insurance record.
	MedicalInsurance []Month
}

// Person is what the rules need of a disabled person: birth date and sex
// come from the ID number, the women's group from the placement.
type Person struct {
	// IDNumber is carried for callers that display or re-encode the case;
	// the rules never read it.
	IDNumber  string
	BirthDate Date
	Female    bool
	// FemaleRetirementAge is 50 or 55 (DOMAIN.md §3 Decision); 0 means the
	// default, 50. Ignored for men.
	FemaleRetirementAge int
}

// The statuses of a registry certificate (CONTRACT.md, certificates file):
// only a valid one counts.
const (
	CertificateValid     = "有效"
	CertificateCancelled = "注销"
)

// Certificate is one certificate of the person: a 残疾人证 or a 残疾军人证 (Kind).
type Certificate struct {
	// Kind is the certificate's kind; the zero value is a 残疾人证 (DisabilityCertificate).
	Kind CertificateKind
	// Number is carried for display; the rules read Level and Grade instead.
	Number string
	// Level is the 残疾等级 of a 残疾人证: 1 (most severe) … 4, or 0 when unknown (weight 1).
	Level int
	// Grade is the 伤残等级 of a 残疾军人证: 1 (most severe) … 10, or 0 when unknown (weight 1).
	Grade  int
	Issued Date
	// ValidUntil is the last valid day; the zero Date means no expiry.
	ValidUntil Date
	// Active is status 有效 (CertificateValid); a cancelled (注销) certificate
	// never counts.
	Active bool
	// Manual marks a certificate added by hand by the employer (历史残疾证件).
	Manual bool
	// Approved is the federation's approval of a manual certificate.
	Approved bool
}

// ValidOn reports whether the certificate counts and is valid on day d:
// active, counting (see Counts), issued on or before d, and no expiry or
// ValidUntil ≥ d. The per-year switch of DOMAIN.md §10 asks it of the day of
// submission.
func (c Certificate) ValidOn(d Date) bool {
	return c.Active && c.Counts() && !d.Before(c.Issued) && (c.ValidUntil.IsZero() || !c.ValidUntil.Before(d))
}

// Severe reports whether the certificate makes a passed month weigh 2 (CertificateKind.Severe).
func (c Certificate) Severe() bool { return c.Kind.Severe(c.Level, c.Grade) }

// Counts reports whether the certificate counts at all: registry
// certificates do, manual ones only once approved.
func (c Certificate) Counts() bool { return !c.Manual || c.Approved }

// Contract is a labour contract of the person with E or a payer.
type Contract struct {
	Start Date
	// End is the last day; the zero Date means open-ended.
	End Date
}

// OneYearOrLonger reports whether the contract's term is at least one year
// (财税〔2015〕72号): open-ended, or End ≥ Start + 1 year − 1 day. The
// anniversary of 29 February in a non-leap year is taken as 1 March (the
// way a year is added to a date elsewhere), so a contract starting
// 2024-02-29 needs End ≥ 2025-02-28: one year is always the span up to the
// day before the anniversary.
func (c Contract) OneYearOrLonger() bool {
	if c.End.IsZero() {
		return true
	}
	anniversary := Date{c.Start.Year + 1, c.Start.Month, c.Start.Day}
	if !anniversary.Valid() {
		anniversary = Date{c.Start.Year + 1, 3, 1}
	}
	return !c.End.Before(anniversary.PrevDay())
}

// Wage is one wage record: the amount a payer paid for a month.
type Wage struct {
	Month  Month
	Amount Fen
}

// MinimumWage is one entry of the versioned minimum-wage table: the monthly
// minimum wage for districts whose code starts with Region (2, 4 or 6
// digits), in force from month From until a later entry replaces it.
type MinimumWage struct {
	Region string
	From   Month
	Amount Fen
}

// MinimumWageFor returns the minimum wage for district in month m by the
// lookup of DOMAIN.md §3: among entries whose Region is a prefix of district
// and whose From ≤ m, the most specific (longest) prefix that has any such
// entry, then the latest From. Two entries with the same region and From
// are a duplicate key; the later one in the table wins, as a re-import
// would overwrite. ok is false when no entry applies.
func MinimumWageFor(table []MinimumWage, district string, m Month) (amount Fen, ok bool) {
	best := -1
	for i, e := range table {
		if e.From > m || !strings.HasPrefix(district, e.Region) {
			continue
		}
		if best < 0 || better(e, table[best]) {
			best = i
		}
	}
	if best < 0 {
		return 0, false
	}
	return table[best].Amount, true
}

// better reports whether entry a beats b (both applicable): longer prefix
// first, then later From; on a full tie the later entry (a) wins.
func better(a, b MinimumWage) bool {
	if len(a.Region) != len(b.Region) {
		return len(a.Region) > len(b.Region)
	}
	return a.From >= b.From
}

// MonthResult is the verification of one month: the six checks, the
// outcome, and the figures the reasons quote.
type MonthResult struct {
	Month Month

	// The six checks of DOMAIN.md §3, in the order of the seed's grid.
	Wage             bool
	SocialInsurance  bool
	MedicalInsurance bool
	// Certificate: a counting certificate (registry, or manual and
	// approved) is valid in the month.
	Certificate bool
	WorkingAge  bool
	Contract    bool

	// Passed is all six checks passed. Only a passed month counts.
	Passed bool
	// PendingCertificate marks a month that would pass were the manual
	// certificates waiting for review approved: every other check passed,
	// and only a pending manual certificate is valid in it. Pages show it
	// as passed-pending; it counts only after approval (Passed is false).
	PendingCertificate bool
	// Weight is 0 for a failed month; otherwise 2 when a counting
	// certificate valid in the month is severe (a 残疾人证 of level 1 or 2,
	// a 残疾军人证 of grade 1 to 3: with several, the heaviest counts), else 1
	// (残联厅函〔2022〕63号).
	Weight int
	// PendingWeight is the weight the month would have once the pending
	// manual certificates are approved (0 unless Passed or
	// PendingCertificate), so a page can show what approval would bring.
	PendingWeight int
	// Locked marks a passed month of a non-dispatched person, which the
	// employer may not unselect (DOMAIN.md §4).
	Locked bool

	// WageSum is the sum of the month's wage records.
	WageSum Fen
	// MinimumWage is the applicable minimum wage, valid when
	// MinimumWageConfigured.
	MinimumWage           Fen
	MinimumWageConfigured bool
	// Under16 tells which side of the working age failed: true = not yet
	// 16 on first(m), false = reached the retirement age.
	Under16 bool
	// RetirementAge is the person's statutory retirement age, quoted by the
	// retirement reason.
	RetirementAge Age
	// CertificateAwaitingReview: some manual certificate valid in the month
	// waits for review (whatever the other checks say).
	CertificateAwaitingReview bool
}

// Result is the grid of one placement-year.
type Result struct {
	Year int
	// Months holds the 12 months of Year, January first.
	Months [12]MonthResult
	// PassedMonths counts the passed months.
	PassedMonths int
	// WeightMonths is Σ weight of the passed months; equivalent persons =
	// WeightMonths ÷ 12.
	WeightMonths WeightMonths
	// PendingCertificateMonths counts the months that wait only for a
	// manual certificate's approval (MonthResult.PendingCertificate).
	PendingCertificateMonths int
}

// Verify runs the six checks on every month of c.Year. It allocates nothing:
// the reasons are produced on demand by MonthResult.Reasons, because a
// summary over thousands of placements needs only the booleans and weights.
func Verify(c Case) Result {
	r := Result{Year: c.Year}
	jan := MonthOf(c.Year, 1)

	// Minimum wage per month: one pass over the table, keeping per month
	// the best applicable entry (see MinimumWageFor).
	var mw [12]int
	for i := range mw {
		mw[i] = -1
	}
	for k, e := range c.MinimumWages {
		if !strings.HasPrefix(c.Region, e.Region) {
			continue
		}
		start := max(0, int(e.From-jan))
		for i := start; i < 12; i++ {
			if mw[i] < 0 || better(e, c.MinimumWages[mw[i]]) {
				mw[i] = k
			}
		}
	}

	var wage [12]Fen
	for _, w := range c.Wages {
		if i := int(w.Month - jan); i >= 0 && i < 12 {
			wage[i] = addSat(wage[i], w.Amount)
		}
	}
	social := monthMask(c.SocialInsurance, jan)
	medical := monthMask(c.MedicalInsurance, jan)

	// Certificates: which months have a counting / pending certificate, and
	// whether one of them is severe (a 残疾人证 of level 1 or 2, a 残疾军人证 of
	// grade 1 to 3).
	var counting, pending, severe, pendingSevere uint16
	for _, ct := range c.Certificates {
		if !ct.Active {
			continue
		}
		from := max(0, int(ct.Issued.YearMonth()-jan))
		to := 11
		if !ct.ValidUntil.IsZero() {
			to = min(11, int(ct.ValidUntil.YearMonth()-jan))
		}
		if from > to {
			continue
		}
		bits := uint16((1<<(to+1))-1) &^ uint16((1<<from)-1)
		isSevere := ct.Severe()
		if ct.Counts() {
			counting |= bits
			if isSevere {
				severe |= bits
			}
		} else {
			pending |= bits
			if isSevere {
				pendingSevere |= bits
			}
		}
	}

	var contract uint16
	for _, ct := range c.Contracts {
		if !ct.OneYearOrLonger() {
			continue
		}
		from := max(0, int(ct.Start.YearMonth()-jan))
		to := 11
		if !ct.End.IsZero() {
			to = min(11, int(ct.End.YearMonth()-jan))
		}
		if from <= to {
			contract |= uint16((1<<(to+1))-1) &^ uint16((1<<from)-1)
		}
	}

	sixteen := c.Person.SixteenthBirthday()
	retireAge := c.Person.RetirementAge()
	retire := c.Person.BirthDate.AddMonths(retireAge.InMonths())

	for i := range r.Months {
		m := jan + Month(i)
		bit := uint16(1) << i
		mr := &r.Months[i]
		mr.Month = m
		mr.WageSum = wage[i]
		if mw[i] >= 0 {
			mr.MinimumWage = c.MinimumWages[mw[i]].Amount
			mr.MinimumWageConfigured = true
			mr.Wage = wage[i] >= mr.MinimumWage
		}
		mr.SocialInsurance = social&bit != 0
		mr.MedicalInsurance = medical&bit != 0
		mr.Certificate = counting&bit != 0
		mr.CertificateAwaitingReview = pending&bit != 0
		first := m.First()
		mr.Under16 = first.Before(sixteen)
		mr.WorkingAge = !mr.Under16 && first.Before(retire)
		mr.RetirementAge = retireAge
		mr.Contract = contract&bit != 0

		others := mr.Wage && mr.SocialInsurance && mr.MedicalInsurance && mr.WorkingAge && mr.Contract
		mr.Passed = others && mr.Certificate
		switch {
		case mr.Passed:
			mr.Weight = weight(severe&bit != 0)
			mr.PendingWeight = weight((severe|pendingSevere)&bit != 0)
			mr.Locked = !c.Dispatched
			r.PassedMonths++
			r.WeightMonths += WeightMonths(mr.Weight)
		case others && mr.CertificateAwaitingReview:
			mr.PendingCertificate = true
			mr.PendingWeight = weight(pendingSevere&bit != 0)
			r.PendingCertificateMonths++
		}
	}
	return r
}

// weight maps "a severe certificate is valid" to the month's weight.
func weight(severe bool) int {
	if severe {
		return 2
	}
	return 1
}

// monthMask sets bit i for every month jan+i present in months.
func monthMask(months []Month, jan Month) uint16 {
	var mask uint16
	for _, m := range months {
		if i := int(m - jan); i >= 0 && i < 12 {
			mask |= 1 << i
		}
	}
	return mask
}
