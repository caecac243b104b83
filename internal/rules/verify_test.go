package rules

import (
	"reflect"
	"testing"
)

func TestPassingCase(t *testing.T) {
	r := Verify(passingCase())
	checkGrid(t, r, "PPPPPPPPPPPP")
	if r.PassedMonths != 12 || r.WeightMonths != 12 || r.WeightMonths.String() != "1.00" {
		t.Errorf("passed %d weight %d", r.PassedMonths, r.WeightMonths)
	}
	for i, m := range r.Months {
		if m.Month != MonthOf(2025, i+1) {
			t.Errorf("month %d is %v", i, m.Month)
		}
		if m.Weight != 1 || !m.Locked || m.Reasons() != nil {
			t.Errorf("%v: weight %d locked %v reasons %q", m.Month, m.Weight, m.Locked, m.Reasons())
		}
	}
	c := passingCase()
	c.Dispatched = true
	for _, m := range Verify(c).Months {
		if m.Locked {
			t.Fatalf("dispatched person's month %v locked", m.Month)
		}
	}
}

func TestMinimumWageFor(t *testing.T) {
	table := []MinimumWage{
		{Region: "22", From: mo("2021-12"), Amount: yuan("1540")},
		{Region: "22", From: mo("2024-10"), Amount: yuan("1780")},
		{Region: "2201", From: mo("2021-12"), Amount: yuan("1880")},
		{Region: "2201", From: mo("2024-10"), Amount: yuan("2120")},
		{Region: "220183", From: mo("2025-06"), Amount: yuan("1920")}, // moved tier mid-2025
		{Region: "2202", From: mo("2024-10"), Amount: yuan("1920")},
		{Region: "11", From: mo("2025-01"), Amount: yuan("2540")},
	}
	tests := []struct {
		district, month string
		want            string // "" = none
	}{
		{"220102", "2025-03", "2120.00"},
		{"220102", "2024-09", "1880.00"},
		{"220102", "2024-10", "2120.00"},
		{"220102", "2021-11", ""},
		{"220183", "2025-05", "2120.00"}, // 220183 has no entry yet: 2201 applies
		{"220183", "2025-06", "1920.00"},
		{"220203", "2025-01", "1920.00"},
		{"220302", "2025-01", "1780.00"},
		{"220302", "2024-01", "1540.00"},
		{"110101", "2024-12", ""},
		{"110101", "2025-01", "2540.00"},
		{"310101", "2025-01", ""},
	}
	for _, tt := range tests {
		got, ok := MinimumWageFor(table, tt.district, mo(tt.month))
		gs := ""
		if ok {
			gs = got.String()
		}
		if gs != tt.want {
			t.Errorf("MinimumWageFor(%s, %s) = %q, want %q", tt.district, tt.month, gs, tt.want)
		}
	}
	// Duplicate key: the later entry wins.
	dup := []MinimumWage{{Region: "22", From: mo("2025-01"), Amount: 100}, {Region: "22", From: mo("2025-01"), Amount: 200}}
	if got, _ := MinimumWageFor(dup, "220102", mo("2025-05")); got != 200 {
		t.Errorf("duplicate: got %d, want 200", got)
	}
	// Verify's per-month lookup agrees with MinimumWageFor for every month.
	c := passingCase()
	c.MinimumWages = table
	for _, district := range []string{"220102", "220183", "220302", "110101", "310101"} {
		c.Region = district
		r := Verify(c)
		for _, m := range r.Months {
			want, ok := MinimumWageFor(table, district, m.Month)
			if m.MinimumWageConfigured != ok || m.MinimumWage != want {
				t.Errorf("%s %v: Verify %v/%v, lookup %v/%v", district, m.Month, m.MinimumWage, m.MinimumWageConfigured, want, ok)
			}
		}
	}
}

