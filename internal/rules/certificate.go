package rules

// CertificateKind is the kind of a certificate a person is counted with (DOMAIN.md §1–§2): a
// 残疾人证 (disability certificate) with a category and a level 1–4, or a 残疾军人证 (disabled
// servicemen's certificate) with a grade 1–10 (伤残等级). Both count for the certificate check
// alike; they differ in what weighs 2 (§3).
type CertificateKind string

// The certificate kinds, as CONTRACT.md names them (`kind` of the certificates file and the
// verification case).
const (
	DisabilityCertificate CertificateKind = "disability" // 残疾人证
	VeteranCertificate    CertificateKind = "veteran"    // 残疾军人证
)

// The ranges of a certificate's severity: 残疾等级 1–4 of a 残疾人证, 伤残等级 1–10 of a 残疾军人证;
// 1 is the most severe in both.
const (
	MaxDisabilityLevel = 4
	MaxVeteranGrade    = 10
)

// ParseCertificateKind reads a kind as CONTRACT.md writes it: "" is the default, disability.
func ParseCertificateKind(s string) (CertificateKind, bool) {
	switch CertificateKind(s) {
	case "", DisabilityCertificate:
		return DisabilityCertificate, true
	case VeteranCertificate:
		return VeteranCertificate, true
	}
	return "", false
}

// Veteran reports a 残疾军人证. The zero kind is a 残疾人证.
func (k CertificateKind) Veteran() bool { return k == VeteranCertificate }

// Label is the kind's Chinese name.
func (k CertificateKind) Label() string {
	if k.Veteran() {
		return "残疾军人证"
	}
	return "残疾人证"
}

// Severe reports whether a valid certificate of this kind and severity makes a passed month weigh
// 2 (残联厅函〔2022〕63号: "持有残疾人证1至2级或残疾军人证1至3级…按2名计算"): a 残疾人证 of level 1 or 2,
// or a 残疾军人证 of grade 1, 2 or 3. level is the 残疾等级 of a 残疾人证, grade the 伤残等级 of a
// 残疾军人证; the other one is ignored. An unknown severity (0) weighs 1.
func (k CertificateKind) Severe(level, grade int) bool {
	if k.Veteran() {
		return grade >= 1 && grade <= 3
	}
	return level == 1 || level == 2
}

// MonthWeight is the weight of a passed month counted with this kind and severity: 2 when
// Severe, else 1.
func (k CertificateKind) MonthWeight(level, grade int) int { return weight(k.Severe(level, grade)) }
