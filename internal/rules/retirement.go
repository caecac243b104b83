package rules

// Age is an age in whole years and months, as statutory retirement ages are
// stated ("60岁1个月").
type Age struct {
	Years, Months int
}

// InMonths returns the age as a number of months.
func (a Age) InMonths() int { return a.Years*12 + a.Months }

// String writes the age the way reasons show it: "60岁1个月", or "63岁"
// when there is no month part.
func (a Age) String() string {
	var b [24]byte
	return string(a.appendTo(b[:0]))
}

// appendTo appends the String form to b.
func (a Age) appendTo(b []byte) []byte {
	b = appendUint(b, uint64(a.Years))
	b = append(b, "岁"...)
	if a.Months > 0 {
		b = appendUint(b, uint64(a.Months))
		b = append(b, "个月"...)
	}
	return b
}

// RetirementGroup is one of the three schedules of the 2024 reform.
type RetirementGroup int

// The groups of the NPC Standing Committee decision of 2024-09-13.
const (
	// Men: base 60.
	Men RetirementGroup = iota
	// Women55: women of the original 55 group (e.g. cadres), base 55.
	Women55
	// Women50: women of the original 50 group (e.g. workers), base 50.
	Women50
)

// schedule is one group's reform: base age, first affected birth month,
// months of birth per month of delay, and the maximum delay.
type schedule struct {
	baseYears           int
	startYear, startMon int
	step, maxDelay      int
}

// schedules are the constant tables of the decision, index = group.
var schedules = [...]schedule{
	Men:     {baseYears: 60, startYear: 1965, startMon: 1, step: 4, maxDelay: 36},
	Women55: {baseYears: 55, startYear: 1970, startMon: 1, step: 4, maxDelay: 36},
	Women50: {baseYears: 50, startYear: 1975, startMon: 1, step: 2, maxDelay: 60},
}

// RetirementAge returns the statutory retirement age of a person of group g
// born in the given month, by DOMAIN.md §3:
// k = (birthYear − startYear)·12 + (birthMonth − startMonth),
// delay = k < 0 ? 0 : min(max, ⌊k/step⌋ + 1) months. Only the birth month
// matters; the day does not.
func RetirementAge(g RetirementGroup, birthYear, birthMonth int) Age {
	if g < Men || g > Women50 {
		g = Men
	}
	s := schedules[g]
	k := (birthYear-s.startYear)*12 + (birthMonth - s.startMon)
	delay := 0
	if k >= 0 {
		delay = min(s.maxDelay, k/s.step+1)
	}
	return Age{Years: s.baseYears + delay/12, Months: delay % 12}
}

// Group returns the person's retirement group. A woman's group is a field of
// the placement (DOMAIN.md §3 Decision): 55 selects Women55, anything else
// (50, or 0 = not set) Women50, the default.
func (p Person) Group() RetirementGroup {
	if !p.Female {
		return Men
	}
	if p.FemaleRetirementAge == 55 {
		return Women55
	}
	return Women50
}

// RetirementAge returns the person's statutory retirement age.
func (p Person) RetirementAge() Age {
	return RetirementAge(p.Group(), p.BirthDate.Year, p.BirthDate.Month)
}

// RetirementDate returns the day the person reaches the retirement age:
// the birth date moved by the age in months, clamped to the month's last day
// when the month lacks the birth day (see Date.AddMonths). From that day on
// the person is no longer "younger than" the retirement age.
func (p Person) RetirementDate() Date {
	return p.BirthDate.AddMonths(p.RetirementAge().InMonths())
}

// MinimumWorkingAge is the age from which a person may be counted (16).
const MinimumWorkingAge = 16

// SixteenthBirthday returns the day the person turns 16 (clamped like
// RetirementDate for a 29 February birth in a non-leap year).
func (p Person) SixteenthBirthday() Date {
	return p.BirthDate.AddMonths(MinimumWorkingAge * 12)
}