func TestWageCheck(t *testing.T) {
	t.Run("minimum wage rises inside the year", func(t *testing.T) {
		c := passingCase()
		c.MinimumWages = append(c.MinimumWages, MinimumWage{Region: "22", From: mo("2025-07"), Amount: yuan("2000")})
		for i := range c.Wages {
			c.Wages[i].Amount = yuan("1900")
		}
		r := Verify(c)
		checkGrid(t, r, "PPPPPP......")
		if got := r.Months[6].Reasons(); !reflect.DeepEqual(got, []string{"2025-07 工资 1900.00 元低于最低工资标准 2000.00 元"}) {
			t.Errorf("reasons = %q", got)
		}
	})
	t.Run("several payers summed, boundary exact", func(t *testing.T) {
		c := passingCase()
		c.Wages = c.Wages[:0]
		c.Wages = append(c.Wages,
			Wage{mo("2025-03"), yuan("1000")}, Wage{mo("2025-03"), yuan("780")}, // = 1780: passes
			Wage{mo("2025-04"), yuan("1000")}, Wage{mo("2025-04"), yuan("779.99")}, // one fen short
			Wage{mo("2025-05"), yuan("500")}, Wage{mo("2025-05"), yuan("500")}, Wage{mo("2025-05"), yuan("780.01")},
			Wage{mo("2024-12"), yuan("9999")}, Wage{mo("2026-01"), yuan("9999")}, // outside the year: ignored
		)
		r := Verify(c)
		checkGrid(t, r, "..P.P.......")
		if got := r.Months[3].Reasons(); !reflect.DeepEqual(got, []string{"2025-04 工资 1779.99 元低于最低工资标准 1780.00 元"}) {
			t.Errorf("reasons = %q", got)
		}
		if got := r.Months[0].Reasons(); !reflect.DeepEqual(got, []string{"2025-01 工资 0.00 元低于最低工资标准 1780.00 元"}) {
			t.Errorf("reasons = %q", got)
		}
		if r.Months[4].WageSum != yuan("1780.01") {
			t.Errorf("sum = %v", r.Months[4].WageSum)
		}
	})
	t.Run("the example of DOMAIN.md", func(t *testing.T) {
		c := passingCase()
		c.Wages[2].Amount = yuan("1500")
		r := Verify(c)
		if got := r.Months[2].Reasons(); !reflect.DeepEqual(got, []string{"2025-03 工资 1500.00 元低于最低工资标准 1780.00 元"}) {
			t.Errorf("reasons = %q", got)
		}
	})
	t.Run("no minimum wage configured", func(t *testing.T) {
		c := passingCase()
		c.MinimumWages = []MinimumWage{{Region: "22", From: mo("2025-04"), Amount: yuan("1780")}, {Region: "21", From: mo("2020-01"), Amount: 1}}
		r := Verify(c)
		checkGrid(t, r, "...PPPPPPPPP")
		if got := r.Months[0].Reasons(); !reflect.DeepEqual(got, []string{"2025-01 未配置最低工资标准"}) {
			t.Errorf("reasons = %q", got)
		}
		c.MinimumWages = nil
		checkGrid(t, Verify(c), "............")
	})
	t.Run("zero minimum wage and no wage passes", func(t *testing.T) {
		c := passingCase()
		c.MinimumWages = []MinimumWage{{Region: "22", From: mo("2020-01"), Amount: 0}}
		c.Wages = nil
		checkGrid(t, Verify(c), "PPPPPPPPPPPP")
	})
}

func TestInsuranceChecks(t *testing.T) {
	c := passingCase()
	c.SocialInsurance = []Month{mo("2025-01"), mo("2025-02"), mo("2025-02"), mo("2024-03")}
	c.MedicalInsurance = []Month{mo("2025-02"), mo("2025-03")}
	r := Verify(c)
	if g := grid(r, func(m MonthResult) bool { return m.SocialInsurance }); g != "PP.........." {
		t.Errorf("social = %s", g)
	}
	if g := grid(r, func(m MonthResult) bool { return m.MedicalInsurance }); g != ".PP........." {
		t.Errorf("medical = %s", g)
	}
	checkGrid(t, r, ".P..........")
	want := map[int][]string{
		0: {"2025-01 无医疗保险缴费记录"},
		2: {"2025-03 无养老保险缴费记录"},
		3: {"2025-04 无养老保险缴费记录", "2025-04 无医疗保险缴费记录"},
	}
	for i, w := range want {
		if got := r.Months[i].Reasons(); !reflect.DeepEqual(got, w) {
			t.Errorf("month %d reasons = %q, want %q", i+1, got, w)
		}
	}
}

