package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestStaffAdd runs "quotacert staff add" as CONTRACT.md names it (SQLite; the service under it is
// tested on both databases in internal/account and internal/web).
func TestStaffAdd(t *testing.T) {
	data := t.TempDir()
	getenv := func(k string) string {
		if k == "QUOTACERT_DATA" {
			return data
		}
		return ""
	}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		output string
	}{
		{"admin", []string{"--username", "admin", "--password", "Demo@2026", "--role", "admin", "--office", "220000"}, 0, "created admin admin"},
		{"reviewer", []string{"--username", "nanguan", "--password", "Demo@2026", "--role", "reviewer", "--office", "220102"}, 0, "office 220102"},
		{"duplicate", []string{"--username", "admin", "--password", "Demo@2026", "--role", "admin", "--office", "220000"}, 2, "用户名已存在"},
		{"unknown office", []string{"--username", "x1x", "--password", "Demo@2026", "--role", "reviewer", "--office", "229999"}, 2, "229999 不存在"},
		{"bad role", []string{"--username", "x2x", "--password", "Demo@2026", "--role", "boss", "--office", "220000"}, 2, "--role"},
		{"weak password", []string{"--username", "x3x", "--password", "password", "--role", "admin", "--office", "220000"}, 2, "--password"},
		{"common password", []string{"--username", "x4x", "--password", "1qaz@WSX", "--role", "admin", "--office", "220000"}, 2, "过于常见"},
		{"totp secret", []string{"--username", "robot", "--password", "Demo@2026", "--role", "reviewer", "--office", "220000",
			"--totp-secret", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}, 0, "second factor enrolled"},
		{"bad totp secret", []string{"--username", "robot2", "--password", "Demo@2026", "--role", "reviewer", "--office", "220000",
			"--totp-secret", "not base32!"}, 2, "--totp-secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"staff", "add"}, tc.args...), getenv, nil, &out, &errb)
			if code != tc.code || !strings.Contains(out.String()+errb.String(), tc.output) {
				t.Errorf("exit %d, want %d; stdout %q stderr %q; want %q", code, tc.code, out.String(), errb.String(), tc.output)
			}
		})
	}
}
