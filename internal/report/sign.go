package report

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// The letter is signed with the federation's key: a CMS signature embedded in the PDF by an
// incremental update (github.com/digitorus/pdfsign), covering the whole file but the signature
// itself, with the ESS signing-certificate-v2 attribute that PAdES requires of the CMS. It is a
// certification signature that permits no later change (DocMDP P=1): any edit of the issued
// letter, even by a PDF editor that appends, shows as a modification. pdfsign writes the SubFilter
// adbe.pkcs7.detached (readers and poppler's pdfsig verify it); the PAdES baseline profiles name
// ETSI.CAdES.detached, which pdfsign cannot write, and a time-stamp (PAdES B-T) needs a TSA, which
// is configurable in pdfsign but not reachable from this network.

// SignerConfig says where the signing key and certificate are: a PKCS#12 file with its password
// (from a file, or given directly, e.g. from the environment), or a PEM key and certificate pair.
type SignerConfig struct {
	PKCS12File   string
	PasswordFile string // the PKCS#12 password is the file's first line
	Password     string // used when PasswordFile is empty
	KeyFile      string // PEM: PKCS#8, SEC 1 (EC) or PKCS#1 (RSA) private key, unencrypted
	CertFile     string // PEM: the certificate, then any issuers
}

// ErrSignerConfig means the signing key or certificate could not be loaded.
var ErrSignerConfig = errors.New("certification letter signer")

// Signer signs issued letters.
type Signer struct {
	key   crypto.Signer
	chain []*x509.Certificate // the signing certificate first, then its issuers
}

// LoadSigner loads the key and certificate named by c.
func LoadSigner(c SignerConfig) (*Signer, error) {
	var (
		key   any
		chain []*x509.Certificate
	)
	switch {
	case c.PKCS12File != "" && (c.KeyFile != "" || c.CertFile != ""):
		return nil, fmt.Errorf("%w: give either a PKCS#12 file or a PEM key and certificate, not both", ErrSignerConfig)
	case c.PKCS12File != "":
		data, err := os.ReadFile(c.PKCS12File)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrSignerConfig, err)
		}
		password := c.Password
		if c.PasswordFile != "" {
			b, err := os.ReadFile(c.PasswordFile)
			if err != nil {
				return nil, fmt.Errorf("%w: password file: %v", ErrSignerConfig, err)
			}
			password, _, _ = strings.Cut(string(b), "\n")
			password = strings.TrimSuffix(password, "\r")
		}
		k, cert, cas, err := pkcs12.DecodeChain(data, password)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrSignerConfig, c.PKCS12File, err)
		}
		key, chain = k, append([]*x509.Certificate{cert}, cas...)
	case c.KeyFile != "" && c.CertFile != "":
		var err error
		if key, err = readPEMKey(c.KeyFile); err != nil {
			return nil, err
		}
		if chain, err = readPEMCerts(c.CertFile); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: no PKCS#12 file and no PEM key and certificate configured", ErrSignerConfig)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: unsupported private key %T", ErrSignerConfig, key)
	}
	switch k := signer.Public().(type) {
	case *ecdsa.PublicKey, *rsa.PublicKey:
		if !k.(interface{ Equal(crypto.PublicKey) bool }).Equal(chain[0].PublicKey) {
			return nil, fmt.Errorf("%w: the private key does not belong to the certificate %s", ErrSignerConfig, chain[0].Subject)
		}
	default:
		return nil, fmt.Errorf("%w: only ECDSA and RSA keys can sign letters, not %T", ErrSignerConfig, k)
	}
	return &Signer{key: signer, chain: chain}, nil
}

func readPEMKey(path string) (any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSignerConfig, err)
	}
	for {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			return nil, fmt.Errorf("%w: %s holds no PEM private key", ErrSignerConfig, path)
		}
		var k any
		switch b.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(b.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, fmt.Errorf("%w: %s is encrypted: use a PKCS#12 file with a password instead", ErrSignerConfig, path)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrSignerConfig, path, err)
		}
		return k, nil
	}
}

func readPEMCerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSignerConfig, err)
	}
	var chain []*x509.Certificate
	for {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrSignerConfig, path, err)
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("%w: %s holds no PEM certificate", ErrSignerConfig, path)
	}
	return chain, nil
}

// Certificate is the signing certificate.
func (s *Signer) Certificate() *x509.Certificate { return s.chain[0] }