func TestCertificateCheck(t *testing.T) {
	reg := func(level int, issued, until string) Certificate {
		return Certificate{Level: level, Issued: d(issued), ValidUntil: d(until), Active: true}
	}
	vet := func(grade int, issued, until string) Certificate {
		return Certificate{Kind: VeteranCertificate, Grade: grade, Issued: d(issued), ValidUntil: d(until), Active: true}
	}
	tests := []struct {
		name    string
		certs   []Certificate
		cert    string // certificate check per month
		weights string // weight digit per month
		pending string // PendingCertificate per month
	}{
		{"issued on the last day of April", []Certificate{reg(3, "2025-04-30", "")}, "...PPPPPPPPP", "000111111111", "............"},
		{"issued on the first day of April", []Certificate{reg(3, "2025-04-01", "")}, "...PPPPPPPPP", "000111111111", "............"},
		{"issued on the first of May", []Certificate{reg(3, "2025-05-01", "")}, "....PPPPPPPP", "000011111111", "............"},
		{"valid until the first of September", []Certificate{reg(4, "2015-01-01", "2025-09-01")}, "PPPPPPPPP...", "111111111000", "............"},
		{"valid until the last of August", []Certificate{reg(4, "2015-01-01", "2025-08-31")}, "PPPPPPPP....", "111111110000", "............"},
		{"expired before the year", []Certificate{reg(4, "2015-01-01", "2024-12-31")}, "............", "000000000000", "............"},
		{"issued after the year", []Certificate{reg(4, "2026-01-01", "")}, "............", "000000000000", "............"},
		{"cancelled", []Certificate{{Level: 1, Issued: d("2015-01-01"), Active: false}}, "............", "000000000000", "............"},
		{"no certificate", nil, "............", "000000000000", "............"},
		{"level 1 weighs 2", []Certificate{reg(1, "2015-01-01", "")}, "PPPPPPPPPPPP", "222222222222", "............"},
		{"level 2 weighs 2", []Certificate{reg(2, "2015-01-01", "")}, "PPPPPPPPPPPP", "222222222222", "............"},
		{"level 3 weighs 1", []Certificate{reg(3, "2015-01-01", "")}, "PPPPPPPPPPPP", "111111111111", "............"},
		{"unknown level weighs 1", []Certificate{reg(0, "2015-01-01", "")}, "PPPPPPPPPPPP", "111111111111", "............"},
		{"most severe of several", []Certificate{reg(4, "2015-01-01", ""), reg(2, "2015-01-01", "2025-06-30")}, "PPPPPPPPPPPP", "222222111111", "............"},
		{"reissued certificate continues", []Certificate{reg(3, "2015-01-01", "2025-03-31"), reg(1, "2025-05-20", "")}, "PPP.PPPPPPPP", "111022222222", "............"},
		{"manual approved counts", []Certificate{{Level: 2, Issued: d("2010-01-01"), Active: true, Manual: true, Approved: true}}, "PPPPPPPPPPPP", "222222222222", "............"},
		{"manual pending does not count", []Certificate{{Level: 2, Issued: d("2010-01-01"), ValidUntil: d("2025-10-31"), Active: true, Manual: true}}, "............", "000000000000", "PPPPPPPPPP.."},
		{"manual pending cancelled is nothing", []Certificate{{Level: 2, Issued: d("2010-01-01"), Manual: true}}, "............", "000000000000", "............"},
		{"pending beside registry: registry decides", []Certificate{reg(3, "2015-01-01", ""), {Level: 1, Issued: d("2010-01-01"), Active: true, Manual: true}}, "PPPPPPPPPPPP", "111111111111", "............"},
		{"pending fills a gap", []Certificate{reg(3, "2015-01-01", "2025-06-30"), {Level: 3, Issued: d("2025-07-01"), Active: true, Manual: true}}, "PPPPPP......", "111111000000", "......PPPPPP"},
		// 残疾军人证 (DOMAIN.md §3): grades 1–3 weigh 2, 4–10 weigh 1; it passes the check like a 残疾人证.
		{"veteran grade 1 weighs 2", []Certificate{vet(1, "2015-01-01", "")}, "PPPPPPPPPPPP", "222222222222", "............"},
		{"veteran grade 3 weighs 2", []Certificate{vet(3, "2015-01-01", "")}, "PPPPPPPPPPPP", "222222222222", "............"},
		{"veteran grade 4 weighs 1", []Certificate{vet(4, "2015-01-01", "")}, "PPPPPPPPPPPP", "111111111111", "............"},
		{"veteran grade 10 weighs 1", []Certificate{vet(10, "2015-01-01", "")}, "PPPPPPPPPPPP", "111111111111", "............"},
		{"veteran unknown grade weighs 1", []Certificate{vet(0, "2015-01-01", "")}, "PPPPPPPPPPPP", "111111111111", "............"},
		{"veteran's level is not its grade", []Certificate{{Kind: VeteranCertificate, Level: 1, Grade: 5, Issued: d("2015-01-01"), Active: true}}, "PPPPPPPPPPPP", "111111111111", "............"},
		{"disability's grade is not its level", []Certificate{{Level: 3, Grade: 1, Issued: d("2015-01-01"), Active: true}}, "PPPPPPPPPPPP", "111111111111", "............"},
		{"veteran expiring mid-year", []Certificate{vet(2, "2015-01-01", "2025-06-15")}, "PPPPPP......", "222222000000", "............"},
		{"veteran cancelled", []Certificate{{Kind: VeteranCertificate, Grade: 1, Issued: d("2015-01-01")}}, "............", "000000000000", "............"},
		{"both kinds valid: the heavier (veteran 3 over level 3)", []Certificate{reg(3, "2015-01-01", ""), vet(3, "2015-01-01", "")}, "PPPPPPPPPPPP", "222222222222", "............"},
		{"both kinds valid: the heavier (level 2 over veteran 7)", []Certificate{vet(7, "2015-01-01", ""), reg(2, "2015-01-01", "")}, "PPPPPPPPPPPP", "222222222222", "............"},
		{"both kinds light: weight 1", []Certificate{reg(3, "2015-01-01", ""), vet(4, "2015-01-01", "")}, "PPPPPPPPPPPP", "111111111111", "............"},
		{"veteran severe half the year beside level 4", []Certificate{reg(4, "2015-01-01", ""), vet(1, "2025-07-01", "")}, "PPPPPPPPPPPP", "111111222222", "............"},
		{"manual veteran pending does not count", []Certificate{{Kind: VeteranCertificate, Grade: 2, Issued: d("2010-01-01"), Active: true, Manual: true}}, "............", "000000000000", "PPPPPPPPPPPP"},
		{"manual veteran approved counts", []Certificate{{Kind: VeteranCertificate, Grade: 2, Issued: d("2010-01-01"), Active: true, Manual: true, Approved: true}}, "PPPPPPPPPPPP", "222222222222", "............"},
		{"manual veteran pending beside registry level 4", []Certificate{reg(4, "2015-01-01", ""), {Kind: VeteranCertificate, Grade: 1, Issued: d("2010-01-01"), Active: true, Manual: true}}, "PPPPPPPPPPPP", "111111111111", "............"},
	}
	for _, tt := range tests {
		c := passingCase()
		c.Certificates = tt.certs
		r := Verify(c)
		if g := grid(r, func(m MonthResult) bool { return m.Certificate }); g != tt.cert {
			t.Errorf("%s: certificate = %s, want %s", tt.name, g, tt.cert)
		}
		checkGrid(t, r, tt.cert)
		w := make([]byte, 12)
		for i, m := range r.Months {
			w[i] = byte('0' + m.Weight)
		}
		if string(w) != tt.weights {
			t.Errorf("%s: weights = %s, want %s", tt.name, w, tt.weights)
		}
		if g := grid(r, func(m MonthResult) bool { return m.PendingCertificate }); g != tt.pending {
			t.Errorf("%s: pending = %s, want %s", tt.name, g, tt.pending)
		}
	}
}

