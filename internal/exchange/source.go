package exchange

import (
	"context"
	"fmt"
	"quotacert/internal/readtx"
	"strings"

	"quotacert/internal/apperr"
	"quotacert/internal/idnum"
	"quotacert/internal/rules"
)

// Source is how the domain reads official records: the only way to the registry. The database
// implementation (Service) serves what was imported; a live adapter to a provincial data-sharing
// service can implement the same two methods later without touching the rules or their callers.
// Each call is one read (one transaction of the database, one request of a service).
type Source interface {
	// Certificates returns the registry certificates of each person named by a resident ID number
	// (any case of the check character), in the order of idNumbers: none for a person the registry
	// does not know.
	Certificates(ctx context.Context, idNumbers []string) ([][]RegistryCertificate, error)
	// Records returns what the monthly checks read of one person: the registry certificates and the
	// wage records and pension and medical payment months in [from, to] from the payers with the
	// given credit codes (the employer and its affiliates in force). Records from other payers never
	// appear.
	Records(ctx context.Context, idNumber string, payers []string, from, to rules.Month) (Records, error)
}

// Records are the official records of one person that the monthly checks read.
type Records struct {
	Certificates []RegistryCertificate
	Payments     Payments
}

// RegistryCertificate is a certificate from the registry, opened for an authorised reader: a
// 残疾人证 with its category and level, or a 残疾军人证 (Kind) with its grade.
type RegistryCertificate struct {
	Kind       rules.CertificateKind
	Number     string // full number: show masked unless the person's full record is opened
	IDNumber   string
	Name       string
	Gender     string
	Category   int // 残疾人证 only
	Level      int // 残疾人证 only
	Grade      int // 残疾军人证 only
	Issued     rules.Date
	ValidUntil rules.Date // zero: no expiry
	Status     string     // 有效 or 注销
}

// Masked is the number as lists show it (idnum.MaskCertificate, or MaskVeteranNumber for a 残疾军人证).
func (c RegistryCertificate) Masked() string { return MaskCertificateNumber(c.Kind, c.Number) }

// Rule converts the certificate for the verification engine.
func (c RegistryCertificate) Rule() rules.Certificate {
	return rules.Certificate{Kind: c.Kind, Number: c.Number, Level: c.Level, Grade: c.Grade, Issued: c.Issued,
		ValidUntil: c.ValidUntil, Active: c.Status == rules.CertificateValid}
}

// Payments are a person's records from a set of payers. A month may carry several wage records
// (several payers): the engine sums them.
type Payments struct {
	Wages   []rules.Wage
	Social  []rules.Month
	Medical []rules.Month
}

// MaskCertificateNumber masks a certificate number of the given kind for display: a 残疾人证 number
// like an ID number, a 残疾军人证 number to its first and last two characters.
func MaskCertificateNumber(kind rules.CertificateKind, number string) string {
	if kind.Veteran() {
		return idnum.MaskVeteranNumber(number)
	}
	return idnum.MaskCertificate(number)
}

var _ Source = (*Service)(nil)

// normaliseID prepares an ID number for hashing the way the import stored it.
func normaliseID(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// certificateChunk bounds the persons of one registry query (its IN list).
const certificateChunk = 500

// Certificates implements Source from the imported registry.
func (s *Service) Certificates(ctx context.Context, idNumbers []string) ([][]RegistryCertificate, error) {
	out := make([][]RegistryCertificate, len(idNumbers))
	err := s.run(ctx, func(tx Tx) error {
		at := map[string][]int{} // person hash → positions in idNumbers
		hashes := make([]string, 0, len(idNumbers))
		for i, id := range idNumbers {
			h := s.pii.Hash(normaliseID(id))
			if _, ok := at[h]; !ok {
				hashes = append(hashes, h)
			}
			at[h] = append(at[h], i)
		}
		for start := 0; start < len(hashes); start += certificateChunk {
			recs, err := tx.RegistryCertificates(ctx, hashes[start:min(len(hashes), start+certificateChunk)])
			if err != nil {
				return err
			}
			for _, r := range recs {
				c, err := s.openCertificate(r)
				if err != nil {
					return err
				}
				for _, i := range at[r.PersonHash] {
					out[i] = append(out[i], c)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("registry certificates: %w", err)
	}
	return out, nil
}

func (s *Service) openCertificate(r CertificateRecord) (RegistryCertificate, error) {
	num, err := s.pii.Open(r.CertSealed)
	if err != nil {
		return RegistryCertificate{}, apperr.Wrap(apperr.Internal, "无法读取证件信息", err)
	}
	id, err := s.pii.Open(r.PersonSealed)
	if err != nil {
		return RegistryCertificate{}, apperr.Wrap(apperr.Internal, "无法读取证件信息", err)
	}
	c := RegistryCertificate{Kind: r.Kind, Number: num, IDNumber: id, Name: r.Name, Gender: r.Gender, Category: r.Category,
		Level: r.Level, Grade: r.Grade, Status: r.Status}
	// Stored dates were validated on import; a parse failure here means a damaged row.
	if c.Issued, err = rules.ParseDate(r.Issued); err != nil {
		return RegistryCertificate{}, fmt.Errorf("stored issued date: %w", err)
	}
	if r.ValidUntil != "" {
		if c.ValidUntil, err = rules.ParseDate(r.ValidUntil); err != nil {
			return RegistryCertificate{}, fmt.Errorf("stored validUntil date: %w", err)
		}
	}
	return c, nil
}

// Records implements Source from the imported registry and payment records, in one transaction.
func (s *Service) Records(ctx context.Context, idNumber string, payers []string, from, to rules.Month) (Records, error) {
	var out Records
	codes := make([]string, len(payers))
	for i, p := range payers {
		codes[i] = strings.ToUpper(strings.TrimSpace(p))
	}
	hash := s.pii.Hash(normaliseID(idNumber))
	err := s.run(readtx.Mark(ctx), func(tx Tx) error {
		recs, err := tx.RegistryCertificates(ctx, []string{hash})
		if err != nil {
			return err
		}
		out.Certificates = make([]RegistryCertificate, 0, len(recs))
		for _, r := range recs {
			c, err := s.openCertificate(r)
			if err != nil {
				return err
			}
			out.Certificates = append(out.Certificates, c)
		}
		if len(codes) == 0 || to < from {
			return nil
		}
		for _, kind := range []Kind{Wages, Social, Medical} {
			recs, err := tx.RegistryPayments(ctx, kind, hash, codes, from.String(), to.String())
			if err != nil {
				return err
			}
			for _, r := range recs {
				m, err := rules.ParseMonth(r.Month)
				if err != nil {
					return fmt.Errorf("stored %s month: %w", kind, err)
				}
				switch kind {
				case Wages:
					out.Payments.Wages = append(out.Payments.Wages, rules.Wage{Month: m, Amount: rules.Fen(r.AmountFen)})
				case Social:
					out.Payments.Social = append(out.Payments.Social, m)
				case Medical:
					out.Payments.Medical = append(out.Payments.Medical, m)
				}
			}
		}
		return nil
	})
	if err != nil {
		return Records{}, fmt.Errorf("official records: %w", err)
	}
	return out, nil
}
