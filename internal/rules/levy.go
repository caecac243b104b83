package rules

import "math/big"

// LevyInput holds what the levy estimate (残保金测算, DOMAIN.md §8) needs.
// Dates of the reduction period are not in the formula: the caller looks up
// the year's levy parameters and says whether the period applies.
type LevyInput struct {
	// Employees is N, the employee count (在职职工人数).
	Employees int
	// QuotaRatioBP is R in basis points of N: 160 = 1.6%.
	QuotaRatioBP int
	// WeightMonths is D×12: the employer's equivalent persons, exact.
	WeightMonths WeightMonths
	// AverageWage is the employer's average annual wage.
	AverageWage Fen
	// SocialAverageWage is the social average annual wage; the wage used
	// is capped at twice it.
	SocialAverageWage Fen
	// Enterprise: only enterprises get the small-employer exemption.
	Enterprise bool
	// ReductionPeriod: the year falls in a reduction period
	// (2020-01-01 … 2027-12-31 by 财政部公告2019年第98号 and 2023年第8号).
	ReductionPeriod bool
}

// Levy reduction outcomes, the last step of the estimate.
type LevyReduction int

// The reductions, in the order they are tested.
const (
	// LevyFull: outside a reduction period the full amount is due.
	LevyFull LevyReduction = iota
	// LevyExemptSmallEnterprise: an enterprise with N ≤ 30 pays nothing.
	LevyExemptSmallEnterprise
	// LevyQuotaMet: D/N ≥ R, nothing is due.
	LevyQuotaMet
	// LevyHalf: D/N ≥ 1% but below R, 50% is due.
	LevyHalf
	// LevyNinety: D/N < 1%, 90% is due.
	LevyNinety
)

// Levy reduction parameters of 财政部公告2019年第98号 (extended by 2023年第8号).
const (
	SmallEnterpriseMaxEmployees = 30
	HalfReductionRatioBP        = 100 // 1%
	HalfReductionPayPercent     = 50
	LowRatioPayPercent          = 90
)

// PersonUnits measures persons in units of 1/120000 person, the common
// denominator of N×R (R in 1/10000) and D (weight-months in 1/12), so that
// every step of the levy formula is exact.
type PersonUnits int64

// PersonUnitsPerPerson is the number of units in one person.
const PersonUnitsPerPerson = 120000

// Hundredths returns the value in hundredths of a person, rounded half-up.
func (p PersonUnits) Hundredths() int64 {
	const u = PersonUnitsPerPerson / 100
	if p < 0 {
		return -((int64(-p)*2 + u) / (2 * u))
	}
	return (int64(p)*2 + u) / (2 * u)
}

// String formats the value with two decimals ("1.60").
func (p PersonUnits) String() string { return Fen(p.Hundredths()).String() }

// LevyEstimate is the estimate with every step exposed, so a page can show
// the formula due = max(0, N×R − D) × W and its reduction.
type LevyEstimate struct {
	Input LevyInput
	// Required is N×R, the persons the quota asks for.
	Required PersonUnits
	// Actual is D, the equivalent persons employed.
	Actual PersonUnits
	// Shortfall is max(0, N×R − D).
	Shortfall PersonUnits
	// WageCap is 2 × the social average wage.
	WageCap Fen
	// Wage is W = min(AverageWage, WageCap); Capped when the cap applied.
	Wage   Fen
	Capped bool
	// Gross is Shortfall × W, rounded half-up to the fen, before reduction.
	Gross Fen
	// AtLeastOnePercent: D/N ≥ 1%.
	AtLeastOnePercent bool
	// Reduction says which rule set the due amount.
	Reduction LevyReduction
	// PayPercent is the share of Gross due: 100, 50, 90 or 0.
	PayPercent int
	// Due is Gross × PayPercent%, rounded half-up to the fen.
	Due Fen
}

// LevyInputError reports an input out of the range the estimate supports.
type LevyInputError string

