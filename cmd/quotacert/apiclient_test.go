package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestAPIClientCommand registers a client from the command line, rotates and revokes it: the token
// is the only line on stdout, a new one each time, and bad input is a usage error naming the flag.
func TestAPIClientCommand(t *testing.T) {
	data := t.TempDir()
	getenv := func(k string) string {
		if k == "QUOTACERT_DATA" {
			return data
		}
		return ""
	}
	cmd := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"apiclient"}, args...), getenv, nil, &out, &errb)
		return code, out.String(), errb.String()
	}
	code, token, msg := cmd("add", "--name", "长春市税务局征收系统", "--tax-office", "12201000000")
	if code != 0 || !strings.HasPrefix(token, "qct_") || strings.Count(token, "\n") != 1 || !strings.Contains(msg, "国家税务总局长春市税务局及其下级辖区") {
		t.Fatalf("add: %d %q %q", code, token, msg)
	}
	if code, _, msg := cmd("add", "--name", "长春市税务局征收系统", "--tax-office", "12201000000"); code != 2 || !strings.Contains(msg, "--name: 已有同名") {
		t.Fatalf("duplicate: %d %q", code, msg)
	}
	if code, _, msg := cmd("add", "--name", "x", "--tax-office", "999"); code != 2 || !strings.Contains(msg, "--tax-office: 税务机关不存在") {
		t.Fatalf("unknown tax office: %d %q", code, msg)
	}
	code, province, msg := cmd("add", "--name", "省税务局")
	if code != 0 || !strings.Contains(msg, "全省") || province == token {
		t.Fatalf("province client: %d %q", code, msg)
	}
	code, rotated, _ := cmd("rotate", "--id", "1")
	if code != 0 || !strings.HasPrefix(rotated, "qct_") || rotated == token {
		t.Fatalf("rotate: %d %q", code, rotated)
	}
	if code, _, msg := cmd("revoke", "--id", "1"); code != 0 || !strings.Contains(msg, "revoked") {
		t.Fatalf("revoke: %d %q", code, msg)
	}
	if code, _, msg := cmd("rotate", "--id", "1"); code != 2 || !strings.Contains(msg, "已吊销") {
		t.Fatalf("rotate revoked: %d %q", code, msg)
	}
	if code, _, msg := cmd("rotate", "--id", "99"); code != 2 || !strings.Contains(msg, "不存在") {
		t.Fatalf("rotate unknown: %d %q", code, msg)
	}
	if code, _, _ := cmd("bogus"); code != 2 {
		t.Fatalf("bogus verb: %d", code)
	}
}
