package rules

import "testing"

func TestEstimateLevy(t *testing.T) {
	base := LevyInput{
		Employees: 100, QuotaRatioBP: 160, AverageWage: yuan("60000"), SocialAverageWage: yuan("50000"),
		Enterprise: true, ReductionPeriod: true,
	}
	tests := []struct {
		name      string
		change    func(*LevyInput)
		shortfall string
		wage      string
		gross     string
		reduction LevyReduction
		due       string
	}{
		{"nobody employed, below 1%: 90%", func(*LevyInput) {}, "1.60", "60000.00", "96000.00", LevyNinety, "86400.00"},
		{"exactly 1%: 50%", func(in *LevyInput) { in.WeightMonths = 12 }, "0.60", "60000.00", "36000.00", LevyHalf, "18000.00"},
		{"just below 1%", func(in *LevyInput) { in.WeightMonths = 11 }, "0.68", "60000.00", "41000.00", LevyNinety, "36900.00"},
		{"quota met", func(in *LevyInput) { in.WeightMonths = 20 }, "0.00", "60000.00", "0.00", LevyQuotaMet, "0.00"},
		{"quota met exactly (1.6 = 19.2 weight-months: 20 needed)", func(in *LevyInput) { in.Employees = 1000; in.WeightMonths = 192 }, "0.00", "60000.00", "0.00", LevyQuotaMet, "0.00"},
		{"small enterprise exempt", func(in *LevyInput) { in.Employees = 30 }, "0.48", "60000.00", "28800.00", LevyExemptSmallEnterprise, "0.00"},
		{"31 employees not exempt", func(in *LevyInput) { in.Employees = 31 }, "0.50", "60000.00", "29760.00", LevyNinety, "26784.00"},
		{"small non-enterprise not exempt", func(in *LevyInput) { in.Employees = 30; in.Enterprise = false }, "0.48", "60000.00", "28800.00", LevyNinety, "25920.00"},
		{"outside the reduction period: full", func(in *LevyInput) { in.ReductionPeriod = false; in.Employees = 30 }, "0.48", "60000.00", "28800.00", LevyFull, "28800.00"},
		{"wage capped at twice the social average", func(in *LevyInput) { in.AverageWage = yuan("150000") }, "1.60", "100000.00", "160000.00", LevyNinety, "144000.00"},
		{"no employees", func(in *LevyInput) { in.Employees = 0; in.Enterprise = false }, "0.00", "60000.00", "0.00", LevyQuotaMet, "0.00"},
		// 7 × 1.6% = 0.112 persons × 12345.67 = 1382.71504 → 1382.72; × 90% = 1244.448 → 1244.45.
		{"rounding half-up to the fen, twice", func(in *LevyInput) { in.Employees = 7; in.Enterprise = false; in.AverageWage = yuan("12345.67") }, "0.11", "12345.67", "1382.72", LevyNinety, "1244.45"},
	}
	for _, tt := range tests {
		in := base
		tt.change(&in)
		e, err := EstimateLevy(in)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if e.Shortfall.String() != tt.shortfall || e.Wage.String() != tt.wage || e.Gross.String() != tt.gross ||
			e.Reduction != tt.reduction || e.Due.String() != tt.due {
			t.Errorf("%s: shortfall %s wage %s gross %s reduction %d due %s; want %s %s %s %d %s", tt.name,
				e.Shortfall, e.Wage, e.Gross, e.Reduction, e.Due, tt.shortfall, tt.wage, tt.gross, tt.reduction, tt.due)
		}
	}
	e, err := EstimateLevy(base)
	if err != nil {
		t.Fatal(err)
	}
	if e.Required.String() != "1.60" || e.Actual.String() != "0.00" || e.WageCap.String() != "100000.00" || e.Capped || e.PayPercent != 90 {
		t.Errorf("steps: %+v", e)
	}
	for _, bad := range []LevyInput{
		{Employees: -1}, {QuotaRatioBP: -1}, {QuotaRatioBP: 10001}, {WeightMonths: -1},
		{AverageWage: -1}, {SocialAverageWage: MaxFen + 1}, {Employees: maxLevyEmployees + 1},
		{Employees: maxLevyEmployees, QuotaRatioBP: 10000, AverageWage: MaxFen, SocialAverageWage: MaxFen},
	} {
		if _, err := EstimateLevy(bad); err == nil {
			t.Errorf("EstimateLevy(%+v) accepted", bad)
		}
	}
}
