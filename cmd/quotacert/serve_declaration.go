package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"quotacert/internal/apiclient"
	"quotacert/internal/blob"
	"quotacert/internal/declaration"
	"quotacert/internal/idnum"
	"quotacert/internal/report"
	"quotacert/internal/review"
	"quotacert/internal/store"
	"quotacert/internal/web"
)

// letterFlags say where the federation's signing key and certificate are (a PKCS#12 file with its
// password, or a PEM key and certificate) and where the offices' seal images are.
type letterFlags struct {
	p12, p12PasswordFile, p12Password string
	keyFile, certFile                 string
	seals                             string
}

func (f *letterFlags) register(fs *flag.FlagSet, getenv env) {
	fs.StringVar(&f.p12, "letter-p12", getenv("QUOTACERT_LETTER_P12"), "PKCS#12 file with the federation's key and certificate that sign the letters (QUOTACERT_LETTER_P12)")
	fs.StringVar(&f.p12PasswordFile, "letter-p12-password-file", getenv("QUOTACERT_LETTER_P12_PASSWORD_FILE"), "file whose first line is the PKCS#12 password; else QUOTACERT_LETTER_P12_PASSWORD (QUOTACERT_LETTER_P12_PASSWORD_FILE)")
	f.p12Password = getenv("QUOTACERT_LETTER_P12_PASSWORD")
	fs.StringVar(&f.keyFile, "letter-key", getenv("QUOTACERT_LETTER_KEY"), "PEM private key that signs the letters, with --letter-cert (QUOTACERT_LETTER_KEY)")
	fs.StringVar(&f.certFile, "letter-cert", getenv("QUOTACERT_LETTER_CERT"), "PEM certificate (then its issuers) of --letter-key (QUOTACERT_LETTER_CERT)")
	fs.StringVar(&f.seals, "letter-seals", getenv("QUOTACERT_LETTER_SEALS"), "directory of the offices' seal images, <office code>.png; an office without one gets the 盖章处 box (QUOTACERT_LETTER_SEALS)")
}

// configured reports whether a signing key was named.
func (f letterFlags) configured() bool { return f.p12 != "" || f.keyFile != "" || f.certFile != "" }

// wireDeclaration adds the reviewer workspace, the declaration, the letters and the tax export
// (issue #8). The letter fonts, the signing key and the base URL are checked here, at start, with a
// log line for each: what is missing is reported now rather than to an employer later. The server
// still starts without them (everything else works); letter downloads then answer 503 with the
// reason in Chinese.
func wireDeclaration(log *slog.Logger, db *store.DB, cfg serveConfig, p declaration.Protector, blobs blob.Store, deps *web.Deps) error {
	// The review item page shows the person's grid through the placement service (deps.Placements).
	deps.Reviews = review.NewService(store.ReviewRunner(db), deps.Placements, time.Now)
	// The registry is read through the data exchange (exchange.Source), like the placements' checks.
	// Issued letters are kept in the attachments' sealed blob store.
	deps.Declarations = declaration.NewService(store.DeclarationRunner(db), deps.Exchange, p, time.Now).
		WithDocuments(blob.Attachments(blobs))
	// The tax bureau's programs read the results with bearer tokens (issue 15).
	deps.APIClients = apiclient.NewService(store.APIClientRunner(db))
	deps.PublicURL = cfg.baseURL
	if base := strings.TrimSpace(cfg.baseURL); base == "" {
		log.Warn("NO --base-url: certification letters cannot be downloaded until the public base URL is set (--base-url / QUOTACERT_BASE_URL); their QR code and verify URL come from it, never from a request's Host header")
	}
	signer, err := letterSigner(log, cfg)
	if err != nil {
		return err
	}
	if signer != nil {
		deps.LetterSigner = signer
		log.Info("certification letter signing certificate", "certificate", signer.Describe())
	} else {
		log.Warn("NO LETTER SIGNING KEY: certification letters cannot be downloaded until --letter-p12 or --letter-key/--letter-cert is set (docs/OPERATIONS.md)")
	}
	if cfg.letters.seals != "" {
		deps.LetterSeal = sealReader(cfg.letters.seals)
	}
	fonts, err := report.LoadFonts(cfg.fonts)
	if err != nil {
		log.Error("CERTIFICATION LETTER FONTS MISSING: letters cannot be generated; run scripts/setup.sh or set --fonts/QUOTACERT_FONTS",
			"err", err)
		return nil
	}
	for _, name := range []string{"刘喆", "杨堃", "王𠀾"} {
		if m := fonts.Missing(name); len(m) > 0 {
			log.Warn("letter fonts lack characters of names; add a fallback font to --fonts (fonts-hanazono covers CJK Extensions A and B)", "missing", string(m))
		}
	}
	log.Info("certification letter fonts", "fonts", fonts.Describe())
	deps.Letters = fonts
	return nil
}

// letterSigner loads the configured signing key. With none configured the demo makes (once) and
// uses a self-signed pair in its data directory, like its data key; a production server has none
// and says so.
func letterSigner(log *slog.Logger, cfg serveConfig) (*report.Signer, error) {
	f := cfg.letters
	if f.configured() {
		s, err := report.LoadSigner(report.SignerConfig{PKCS12File: f.p12, PasswordFile: f.p12PasswordFile,
			Password: f.p12Password, KeyFile: f.keyFile, CertFile: f.certFile})
		if err != nil {
			return nil, fmt.Errorf("letter signing key: %w", err)
		}
		return s, nil
	}
	if !cfg.demo {
		return nil, nil
	}
	dir := filepath.Join(cfg.db.data, "letter-signing")
	sc, created, err := report.EnsureSelfSigned(dir, "quotacert 演示 吉林省残疾人联合会", time.Now())
	if err != nil {
		return nil, fmt.Errorf("demo letter signing key: %w", err)
	}
	if created {
		log.Warn("DEMO: created a self-signed letter signing key and certificate; production servers use the federation's (--letter-p12 or --letter-key/--letter-cert)", "dir", dir)
	}
	return report.LoadSigner(sc)
}

// sealReader reads <dir>/<office>.png; an office without a file has no seal image.
func sealReader(dir string) func(office string) ([]byte, error) {
	return func(office string) ([]byte, error) {
		// A seal file is named by an office code, digits only: nothing else may reach the path.
		if !idnum.AllDigits(office) || len(office) > 12 {
			return nil, nil
		}
		b, err := os.ReadFile(filepath.Join(dir, office+".png"))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return b, err
	}
}
