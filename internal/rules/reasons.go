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
	line := func(parts ...string) string {
		b := mr.Month.appendTo(buf[:0])
		b = append(b, ' ')
		for _, p := range parts {
			b = append(b, p...)
		}
		return string(b)
	}
	if !mr.Wage {
		if !mr.MinimumWageConfigured {
			dst = append(dst, line(reasonNoMinimumWage))
		} else {
			b := mr.Month.appendTo(buf[:0])
			b = append(b, ' ')
			b = append(b, reasonWageBelowStart...)
			b = mr.WageSum.AppendText(b)
			b = append(b, reasonWageBelowMid...)
			b = mr.MinimumWage.AppendText(b)
			b = append(b, reasonWageBelowEnd...)
			dst = append(dst, string(b))
		}
	}
	if !mr.SocialInsurance {
		dst = append(dst, line(reasonNoSocial))
	}
	if !mr.MedicalInsurance {
		dst = append(dst, line(reasonNoMedical))
	}
	if !mr.Certificate {
		if mr.CertificateAwaitingReview {
			dst = append(dst, line(reasonCertPending))
		} else {
			dst = append(dst, line(reasonNoCertificate))
		}
	}
	if !mr.WorkingAge {
		if mr.Under16 {
			dst = append(dst, line(reasonUnder16))
		} else {
			var a [24]byte
			dst = append(dst, line(reasonRetired, "（", string(mr.RetirementAge.appendTo(a[:0])), "）"))
		}
	}
	if !mr.Contract {
		dst = append(dst, line(reasonNoContract))
	}
	return dst
}
