package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/declaration"
	"quotacert/internal/idnum"
	"quotacert/internal/report"
)

// LetterRenderer draws the certification letter (report.Fonts).
type LetterRenderer interface {
	Render(d *report.LetterDoc, log *slog.Logger) ([]byte, error)
}

// LetterSigner signs a drawn letter (report.Signer).
type LetterSigner interface {
	Sign(doc []byte, info report.SignInfo) ([]byte, error)
}

// The refusals of a letter download, in Chinese; each names what the administrator must set up.
const (
	msgNoBaseURL = "系统未配置对外访问地址（启动参数 --base-url），确认书上的核验网址和二维码无法生成，暂不能下载确认书，请联系管理员"
	msgNoFonts   = "确认书字体未安装，请联系管理员"
	msgNoSigner  = "确认书签名证书未配置，请联系管理员"
)

// lettersReady reports why letters cannot be issued now (nil when they can): no public base URL,
// no font, no signing key (/readyz reports the fonts; serve warns at start of the other two).
func (s *Server) lettersReady() error {
	switch {
	case s.publicBase() == "":
		return apperr.New(apperr.Unavailable, msgNoBaseURL)
	case s.deps.Letters == nil:
		return apperr.Wrap(apperr.Unavailable, msgNoFonts, report.ErrNoFonts)
	case s.deps.LetterSigner == nil:
		return apperr.New(apperr.Unavailable, msgNoSigner)
	}
	return nil
}

// publicBase is the configured public base URL without a trailing slash ("" when none, or when it
// is not an absolute http(s) URL).
func (s *Server) publicBase() string {
	base := strings.TrimSuffix(strings.TrimSpace(s.deps.PublicURL), "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return base
}

// verifyURL is the public verification address printed on the letter and in its QR code: from
// --base-url alone, never from the request.
func (s *Server) verifyURL(code string) string { return s.publicBase() + "/verify/" + code }

// drawLetter draws and signs a letter from its snapshot; the declaration service calls it once per
// letter (the first download) and keeps the result.
func (s *Server) drawLetter(l declaration.Letter) ([]byte, error) {
	if err := s.lettersReady(); err != nil {
		return nil, err
	}
	doc := letterDoc(l, s.verifyURL(l.VerifyCode))
	if s.deps.LetterSeal != nil {
		seal, err := s.deps.LetterSeal(l.FederationOffice)
		if err != nil {
			return nil, apperr.Wrap(apperr.Unavailable, "确认书印章图片无法读取，请联系管理员", err)
		}
		doc.Seal = seal
	}
	pdf, err := s.deps.Letters.Render(doc, s.deps.Log)
	switch {
	case errors.Is(err, report.ErrNoFonts):
		return nil, apperr.Wrap(apperr.Unavailable, msgNoFonts, err)
	case errors.Is(err, report.ErrInvalidLetter):
		return nil, apperr.Wrap(apperr.Internal, "确认书数据不完整，暂不能生成，请联系管理员", err)
	case err != nil:
		return nil, apperr.Wrap(apperr.Internal, "生成确认书失败", err)
	}
	signed, err := s.deps.LetterSigner.Sign(pdf, report.SignInfo{Name: l.OfficeName,
		Reason: "年审认证确认书 " + l.Number, Location: l.DistrictName, Time: s.deps.Now()})
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, "确认书签名失败，请联系管理员", err)
	}
	return signed, nil
}

// letterDoc is the letter as the renderer draws it, from the snapshot alone.
func letterDoc(l declaration.Letter, verifyURL string) *report.LetterDoc {
	d := &report.LetterDoc{Number: l.Number, VerifyCode: l.VerifyCode, VerifyURL: verifyURL,
		EmployerName: l.EmployerName, CreditCode: l.CreditCode, District: l.DistrictName,
		FederationOffice: l.OfficeName, TaxOffice: l.TaxOfficeName, Year: l.Year, Employees: l.Employees,
		Totals:        report.LetterTotals{Persons: l.Persons, CountedMonths: l.CountedMonths, WeightMonths: l.WeightMonths},
		IssuingOffice: l.OfficeName, Issued: l.IssuedAt, Cancelled: l.Status == declaration.LetterCancelled}
	for _, p := range l.Certified {
		d.Persons = append(d.Persons, report.LetterPerson{Name: p.Name, MaskedID: p.IDMasked,
			Certificate: report.LetterCertificate{Kind: p.CertificateKind, Category: idnum.Category(p.Category),
				Level: p.Level, Grade: p.Grade},
			CountedMonths: p.CountedMonths, WeightMonths: p.WeightMonths})
	}
	return d
}

// writeLetter answers with the issued PDF of the employer's year.
func (s *Server) writeLetter(w http.ResponseWriter, r *http.Request, a actor.Actor, year int) {
	l, pdf, err := s.deps.Declarations.IssuedPDF(r.Context(), a, year, s.drawLetter)
	if err != nil {
		if apperr.CodeOf(err) == apperr.Unavailable {
			s.deps.Log.Warn("certification letter refused", "reason", apperr.As(err).Message, "err", err)
		}
		s.renderError(w, r, err)
		return
	}
	name := l.Number + ".pdf"
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(pdf)
}

// handleLetterPDF: GET /declaration/{year}/letter.pdf, the page's download link: the same letter,
// with a refusal shown as a Chinese page rather than JSON in the browser.
func (s *Server) handleLetterPDF(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.writeLetter(w, r, a, year)
}

// issueAfterSubmit draws the letter right after 完成申报, so that the verify page shows its hash from
// the start. A failure is only logged: the download tries again and says why.
func (s *Server) issueAfterSubmit(ctx context.Context, a actor.Actor, year int) {
	if s.lettersReady() != nil {
		return // the download explains it; serve warned at start
	}
	if _, _, err := s.deps.Declarations.IssuedPDF(ctx, a, year, s.drawLetter); err != nil {
		s.deps.Log.Warn("letter not issued at submission; the download will try again", "year", year, "err", err)
	}
}

// letterView is a letter's snapshot as the staff pages show it.
type letterView struct {
	declaration.Letter
}

// Rows are the certified persons as the letter's table prints them.
func (v letterView) Rows() []letterRow {
	out := make([]letterRow, len(v.Certified))
	for i, p := range v.Certified {
		out[i] = letterRow{No: i + 1, Name: p.Name, IDMasked: p.IDMasked,
			Certificate:   certificateLabel(p.CertificateKind, p.Category, p.Level, p.Grade),
			CountedMonths: p.CountedMonths, Weight: p.WeightMonths.String()}
	}
	return out
}

// Cancelled reports whether the letter was cancelled (年审认证反馈 approved).
func (v letterView) Cancelled() bool { return v.Status == declaration.LetterCancelled }

type letterRow struct {
	No                  int
	Name, IDMasked      string
	Certificate, Weight string
	CountedMonths       int
}