func TestPendingCertificateDetails(t *testing.T) {
	c := passingCase()
	c.Certificates = []Certificate{
		{Level: 3, Issued: d("2015-01-01"), Active: true},
		{Level: 1, Issued: d("2015-01-01"), Active: true, Manual: true},
	}
	r := Verify(c)
	if m := r.Months[0]; m.Weight != 1 || m.PendingWeight != 2 {
		t.Errorf("weight %d pending weight %d, want 1 and 2", m.Weight, m.PendingWeight)
	}
	c.Certificates = c.Certificates[1:]
	c.Wages[4].Amount = 0
	r = Verify(c)
	if r.PendingCertificateMonths != 11 || r.PassedMonths != 0 || r.WeightMonths != 0 {
		t.Errorf("pending %d passed %d weight %d", r.PendingCertificateMonths, r.PassedMonths, r.WeightMonths)
	}
	if m := r.Months[0]; !m.PendingCertificate || m.PendingWeight != 2 || m.Weight != 0 || m.Locked {
		t.Errorf("month 1 = %+v", m)
	}
	if got := r.Months[0].Reasons(); !reflect.DeepEqual(got, []string{"2025-01 无有效残疾证（历史残疾证件待审核）"}) {
		t.Errorf("reasons = %q", got)
	}
	// May also fails the wage check: not pending.
	if m := r.Months[4]; m.PendingCertificate || m.PendingWeight != 0 {
		t.Errorf("May = %+v", m)
	}
	c.Certificates = nil
	if got := Verify(c).Months[0].Reasons(); !reflect.DeepEqual(got, []string{"2025-01 无有效残疾证"}) {
		t.Errorf("reasons = %q", got)
	}
}

