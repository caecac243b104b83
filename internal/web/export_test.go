package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCSVSafe: text that a spreadsheet would run as a formula is written as text.
func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+86": "'+86", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\t=1": "'\t=1", "\r=1": "'\r=1", "长春": "长春", "": "", "a=b": "a=b"} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEveryExportDefusesFormulas: every file of this package that writes CSV or XLSX cells passes
// text through csvSafe, so an export added later cannot forget it.
func TestEveryExportDefusesFormulas(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		if strings.Contains(src, "csv.NewWriter") || strings.Contains(src, "SetSheetRow") || strings.Contains(src, "SetCellValue") ||
			strings.Contains(src, "SetCellStr") || strings.Contains(src, "NewStreamWriter") || strings.Contains(src, ":= newXLSXStream(") {
			n++
			if !strings.Contains(src, "csvSafe(") {
				t.Errorf("%s writes spreadsheet cells without csvSafe", f)
			}
		}
	}
	if n < 3 {
		t.Fatalf("found %d exports; the results CSV, the results XLSX and the import errors are three", n)
	}
}
