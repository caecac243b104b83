package declaration

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/attachment"
	"quotacert/internal/audit"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// Documents keeps the issued letters' bytes: the attachments' blob store (attachment.Blobs), so
// they are sealed with the data key and moved by a key rotation like every attachment.
type Documents = attachment.Blobs

// IssuedFile is the attachment row of an issued PDF.
type IssuedFile struct {
	ID          string
	EmployerID  int64
	UploadedBy  int64
	Name        string
	Size        int64
	Blob        string
	ContentType string
	SHA256      string // of the bytes, recorded with the letter
}

// Drawer draws and signs a letter from its snapshot (report, wired by the web layer with the fonts,
// the signing key and the public base URL). Its errors reach the caller unchanged.
type Drawer func(l Letter) ([]byte, error)

// WithDocuments sets where issued PDFs are kept; without it IssuedPDF refuses.
func (s *Service) WithDocuments(d Documents) *Service {
	s.docs = d
	return s
}

// snapshot builds, inside the submitting transaction, what the letter keeps: the employer as its
// profile is now, the names of its district and offices, and the persons counted, in the list's
// order (the confirmed placements with at least one counted month, as placement.Summarize counts).
func snapshot(ctx context.Context, tx Tx, st State, employerID int64, year int) (Letter, error) {
	p := st.Profile
	names, err := tx.SnapshotNames(ctx, p.District, p.FederationOffice, p.TaxOffice)
	if err != nil {
		return Letter{}, err
	}
	certs, err := tx.PlacementCertificates(ctx, employerID, year)
	if err != nil {
		return Letter{}, err
	}
	l := Letter{Year: year, EmployerName: p.Name, CreditCode: p.CreditCode, District: p.District,
		DistrictName: names.District, FederationOffice: p.FederationOffice, OfficeName: names.FederationOffice,
		TaxOffice: p.TaxOffice, TaxOfficeName: names.TaxOffice, Employees: p.EmployeeCount}
	for _, r := range st.Placements {
		months, weight := placement.Count(r.Months)
		if r.Status != placement.Confirmed || months == 0 {
			continue
		}
		c := certs[r.ID]
		if c.Kind == "" {
			c.Kind = rules.DisabilityCertificate
		}
		l.Certified = append(l.Certified, CertifiedPerson{Name: r.Name, IDMasked: r.IDMasked, CertificateKind: c.Kind,
			Category: c.Category, Level: c.Level, Grade: c.Grade, CountedMonths: months, WeightMonths: weight})
		l.Persons++
		l.CountedMonths += months
		l.WeightMonths += weight
	}
	return l, nil
}

// IssuedPDF returns the employer's valid letter of a year with its issued PDF. The PDF is drawn and
// signed once, at the first request, and kept (sealed, as an attachment of the employer): every
// later download is the same bytes, so the SHA-256 the verify page shows stays true. Two first
// downloads at once keep one PDF; the other's copy is removed.
func (s *Service) IssuedPDF(ctx context.Context, a actor.Actor, year int, draw Drawer) (Letter, []byte, error) {
	l, err := s.Letter(ctx, a, year)
	if err != nil {
		return Letter{}, nil, err
	}
	return s.issue(ctx, a, l, draw)
}

