package report

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// pdfsig runs poppler's signature check and returns its report (it exits non-zero for a
// signature that does not verify, which is what some tests want).
func pdfsig(t *testing.T, pdf []byte) string {
	t.Helper()
	out, _ := exec.Command(tool(t, "pdfsig"), writeTemp(t, "signed.pdf", pdf)).CombinedOutput()
	return string(out)
}

func signedLetter(t *testing.T, s *Signer) []byte {
	t.Helper()
	doc, err := fonts(t).Render(sampleDoc(3), nil)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := s.Sign(doc, SignInfo{Name: "长春市南关区残疾人联合会", Reason: "年审认证确认书 JL2025-000007",
		Location: "吉林省长春市", Time: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(signed, doc) {
		t.Fatal("signing must append to the letter (incremental update), not rewrite it")
	}
	return signed
}

func selfSigned(t *testing.T) *Signer {
	t.Helper()
	cfg, _, err := EnsureSelfSigned(t.TempDir(), "长春市南关区残疾人联合会（测试）", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadSigner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var byteRange = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)

func TestSignedLetterVerifiesAndTamperingShows(t *testing.T) {
	s := selfSigned(t)
	signed := signedLetter(t, s)
	report := pdfsig(t, signed)
	for _, want := range []string{"Signature is Valid.", "Total document signed", "Signing Hash Algorithm: SHA-256",
		"长春市南关区残疾人联合会（测试）"} {
		if !strings.Contains(report, want) {
			t.Errorf("pdfsig lacks %q:\n%s", want, report)
		}
	}
	// The metadata survive the signature's incremental update.
	info := pdfInfo(t, signed)
	if !strings.Contains(info, "Title:           残疾人按比例就业年审认证确认书 JL2025-000007") ||
		!strings.Contains(info, "Author:          长春市南关区残疾人联合会") || !strings.Contains(info, "Metadata Stream: yes") {
		t.Errorf("metadata lost in signing:\n%s", info)
	}
	if text := squash(pdfText(t, signed)); !strings.Contains(text, "3王𠀾220102********1234") {
		t.Errorf("the signed letter's text changed:\n%s", text)
	}

	// One byte changed inside the signed range (the producer in the XMP metadata, an edit that keeps
	// the file readable) must fail the check.
	m := byteRange.FindSubmatch(signed)
	if m == nil {
		t.Fatal("no /ByteRange")
	}
	firstLen, _ := strconv.Atoi(string(m[2]))
	at := bytes.Index(signed, []byte("<pdf:Producer>quotacert")) + len("<pdf:Producer>")
	if at <= len("<pdf:Producer>") || at >= firstLen {
		t.Fatalf("the byte to change (%d) is not in the signed range [0, %d)", at, firstLen)
	}
	tampered := bytes.Clone(signed)
	tampered[at] ^= 0x20 // quotacert → Quotacert
	report = pdfsig(t, tampered)
	if strings.Contains(report, "Signature is Valid.") || !strings.Contains(report, "Digest Mismatch") {
		t.Errorf("a tampered letter still verifies:\n%s", report)
	}
	if DocumentSHA256(tampered) == DocumentSHA256(signed) {
		t.Error("the SHA-256 does not see the change")
	}
}

func TestDocumentSHA256(t *testing.T) {
	if got := DocumentSHA256([]byte("abc")); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("DocumentSHA256(abc) = %s", got)
	}
}

func TestEnsureSelfSigned(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	cfg, created, err := EnsureSelfSigned(dir, "演示残联", now)
	if err != nil || !created {
		t.Fatalf("first start: created=%v err=%v", created, err)
	}
	for _, p := range []string{cfg.KeyFile, cfg.CertFile} {
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, err %v; want 0600", p, st.Mode().Perm(), err)
		}
	}
	key, _ := os.ReadFile(cfg.KeyFile)
	again, created, err := EnsureSelfSigned(dir, "演示残联", now.Add(time.Hour))
	if err != nil || created || again != cfg {
		t.Fatalf("second start: created=%v err=%v", created, err)
	}
	if key2, _ := os.ReadFile(cfg.KeyFile); !bytes.Equal(key, key2) {
		t.Fatal("the second start replaced the key")
	}
	s, err := LoadSigner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Certificate()
	if c.Subject.CommonName != "演示残联" || !c.NotAfter.Equal(now.AddDate(10, 0, 0)) || !strings.Contains(s.Describe(), "self-signed") {
		t.Errorf("certificate %v until %v: %s", c.Subject, c.NotAfter, s.Describe())
	}
	if err := os.Remove(cfg.CertFile); err != nil {
		t.Fatal(err)
	}
	if _, _, err := EnsureSelfSigned(dir, "演示残联", now); !errors.Is(err, ErrSignerConfig) {
		t.Fatalf("half a pair must not be overwritten: %v", err)
	}
}

// rsaPair makes an RSA 2048 key and a self-signed certificate for the PEM and PKCS#12 tests.
func rsaPair(t *testing.T) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "RSA 测试签章"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

func TestLoadSignerPKCS12(t *testing.T) {
	key, cert := rsaPair(t)
	p12, err := pkcs12.Modern2023.Encode(key, cert, nil, "口令 secret")
	if err != nil {
		t.Fatal(err)
	}
	file := writeTemp(t, "federation.p12", p12)
	pwFile := writeTemp(t, "password", []byte("口令 secret\n"))

	s, err := LoadSigner(SignerConfig{PKCS12File: file, PasswordFile: pwFile})
	if err != nil {
		t.Fatalf("password from a file: %v", err)
	}
	if s.Certificate().Subject.CommonName != "RSA 测试签章" {
		t.Fatalf("certificate %v", s.Certificate().Subject)
	}
	if _, err := LoadSigner(SignerConfig{PKCS12File: file, Password: "口令 secret"}); err != nil {
		t.Fatalf("password given directly (environment): %v", err)
	}
	if _, err := LoadSigner(SignerConfig{PKCS12File: file, Password: "wrong"}); !errors.Is(err, ErrSignerConfig) {
		t.Fatalf("wrong password: %v", err)
	}
	// RSA signatures verify as ECDSA ones do.
	if report := pdfsig(t, signedLetter(t, s)); !strings.Contains(report, "Signature is Valid.") {
		t.Errorf("RSA-signed letter:\n%s", report)
	}
}

func TestLoadSignerPEM(t *testing.T) {
	key, cert := rsaPair(t)
	certFile := writeTemp(t, "cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	keyFile := writeTemp(t, "key.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	if _, err := LoadSigner(SignerConfig{KeyFile: keyFile, CertFile: certFile}); err != nil {
		t.Fatalf("PKCS#1 key: %v", err)
	}
	other, _ := rsaPair(t)
	otherFile := writeTemp(t, "other.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)}))
	for name, c := range map[string]SignerConfig{
		"key of another certificate": {KeyFile: otherFile, CertFile: certFile},
		"certificate as key":         {KeyFile: certFile, CertFile: certFile},
		"nothing configured":         {},
		"both kinds":                 {PKCS12File: "x.p12", KeyFile: keyFile, CertFile: certFile},
		"missing file":               {KeyFile: "/nonexistent/key.pem", CertFile: certFile},
	} {
		if _, err := LoadSigner(c); !errors.Is(err, ErrSignerConfig) {
			t.Errorf("%s: %v, want ErrSignerConfig", name, err)
		}
	}
}
