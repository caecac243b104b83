package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"quotacert/internal/declaration"
	"quotacert/internal/demo"
)

// issueLetter gives the fixture's employer a submitted year with a letter (rows as 完成申报 writes
// them) and issues its PDF through the declaration service, as the first download does.
func issueLetter(t *testing.T, s *site, f fixture) (pdf []byte, blobName string) {
	t.Helper()
	k, deps := s.open()
	defer k.Close()
	db := k.db.SQL()
	now := time.Now().UTC()
	var decl, letter int64
	if err := db.QueryRow(`INSERT INTO declarations (employer_id, year, status, submitted_at) VALUES ($1, $2, 'submitted', $3)
        ON CONFLICT (employer_id, year) DO UPDATE SET status = 'submitted', submitted_at = $3 RETURNING id`,
		f.emp.EmployerID, demo.DemoYear, now).Scan(&decl); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`INSERT INTO letters (declaration_id, number, verify_code, status, persons, counted_months, weight_months,
        federation_office, issued_at) VALUES ($1, 'JL-TEST-1', 'testcodeabcdefgh', 'valid', 1, 12, 12, '220000', $2) RETURNING id`,
		decl, now).Scan(&letter); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO letter_snapshots (letter_id, employer_name, credit_code, district, district_name,
        federation_office, federation_office_name, tax_office, tax_office_name, employees)
        VALUES ($1, '长春示例科技有限公司', $2, '220102', '吉林省长春市南关区', '220000', '吉林省残疾人联合会', '12201020000', '国家税务总局长春市南关区税务局', 120)`,
		letter, demo.EmployerCode); err != nil {
		t.Fatal(err)
	}
	want := testPDF("年审认证确认书 JL-TEST-1")
	l, got, err := deps.Declarations.IssuedPDF(context.Background(), f.emp, demo.DemoYear,
		func(declaration.Letter) ([]byte, error) { return want, nil })
	if err != nil || !bytes.Equal(got, want) || l.PDFFile == "" || l.PDFSHA256 == "" {
		t.Fatalf("issue: %v %q %+v", err, got, l)
	}
	if err := db.QueryRow(`SELECT f.blob FROM letters l JOIN files f ON f.id = l.pdf_file WHERE l.id = $1`, letter).Scan(&blobName); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(blobNames(t, k), blobName) {
		t.Fatalf("the issued letter's blob %s is not among the attachments' blobs", blobName)
	}
	return want, blobName
}

// TestKeyRotateWithIssuedLetter: an issued letter's PDF is a sealed attachment, so `quotacert key
// rotate` re-seals it with the rest, removes the old copy, and the download afterwards is the same
// bytes (checked against the SHA-256 recorded at issue), not a new drawing.
func TestKeyRotateWithIssuedLetter(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			s := newSite(t, dialect)
			f := fill(t, s)
			pdf, before := issueLetter(t, s, f)
			if code, out := s.run("key", "rotate"); code != 0 || !strings.Contains(out, "the key rotation is complete") {
				t.Fatalf("key rotate: exit %d\n%s", code, out)
			}
			k := f.verify(t, s)
			names := blobNames(t, k)
			if slices.Contains(names, before) {
				t.Errorf("the letter's blob %s was not re-sealed under the new key", before)
			}
			if got := blobsOnDisk(t, s); !slices.Equal(got, names) {
				t.Errorf("blobs on disk %v, want exactly those the rows name %v", got, names)
			}
			_, deps := s.open()
			_, got, err := deps.Declarations.IssuedPDF(context.Background(), f.emp, demo.DemoYear, func(declaration.Letter) ([]byte, error) {
				t.Error("the issued letter was drawn again after the rotation")
				return nil, nil
			})
			if err != nil || !bytes.Equal(got, pdf) {
				t.Fatalf("letter after rotation: %v, same bytes %v", err, bytes.Equal(got, pdf))
			}
		})
	}
}

// TestDemoLetterSigner: the demo makes a self-signed pair in its data directory on first start and
// reuses it afterwards; a production server without a key configured has none (and warns), and a
// configured key that does not load stops the start.
func TestDemoLetterSigner(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	data := t.TempDir()
	first, err := letterSigner(log, serveConfig{demo: true, db: dbFlags{data: data}})
	if err != nil || first == nil {
		t.Fatalf("demo signer: %v", err)
	}
	again, err := letterSigner(log, serveConfig{demo: true, db: dbFlags{data: data}})
	if err != nil || !again.Certificate().Equal(first.Certificate()) {
		t.Fatalf("second start made another pair: %v", err)
	}
	if s, err := letterSigner(log, serveConfig{db: dbFlags{data: t.TempDir()}}); s != nil || err != nil {
		t.Fatalf("production without a key: %v %v", s, err)
	}
	cfg := serveConfig{letters: letterFlags{keyFile: filepath.Join(data, "letter-signing", "letter-signing-key.pem"),
		certFile: filepath.Join(data, "letter-signing", "letter-signing-cert.pem")}}
	if s, err := letterSigner(log, cfg); err != nil || !s.Certificate().Equal(first.Certificate()) {
		t.Fatalf("PEM pair by flags: %v", err)
	}
	cfg.letters.certFile = filepath.Join(data, "missing.pem")
	if _, err := letterSigner(log, cfg); err == nil {
		t.Fatal("a missing certificate file must stop the start")
	}
}

// TestSealReader: an office's seal is <dir>/<office code>.png; an office without one, or a code that
// is not one (a path), has none.
func TestSealReader(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "220102.png"), []byte("png"), 0o600); err != nil {
		t.Fatal(err)
	}
	read := sealReader(dir)
	if b, err := read("220102"); err != nil || string(b) != "png" {
		t.Fatalf("seal of 220102: %q %v", b, err)
	}
	for _, office := range []string{"220103", "../220102", ""} {
		if b, err := read(office); b != nil || err != nil {
			t.Errorf("seal of %q: %q %v", office, b, err)
		}
	}
}
