package placement

import (
	"context"
	"fmt"
	"quotacert/internal/readtx"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/exchange"
	"quotacert/internal/idnum"
	"quotacert/internal/rules"
)

// registryAction is the audit action of a look-up.
const registryAction = "registry.lookup"

// RegistryPerson is what the registry knows of a person (添加残疾人: the form is filled from it).
// Name and the certificate (kind, category and level, or grade) come from the newest valid
// certificate (names may be corrected on reissue); without one, the name of any certificate and
// no certificate.
type RegistryPerson struct {
	IDNumber        string
	Name            string
	Gender          string
	BirthDate       rules.Date
	CertificateKind rules.CertificateKind // "" without a valid certificate
	Category, Level int                   // 残疾人证
	Grade           int                   // 残疾军人证
	Certificates    []exchange.RegistryCertificate
}

// Registry looks a person up in the disability registry by ID number. The ID number is checked
// first (422 beside the field); every accepted look-up is audited with the masked number, found or
// not (an answer that a person has no certificate is disability data too), and counted against the
// disclosure limit (disclose); an unknown person is "not found".
func (s *Service) Registry(ctx context.Context, a actor.Actor, idNumber string) (RegistryPerson, error) {
	if a.Role != actor.Employer {
		return RegistryPerson{}, apperr.New(apperr.Forbidden, "只有用人单位可以查询残疾人信息")
	}
	id, err := idnum.ParseResidentID(idNumber, idnum.Date(s.today()))
	if err != nil {
		return RegistryPerson{}, apperr.FieldErrors(map[string]string{"idNumber": err.Error()})
	}
	masked := idnum.MaskID(id.Number)
	var refused error
	err = s.run(ctx, func(tx Tx) error {
		var err error
		if refused, err = s.disclose(ctx, tx, a, "registry", Person{IDHash: s.pii.Hash(id.Number), IDMasked: masked}); err != nil || refused != nil {
			return err
		}
		e := audit.For(a, registryAction, "person", masked)
		e.Detail = "person=" + masked
		return tx.AppendAudit(ctx, e)
	})
	if err != nil {
		return RegistryPerson{}, err
	}
	if refused != nil {
		return RegistryPerson{}, refused
	}
	// The registry is read outside the transaction: it may be a remote service.
	found, err := s.source.Certificates(ctx, []string{id.Number})
	if err != nil {
		return RegistryPerson{}, fmt.Errorf("registry look-up: %w", err)
	}
	certs := found[0]
	if len(certs) == 0 {
		return RegistryPerson{}, apperr.New(apperr.NotFound, "残联数据中未查询到该身份证号的残疾人证信息")
	}
	p := RegistryPerson{IDNumber: id.Number, BirthDate: rules.Date(id.Birth), Gender: "男", Certificates: certs}
	if id.Female {
		p.Gender = "女"
	}
	p.Name = certs[0].Name
	newest := -1
	for i, c := range certs {
		if c.Status == rules.CertificateValid && (newest < 0 || !c.Issued.Before(certs[newest].Issued)) {
			newest = i
		}
	}
	if newest >= 0 {
		c := certs[newest]
		p.Name, p.Category, p.Level, p.Grade = c.Name, c.Category, c.Level, c.Grade
		p.CertificateKind = rules.DisabilityCertificate
		if c.Kind.Veteran() {
			p.CertificateKind = rules.VeteranCertificate
		}
	}
	return p, nil
}

// Years lists the business years, newest first, and the one a page should show by default
// (rules.CurrentYear on today's date in China).
func (s *Service) Years(ctx context.Context) ([]rules.BusinessYear, int, error) {
	var years []rules.BusinessYear
	err := s.run(readtx.Mark(ctx), func(tx Tx) error {
		var err error
		years, err = tx.Years(ctx)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return years, rules.CurrentYear(years, s.today()), nil
}