func (s *Service) issue(ctx context.Context, a actor.Actor, l Letter, draw Drawer) (Letter, []byte, error) {
	if s.docs == nil {
		return Letter{}, nil, apperr.Wrap(apperr.Internal, "确认书存储未配置", fmt.Errorf("declaration: no document store"))
	}
	if l.PDFFile != "" {
		b, err := s.readIssued(ctx, l)
		return l, b, err
	}
	pdf, err := draw(l)
	if err != nil {
		return Letter{}, nil, err
	}
	stored, err := s.docs.Put(ctx, bytes.NewReader(pdf))
	if err != nil {
		return Letter{}, nil, fmt.Errorf("store issued letter %s: %w", l.Number, err)
	}
	sum := sha256.Sum256(pdf)
	f := IssuedFile{ID: fileID(), EmployerID: a.EmployerID, UploadedBy: a.UserID, Name: l.Number + ".pdf",
		Size: stored.Size, Blob: stored.Name, ContentType: stored.ContentType, SHA256: hex.EncodeToString(sum[:])}
	won := false
	err = s.run(ctx, func(tx Tx) error {
		if won, err = tx.RecordIssuedPDF(ctx, l.ID, f); err != nil || !won {
			return err
		}
		e := audit.For(a, "letter.issue", "letter", l.Number)
		e.Detail = fmt.Sprintf("file=%s sha256=%s size=%d", f.ID, hex.EncodeToString(sum[:]), f.Size)
		return tx.AppendAudit(ctx, e)
	})
	if err != nil || !won {
		s.dropUnused(ctx, stored.Name)
	}
	if err != nil {
		return Letter{}, nil, err
	}
	if !won {
		// A concurrent first download issued it: answer with that one.
		if l, err = s.reload(ctx, l); err != nil {
			return Letter{}, nil, err
		}
		b, err := s.readIssued(ctx, l)
		return l, b, err
	}
	l.PDFFile, l.PDFSHA256 = f.ID, hex.EncodeToString(sum[:])
	return l, pdf, nil
}

func (s *Service) reload(ctx context.Context, l Letter) (Letter, error) {
	var out Letter
	err := s.run(ctx, func(tx Tx) error {
		var err error
		out, err = tx.LetterByCode(ctx, l.VerifyCode)
		return err
	})
	return out, err
}

// readIssued reads an issued PDF and checks it against the hash recorded at issue: a blob store
// that answered other bytes must not hand them out as the letter.
func (s *Service) readIssued(ctx context.Context, l Letter) ([]byte, error) {
	var name string
	err := s.run(ctx, func(tx Tx) error {
		var err error
		name, err = tx.BlobOfFile(ctx, l.PDFFile)
		return err
	})
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, apperr.Wrap(apperr.Internal, "确认书文件缺失，请联系管理员", fmt.Errorf("letter %s: file %s has no row", l.Number, l.PDFFile))
	}
	r, err := s.docs.Open(ctx, name)
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, "确认书文件缺失，请联系管理员", fmt.Errorf("letter %s: open %s: %w", l.Number, name, err))
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read issued letter %s: %w", l.Number, err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != l.PDFSHA256 {
		return nil, apperr.Wrap(apperr.Internal, "确认书文件校验失败，请联系管理员", fmt.Errorf("letter %s: stored PDF does not match its SHA-256", l.Number))
	}
	return b, nil
}

// dropUnused removes bytes no attachment refers to (best effort: a leftover blob is harmless).
func (s *Service) dropUnused(ctx context.Context, name string) {
	_ = s.run(ctx, func(tx Tx) error {
		used, err := tx.BlobInUse(ctx, name)
		if err != nil || used {
			return err
		}
		return s.docs.Remove(ctx, name)
	})
}

// ReviewLetter is the letter of an employer's year as a federation reviewer sees it on the 审核
// page of a reopen request (the valid one, or the latest cancelled one): found is false when the
// year has none. Staff see only letters of their office subtree; others are not found.
func (s *Service) ReviewLetter(ctx context.Context, a actor.Actor, employerID int64, year int) (Letter, bool, error) {
	if !a.IsStaff() || a.Office == "" {
		return Letter{}, false, apperr.New(apperr.Forbidden, "只有残联工作人员可以查看")
	}
	var out Letter
	var found bool
	err := s.run(ctx, func(tx Tx) error {
		l, ok, err := tx.LetterOfYear(ctx, employerID, year)
		if err != nil || !ok {
			return err
		}
		within, err := tx.OfficeWithin(ctx, l.FederationOffice, a.Office)
		if err != nil || !within {
			return err
		}
		out, found = l, true
		return nil
	})
	return out, found, err
}

// fileID is a new attachment id, random and unguessable like attachment's.
func fileID() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}