// TestPendingVeteranWeight: a manual 残疾军人证 of grade 1–3 waiting for review shows the weight its
// approval would bring, and counts nothing until then.
func TestPendingVeteranWeight(t *testing.T) {
	c := passingCase()
	c.Certificates = []Certificate{
		{Level: 4, Issued: d("2015-01-01"), Active: true},
		{Kind: VeteranCertificate, Grade: 3, Issued: d("2015-01-01"), Active: true, Manual: true},
	}
	r := Verify(c)
	if m := r.Months[0]; !m.Passed || m.Weight != 1 || m.PendingWeight != 2 || !m.CertificateAwaitingReview {
		t.Errorf("with a pending grade 3: %+v", m)
	}
	c.Certificates[1].Grade = 4
	if m := Verify(c).Months[0]; m.Weight != 1 || m.PendingWeight != 1 {
		t.Errorf("with a pending grade 4: weight %d pending %d", m.Weight, m.PendingWeight)
	}
	c.Certificates = c.Certificates[1:]
	c.Certificates[0].Grade = 1
	r = Verify(c)
	if m := r.Months[5]; m.Passed || !m.PendingCertificate || m.PendingWeight != 2 || m.Weight != 0 {
		t.Errorf("pending veteran alone: %+v", m)
	}
	if r.PendingCertificateMonths != 12 || r.WeightMonths != 0 {
		t.Errorf("pending months %d weight %d", r.PendingCertificateMonths, r.WeightMonths)
	}
}

// TestCertificateKinds: the boundaries of what weighs 2, and the kinds as CONTRACT.md writes them.
func TestCertificateKinds(t *testing.T) {
	tests := []struct {
		kind         CertificateKind
		level, grade int
		want         int
	}{
		{DisabilityCertificate, 1, 0, 2}, {DisabilityCertificate, 2, 0, 2}, {DisabilityCertificate, 3, 0, 1},
		{DisabilityCertificate, 4, 0, 1}, {DisabilityCertificate, 0, 0, 1}, {"", 2, 0, 2}, {"", 3, 1, 1},
		{VeteranCertificate, 0, 1, 2}, {VeteranCertificate, 0, 2, 2}, {VeteranCertificate, 0, 3, 2},
		{VeteranCertificate, 0, 4, 1}, {VeteranCertificate, 0, 10, 1}, {VeteranCertificate, 0, 0, 1},
		{VeteranCertificate, 1, 0, 1}, {VeteranCertificate, 2, 9, 1},
	}
	for _, tt := range tests {
		if got := tt.kind.MonthWeight(tt.level, tt.grade); got != tt.want {
			t.Errorf("%q level %d grade %d: weight %d, want %d", tt.kind, tt.level, tt.grade, got, tt.want)
		}
		c := Certificate{Kind: tt.kind, Level: tt.level, Grade: tt.grade}
		if c.Severe() != (tt.want == 2) {
			t.Errorf("%+v: Severe = %v", c, c.Severe())
		}
	}
	for in, want := range map[string]CertificateKind{"": DisabilityCertificate, "disability": DisabilityCertificate, "veteran": VeteranCertificate} {
		if k, ok := ParseCertificateKind(in); !ok || k != want {
			t.Errorf("ParseCertificateKind(%q) = %q, %v", in, k, ok)
		}
	}
	for _, in := range []string{"Veteran", "military", " veteran", "残疾军人证"} {
		if _, ok := ParseCertificateKind(in); ok {
			t.Errorf("ParseCertificateKind(%q) accepted", in)
		}
	}
	if VeteranCertificate.Label() != "残疾军人证" || DisabilityCertificate.Label() != "残疾人证" || CertificateKind("").Label() != "残疾人证" {
		t.Error("labels")
	}
}

