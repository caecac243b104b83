package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCommand runs `quotacert import` as CONTRACT.md specifies it: flags after the
// positional arguments, `imported N rows` on success, `row N: field: reason` and exit 2 on a bad
// file, and a re-import of the same file leaving the same row count.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "QUOTACERT_KEY" {
			return strings.Repeat("07", 32)
		}
		return ""
	}
	runCmd := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, getenv, strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	demo := filepath.Join("..", "..", "internal", "demo", "data")
	for _, kind := range []string{"certificates", "wages", "social", "medical"} {
		for i := 0; i < 2; i++ {
			code, out, errs := runCmd("import", kind, filepath.Join(demo, kind+".csv"), "--data", dir)
			if code != 0 || !strings.HasPrefix(out, "imported ") || errs != "" {
				t.Fatalf("%s: exit %d, stdout %q, stderr %q", kind, code, out, errs)
			}
		}
	}
	code, out, _ := runCmd("import", "--data", dir, "wages", filepath.Join(demo, "wages.csv"))
	if code != 0 || out != "imported 215 rows\n" {
		t.Fatalf("flags first: exit %d, %q", code, out)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("idNumber,creditCode,month,amount\n530102192005080119,91220101MA14U8XK2R,2025-01,1\n"+
		"22010219880712035X,91220101MA14U8XK2R,2025-1,1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd("import", "wages", bad, "--data", dir)
	want := "row 2: idNumber: 身份证号校验位错误\nrow 3: month: 月份格式应为YYYY-MM\nrejected: 2 errors in bad.csv, nothing imported\n"
	if code != 2 || out != "" || errs != want {
		t.Fatalf("bad file: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	for _, args := range [][]string{{"import"}, {"import", "salaries", bad}, {"import", "wages", filepath.Join(dir, "missing.csv")}} {
		if code, _, _ := runCmd(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	gen := filepath.Join(dir, "gen.csv")
	if code, _, errs := runCmd("gen-wages", "1200", gen); code != 0 {
		t.Fatalf("gen-wages: %d %s", code, errs)
	}
	if code, out, errs := runCmd("import", "wages", gen, "--data", dir); code != 0 || out != "imported 1200 rows\n" {
		t.Fatalf("generated file: exit %d %q %q", code, out, errs)
	}
}