// Describe names the certificate for the start-up log line.
func (s *Signer) Describe() string {
	c := s.chain[0]
	sum := sha256.Sum256(c.Raw)
	self := ""
	if bytes.Equal(c.RawIssuer, c.RawSubject) {
		self = ", self-signed"
	}
	return fmt.Sprintf("%s (SHA-256 %s, valid %s to %s%s)", c.Subject, hex.EncodeToString(sum[:]),
		c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly), self)
}

// SignInfo is what the signature dictionary says about the signing.
type SignInfo struct {
	Name     string // the signer, e.g. the issuing office
	Reason   string
	Location string
	Time     time.Time // the signing time recorded in the signature
}

// Sign returns the PDF with the signature appended. The document information (title, author,
// subject) and XMP metadata of the PDF are kept: the update adds the signature field only.
func (s *Signer) Sign(doc []byte, info SignInfo) ([]byte, error) {
	r, err := pdf.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		return nil, fmt.Errorf("sign letter: read PDF: %w", err)
	}
	var out bytes.Buffer
	err = sign.Sign(bytes.NewReader(doc), &out, r, int64(len(doc)), sign.SignData{
		Signature: sign.SignDataSignature{
			Info: sign.SignDataSignatureInfo{Name: info.Name, Reason: info.Reason, Location: info.Location,
				Date: info.Time},
			CertType:   sign.CertificationSignature,
			DocMDPPerm: sign.DoNotAllowAnyChangesPerms,
		},
		Signer:            s.key,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       s.chain[0],
		CertificateChains: [][]*x509.Certificate{s.chain},
	})
	if err != nil {
		return nil, fmt.Errorf("sign letter: %w", err)
	}
	return out.Bytes(), nil
}

// DocumentSHA256 is the SHA-256 of an issued PDF in lower-case hex, as the verify page shows it:
// anyone holding the file can compare it.
func DocumentSHA256(doc []byte) string {
	sum := sha256.Sum256(doc)
	return hex.EncodeToString(sum[:])
}

// The file names of the self-signed pair in its directory.
const (
	SelfSignedKeyFile  = "letter-signing-key.pem"
	SelfSignedCertFile = "letter-signing-cert.pem"
)

// oidDocumentSigning is id-kp-documentSigning (RFC 9336), which says what the key is for; NSS, the
// library behind poppler's pdfsig, checks a signer's certificate for emailProtection, so both are
// listed.
var oidDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}

// EnsureSelfSigned returns the PEM pair in dir, creating an ECDSA P-256 key and a self-signed
// certificate for commonName, valid ten years from now, when neither file exists (the demo's first
// start, like its data key). The files are written with mode 0600, the directory with 0700; a
// directory holding only one of the two is an error rather than something to overwrite.
func EnsureSelfSigned(dir, commonName string, now time.Time) (cfg SignerConfig, created bool, err error) {
	cfg = SignerConfig{KeyFile: filepath.Join(dir, SelfSignedKeyFile), CertFile: filepath.Join(dir, SelfSignedCertFile)}
	_, kerr := os.Stat(cfg.KeyFile)
	_, cerr := os.Stat(cfg.CertFile)
	switch {
	case kerr == nil && cerr == nil:
		return cfg, false, nil
	case kerr == nil || cerr == nil:
		return cfg, false, fmt.Errorf("%w: %s holds only one of %s and %s: restore the other or remove both",
			ErrSignerConfig, dir, SelfSignedKeyFile, SelfSignedCertFile)
	case !errors.Is(kerr, os.ErrNotExist):
		return cfg, false, fmt.Errorf("%w: %v", ErrSignerConfig, kerr)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return cfg, false, fmt.Errorf("%w: %v", ErrSignerConfig, err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return cfg, false, fmt.Errorf("%w: generate key: %v", ErrSignerConfig, err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return cfg, false, fmt.Errorf("%w: serial: %v", ErrSignerConfig, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"quotacert"}, Country: []string{"CN"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{oidDocumentSigning},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return cfg, false, fmt.Errorf("%w: certificate: %v", ErrSignerConfig, err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return cfg, false, fmt.Errorf("%w: %v", ErrSignerConfig, err)
	}
	if err := writeNew(cfg.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})); err != nil {
		return cfg, false, err
	}
	if err := writeNew(cfg.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})); err != nil {
		os.Remove(cfg.KeyFile)
		return cfg, false, err
	}
	return cfg, true, nil
}

// writeNew creates path with mode 0600, failing if it exists (two servers starting at once must
// not each write half a pair).
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSignerConfig, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("%w: write %s: %v", ErrSignerConfig, path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("%w: write %s: %v", ErrSignerConfig, path, err)
	}
	return nil
}