// Error returns the Chinese message.
func (e LevyInputError) Error() string { return string(e) }

// Bounds that keep the arithmetic exact in int64 with room to spare.
const maxLevyEmployees = 10_000_000

// EstimateLevy computes the levy estimate of DOMAIN.md §8 in integer fen.
// It is an estimate: the tax office computes the real amount. Rounding
// happens twice, visibly: the gross amount to the fen, then the reduced
// amount to the fen, so that what the page shows (gross × 50%) is what it
// says.
func EstimateLevy(in LevyInput) (LevyEstimate, error) {
	switch {
	case in.Employees < 0 || in.Employees > maxLevyEmployees:
		return LevyEstimate{}, LevyInputError("在职职工人数超出范围")
	case in.QuotaRatioBP < 0 || in.QuotaRatioBP > 10000:
		return LevyEstimate{}, LevyInputError("安排比例超出范围")
	case in.WeightMonths < 0 || int64(in.WeightMonths) > int64(maxLevyEmployees)*24:
		return LevyEstimate{}, LevyInputError("安排残疾人人数超出范围")
	case in.AverageWage < 0 || in.AverageWage > MaxFen:
		return LevyEstimate{}, LevyInputError("职工年平均工资超出范围")
	case in.SocialAverageWage < 0 || in.SocialAverageWage > MaxFen:
		return LevyEstimate{}, LevyInputError("社会平均工资超出范围")
	}
	e := LevyEstimate{Input: in}
	e.Required = PersonUnits(int64(in.Employees) * int64(in.QuotaRatioBP) * 12)
	e.Actual = PersonUnits(int64(in.WeightMonths) * 10000)
	e.Shortfall = max(0, e.Required-e.Actual)
	e.WageCap = 2 * in.SocialAverageWage
	e.Wage = in.AverageWage
	if e.Wage > e.WageCap {
		e.Wage, e.Capped = e.WageCap, true
	}
	gross, ok := mulDivHalfUp(int64(e.Shortfall), int64(e.Wage), PersonUnitsPerPerson)
	if !ok {
		return LevyEstimate{}, LevyInputError("测算金额超出范围")
	}
	e.Gross = gross
	// D/N ≥ 1% ⇔ D·100 ≥ N ⇔ weightMonths·100 ≥ 12·N.
	e.AtLeastOnePercent = int64(in.WeightMonths)*100 >= 12*int64(in.Employees)

	switch {
	case in.ReductionPeriod && in.Enterprise && in.Employees <= SmallEnterpriseMaxEmployees:
		e.Reduction, e.PayPercent = LevyExemptSmallEnterprise, 0
	case e.Shortfall == 0:
		e.Reduction, e.PayPercent = LevyQuotaMet, 0
	case !in.ReductionPeriod:
		e.Reduction, e.PayPercent = LevyFull, 100
	case e.AtLeastOnePercent:
		e.Reduction, e.PayPercent = LevyHalf, HalfReductionPayPercent
	default:
		e.Reduction, e.PayPercent = LevyNinety, LowRatioPayPercent
	}
	e.Due, _ = mulDivHalfUp(int64(e.Gross), int64(e.PayPercent), 100) // ≤ Gross: fits
	return e, nil
}

// mulDivHalfUp returns a×b÷d rounded half-up, for non-negative a, b and
// positive d, exactly (through big.Int: the product may exceed int64).
// ok is false when the result does not fit in int64.
func mulDivHalfUp(a, b, d int64) (Fen, bool) {
	var x, y big.Int
	x.SetInt64(a)
	x.Mul(&x, y.SetInt64(b))
	x.Mul(&x, y.SetInt64(2))
	x.Add(&x, y.SetInt64(d))
	x.Quo(&x, y.SetInt64(2*d))
	if !x.IsInt64() {
		return 0, false
	}
	return Fen(x.Int64()), true
}
