package exchange

import (
	"context"
	"fmt"
	"strings"

	"quotacert/internal/apperr"
	"quotacert/internal/rules"
)

// Source is how the monthly checks read official records. The database implementation (Service)
// serves what was imported; a live adapter to a provincial data-sharing service can implement the
// same two methods later without touching the rules or their callers.
type Source interface {
	// Certificates returns the registry certificates of the person with the resident ID number
	// idNumber (any case of the check character), none when the registry does not know the person.
	Certificates(ctx context.Context, idNumber string) ([]RegistryCertificate, error)
	// Payments returns the person's wage records and pension and medical payment months in
	// [from, to] from the payers with the given credit codes (the employer and its affiliates in
	// force). Records from other payers never appear.
	Payments(ctx context.Context, idNumber string, payers []string, from, to rules.Month) (Payments, error)
}

// RegistryCertificate is a certificate from the registry, opened for an authorised reader.
type RegistryCertificate struct {
	Number     string // full number: show masked unless the person's full record is opened
	IDNumber   string
	Name       string
	Gender     string
	Category   int
	Level      int
	Issued     rules.Date
	ValidUntil rules.Date // zero: no expiry
	Status     string     // 有效 or 注销
}

// Rule converts the certificate for the verification engine.
func (c RegistryCertificate) Rule() rules.Certificate {
	return rules.Certificate{Number: c.Number, Level: c.Level, Issued: c.Issued, ValidUntil: c.ValidUntil, Active: c.Status == "有效"}
}

// Payments are a person's records from a set of payers. A month may carry several wage records
// (several payers): the engine sums them.
type Payments struct {
	Wages   []rules.Wage
	Social  []rules.Month
	Medical []rules.Month
}

var _ Source = (*Service)(nil)

// normaliseID prepares an ID number for hashing the way the import stored it.
func normaliseID(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// Certificates implements Source from the imported registry.
func (s *Service) Certificates(ctx context.Context, idNumber string) ([]RegistryCertificate, error) {
	var out []RegistryCertificate
	err := s.run(ctx, func(tx Tx) error {
		recs, err := tx.RegistryCertificates(ctx, s.pii.Hash(normaliseID(idNumber)))
		if err != nil {
			return err
		}
		out = make([]RegistryCertificate, 0, len(recs))
		for _, r := range recs {
			c, err := s.openCertificate(r)
			if err != nil {
				return err
			}
			out = append(out, c)
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
	c := RegistryCertificate{Number: num, IDNumber: id, Name: r.Name, Gender: r.Gender, Category: r.Category,
		Level: r.Level, Status: r.Status}
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

// Payments implements Source from the imported wage, pension and medical records.
func (s *Service) Payments(ctx context.Context, idNumber string, payers []string, from, to rules.Month) (Payments, error) {
	var out Payments
	if len(payers) == 0 || to < from {
		return out, nil
	}
	codes := make([]string, len(payers))
	for i, p := range payers {
		codes[i] = strings.ToUpper(strings.TrimSpace(p))
	}
	hash := s.pii.Hash(normaliseID(idNumber))
	err := s.run(ctx, func(tx Tx) error {
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
					out.Wages = append(out.Wages, rules.Wage{Month: m, Amount: rules.Fen(r.AmountFen)})
				case Social:
					out.Social = append(out.Social, m)
				case Medical:
					out.Medical = append(out.Medical, m)
				}
			}
		}
		return nil
	})
	if err != nil {
		return Payments{}, fmt.Errorf("registry payments: %w", err)
	}
	return out, nil
}
