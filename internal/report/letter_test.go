package report

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"quotacert/internal/store/storetest"
)

func fonts(t *testing.T) *Fonts {
	t.Helper()
	fs, err := LoadFonts(DefaultFontPaths)
	if err != nil {
		if storetest.Required() {
			t.Fatalf("letter fonts missing (scripts/setup.sh installs them): %v", err)
		}
		t.Skipf("letter fonts not installed: %v", err)
	}
	return fs
}

// pdfText extracts a PDF's text with pdftotext (poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if storetest.Required() {
			t.Fatal("pdftotext (poppler-utils) is required here")
		}
		t.Skip("pdftotext not installed")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "l.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	return string(out)
}

func TestRunsPickTheFirstFontWithTheGlyph(t *testing.T) {
	fs := fonts(t)
	cases := []struct {
		in   string
		want []run
	}{
		{"刘喆", []run{{0, "刘"}, {1, "喆"}}},
		{"JL2025-000123", []run{{0, "JL2025-000123"}}},
		{"杨堃 2.58", []run{{0, "杨"}, {1, "堃 "}, {0, "2.58"}}},
	}
	for _, c := range cases {
		got := fs.runs(c.in)
		if len(got) != len(c.want) {
			t.Fatalf("%q: %+v", c.in, got)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("%q: %+v, want %+v", c.in, got, c.want)
			}
		}
	}
	if m := fs.Missing("刘喆杨堃年审0123"); len(m) != 0 {
		t.Fatalf("missing glyphs: %q", string(m))
	}
}

func TestLetterText(t *testing.T) {
	fs := fonts(t)
	d := LetterData{EmployerName: "长春市喆堃示例科技有限公司", CreditCode: "91220101MA14U8XK2R", Year: 2025, Persons: 3,
		CountedMonths: 31, EquivalentPersons: "2.58", Number: "JL2025-000007", IssueDate: "2026-04-01",
		Office: "长春市南关区残疾人联合会", VerifyCode: "abcdefghijklmnop", VerifyURL: "https://example.test/verify/abcdefghijklmnop"}
	pdf, err := fs.Letter(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	text := strings.Join(strings.Fields(pdfText(t, pdf)), "")
	for _, want := range []string{"长春市喆堃示例科技有限公司", "91220101MA14U8XK2R", "2025", "3人", "31个月", "2.58人",
		"JL2025-000007", "2026-04-01", "长春市南关区残疾人联合会", "abcdefghijklmnop", "年审认证确认书"} {
		if !strings.Contains(text, want) {
			t.Errorf("letter text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "作废") {
		t.Error("a valid letter says cancelled")
	}
}
