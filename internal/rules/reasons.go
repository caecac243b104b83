package rules

// The reason texts of DOMAIN.md §3 (the month and a space precede each).
// Where DOMAIN gives a wording it is used verbatim.
const (
	reasonNoMinimumWage  = "未配置最低工资标准"
	reasonNoSocial       = "无养老保险缴费记录"
	reasonNoMedical      = "无医疗保险缴费记录"
	reasonNoCertificate  = "无有效残疾证"
	reasonCertPending    = "无有效残疾证（历史残疾证件待审核）"
	reasonUnder16        = "未满16周岁"
	reasonRetired        = "已达法定退休年龄"
	reasonNoContract     = "无有效劳动合同（合同期限需满一年）"
	reasonWageBelowStart = "工资 "
	reasonWageBelowMid   = " 元低于最低工资标准 "
	reasonWageBelowEnd   = " 元"
)

// Check is one of the six monthly checks of DOMAIN.md §3 as every layer names it: Key is its JSON
// key (CONTRACT.md), Label the row of the seed's grid, Evidence what a claim must attach when it
// fails (§4); Passed reads its outcome from a month and Reason says, in Chinese, why it failed.
type Check struct {
	Key      string
	Label    string
	Evidence string
	passed   func(*MonthResult) bool
	reason   func(*MonthResult, []byte) []byte // appends the text after "YYYY-MM "
}

// Passed reports whether mr passed the check.
func (c Check) Passed(mr MonthResult) bool { return c.passed(&mr) }

// Reason is the check's Chinese reason for mr, e.g. "2025-03 无养老保险缴费记录"; "" when it passed.
func (c Check) Reason(mr MonthResult) string {
	if c.passed(&mr) {
		return ""
	}
	var buf [96]byte
	return string(c.appendReason(&mr, buf[:0]))
}

func (c Check) appendReason(mr *MonthResult, b []byte) []byte {
	b = mr.Month.appendTo(b)
	b = append(b, ' ')
	return c.reason(mr, b)
}

// Checks lists the six checks in the order of the seed's grid (第四步), which is also the order of
// the reasons. It is the one list the engine, the placement rules, the pages and the JSON use.
func Checks() [6]Check {
	return [6]Check{
		{Key: "wage", Label: "工资信息", Evidence: "工资发放记录（工资条或银行流水）",
			passed: func(mr *MonthResult) bool { return mr.Wage },
			reason: func(mr *MonthResult, b []byte) []byte {
				if !mr.MinimumWageConfigured {
					return append(b, reasonNoMinimumWage...)
				}
				b = append(b, reasonWageBelowStart...)
				b = mr.WageSum.AppendText(b)
				b = append(b, reasonWageBelowMid...)
				b = mr.MinimumWage.AppendText(b)
				return append(b, reasonWageBelowEnd...)
			}},
		{Key: "socialInsurance", Label: "社保参保状态", Evidence: "养老保险缴费记录",
			passed: func(mr *MonthResult) bool { return mr.SocialInsurance },
			reason: func(_ *MonthResult, b []byte) []byte { return append(b, reasonNoSocial...) }},
		{Key: "medicalInsurance", Label: "医保参保状态", Evidence: "医疗保险缴费记录",
			passed: func(mr *MonthResult) bool { return mr.MedicalInsurance },
			reason: func(_ *MonthResult, b []byte) []byte { return append(b, reasonNoMedical...) }},
		{Key: "certificate", Label: "残疾证状态", Evidence: "残疾证影像资料",
			passed: func(mr *MonthResult) bool { return mr.Certificate },
			reason: func(mr *MonthResult, b []byte) []byte {
				if mr.CertificateAwaitingReview {
					return append(b, reasonCertPending...)
				}
				return append(b, reasonNoCertificate...)
			}},
		{Key: "workingAge", Label: "是否就业年龄段", Evidence: "年龄证明材料",
			passed: func(mr *MonthResult) bool { return mr.WorkingAge },
			reason: func(mr *MonthResult, b []byte) []byte {
				if mr.Under16 {
					return append(b, reasonUnder16...)
				}
				b = append(b, reasonRetired...)
				b = append(b, "（"...)
				b = mr.RetirementAge.appendTo(b)
				return append(b, "）"...)
			}},
		{Key: "contract", Label: "合同状态", Evidence: "劳动合同",
			passed: func(mr *MonthResult) bool { return mr.Contract },
			reason: func(_ *MonthResult, b []byte) []byte { return append(b, reasonNoContract...) }},
	}
}

// FailedChecks counts the checks mr failed: a claim needs evidence for each (DOMAIN.md §4).
func (mr MonthResult) FailedChecks() int {
	n := 0
	for _, c := range Checks() {
		if !c.passed(&mr) {
			n++
		}
	}
	return n
}

// Reasons returns one Chinese sentence per failed check, in the order of the
// checks, e.g. "2025-03 工资 1500.00 元低于最低工资标准 1780.00 元". A passed
// month has none (nil). A month failing only for want of an approved
// certificate while a manual one waits for review says so.
func (mr MonthResult) Reasons() []string {
	return mr.AppendReasons(nil)
}

// AppendReasons appends the reasons to dst, for callers that reuse a slice.
func (mr MonthResult) AppendReasons(dst []string) []string {
	var buf [96]byte
	for _, c := range Checks() {
		if !c.passed(&mr) {
			dst = append(dst, string(c.appendReason(&mr, buf[:0])))
		}
	}
	return dst
}