func TestContractCheck(t *testing.T) {
	tests := []struct {
		name      string
		contracts []Contract
		want      string
	}{
		{"open-ended", []Contract{{Start: d("2020-01-01")}}, "PPPPPPPPPPPP"},
		{"exactly one year", []Contract{{Start: d("2025-03-15"), End: d("2026-03-14")}}, "..PPPPPPPPPP"},
		{"one day short of a year", []Contract{{Start: d("2025-03-15"), End: d("2026-03-13")}}, "............"},
		{"one year from the first of a month", []Contract{{Start: d("2025-01-01"), End: d("2025-12-31")}}, "PPPPPPPPPPPP"},
		{"one year from the first, a day short", []Contract{{Start: d("2025-01-01"), End: d("2025-12-30")}}, "............"},
		{"from 29 February: to 28 February is a year", []Contract{{Start: d("2024-02-29"), End: d("2025-02-28")}}, "PP.........."},
		{"from 29 February: to 27 February is not", []Contract{{Start: d("2024-02-29"), End: d("2025-02-27")}}, "............"},
		{"starts on the last day of May", []Contract{{Start: d("2025-05-31")}}, "....PPPPPPPP"},
		{"ends on the first day of August", []Contract{{Start: d("2024-08-01"), End: d("2025-08-01")}}, "PPPPPPPP...."},
		{"ends on the last day of July", []Contract{{Start: d("2024-08-01"), End: d("2025-07-31")}}, "PPPPPPP....."},
		{"ended before the year", []Contract{{Start: d("2022-01-01"), End: d("2024-12-31")}}, "............"},
		{"starts after the year", []Contract{{Start: d("2026-01-01")}}, "............"},
		{"short contract does not count, long one does", []Contract{{Start: d("2025-01-01"), End: d("2025-06-30")}, {Start: d("2025-07-01"), End: d("2027-06-30")}}, "......PPPPPP"},
		{"two one-year contracts with a gap", []Contract{{Start: d("2024-01-01"), End: d("2024-12-31")}, {Start: d("2025-03-10"), End: d("2026-03-09")}}, "..PPPPPPPPPP"},
		{"no contract", nil, "............"},
	}
	for _, tt := range tests {
		c := passingCase()
		c.Contracts = tt.contracts
		r := Verify(c)
		if g := grid(r, func(m MonthResult) bool { return m.Contract }); g != tt.want {
			t.Errorf("%s: contract = %s, want %s", tt.name, g, tt.want)
		}
		checkGrid(t, r, tt.want)
		for _, m := range r.Months {
			if !m.Contract {
				if rs := m.Reasons(); !reflect.DeepEqual(rs, []string{m.Month.String() + " 无有效劳动合同（合同期限需满一年）"}) {
					t.Errorf("%s: reasons %q", tt.name, rs)
				}
			}
		}
	}
}

func TestAllReasons(t *testing.T) {
	// A child with nothing at all: one reason per check, in check order.
	c := Case{Year: 2025, Region: "220102", Person: Person{BirthDate: d("2015-06-01")}}
	r := Verify(c)
	checkGrid(t, r, "............")
	want := []string{
		"2025-03 未配置最低工资标准",
		"2025-03 无养老保险缴费记录",
		"2025-03 无医疗保险缴费记录",
		"2025-03 无有效残疾证",
		"2025-03 未满16周岁",
		"2025-03 无有效劳动合同（合同期限需满一年）",
	}
	if got := r.Months[2].Reasons(); !reflect.DeepEqual(got, want) {
		t.Errorf("reasons =\n%q\nwant\n%q", got, want)
	}
	if r.PassedMonths != 0 || r.WeightMonths != 0 || r.WeightMonths.String() != "0.00" {
		t.Errorf("totals %d %d", r.PassedMonths, r.WeightMonths)
	}
}

func TestEquivalentPersons(t *testing.T) {
	c := passingCase()
	c.Certificates = []Certificate{{Level: 1, Issued: d("2025-08-01"), Active: true}}
	r := Verify(c)
	if r.PassedMonths != 5 || r.WeightMonths != 10 || r.WeightMonths.String() != "0.83" {
		t.Errorf("passed %d weight %d = %s", r.PassedMonths, r.WeightMonths, r.WeightMonths)
	}
	// An employer's total is summed exactly, then rounded once: three
	// placements of one month each are 0.25, not 3 × 0.08 = 0.24.
	var total WeightMonths
	for range 3 {
		total += 1
	}
	if total.String() != "0.25" {
		t.Errorf("total = %s", total)
	}
}

func TestVerifyDoesNotAllocate(t *testing.T) {
	c := passingCase()
	n := testing.AllocsPerRun(100, func() { _ = Verify(c) })
	if n != 0 {
		t.Errorf("Verify allocates %v times per run, want 0", n)
	}
}
