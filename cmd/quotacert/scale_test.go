package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"quotacert/internal/store/storetest"
)

// TestScaleHarness fills a small PostgreSQL database through COPY and measures it for a moment: the
// rows are there, the measured employer signs in and its pages answer, and every figure is printed
// with its ratio to the static asset of the same run.
func TestScaleHarness(t *testing.T) {
	dsn := storetest.PGSchemaDSN(t)
	data := t.TempDir()
	getenv := func(k string) string {
		switch k {
		case "QUOTACERT_DATA":
			return data
		case "QUOTACERT_DB":
			return dsn
		}
		return ""
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"scale", "--employers", "300", "--placements", "3000", "--duration", "300ms",
		"--workers", "4", "--exports", "1"}, getenv, nil, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	text := out.String()
	t.Log(text)
	for _, want := range []string{"300 employers, 3000 placements", "200 letters", "300 pending review items", "(1.00× static)",
		"employer list /placements", "codes map[200:", "results CSV (whole export)", "per export of 200 letters", "peak RSS"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "req/s") && !strings.Contains(line, "save") && !strings.Contains(line, "success 100.0%") {
			t.Errorf("a page failed: %s", line)
		}
		// A redirect is a success to vegeta, but then the page was not what was measured (the
		// measured employer's profile must be complete, or its pages send it to /employer).
		if strings.Contains(line, "req/s") && !strings.Contains(line, "save") && strings.Contains(line, "codes map[") &&
			!strings.Contains(line, "codes map[200:") {
			t.Errorf("a page was not answered 200: %s", line)
		}
	}
	// The same fill measured again, the exports alone, each with its own peak.
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"scale", "--fill=false", "--pages=false", "--exports", "1"}, getenv, nil, &out, &errb); code != 0 {
		t.Fatalf("measure again: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	again := out.String()
	for _, want := range []string{"measuring an earlier fill: 300 employers, 3000 placements, 200 letters", "results XLSX (whole export)",
		"per export of 200 letters", "MB before)"} {
		if !strings.Contains(again, want) {
			t.Errorf("second measurement lacks %q:\n%s", want, again)
		}
	}
	// The letters carry their snapshots, so the exports hold their 200 rows (a CSV row is about 80 bytes).
	if m := regexp.MustCompile(`results CSV \(whole export\).* (\d+) bytes`).FindStringSubmatch(again); m == nil || len(m[1]) < 5 {
		t.Errorf("the CSV export is nearly empty: %v", m)
	}
	if strings.Contains(again, "req/s") {
		t.Errorf("--pages=false measured pages:\n%s", again)
	}
	// A second fill of the same database is refused rather than doubled.
	errb.Reset()
	if code := run(context.Background(), []string{"scale", "--employers", "10", "--placements", "1000", "--duration", "100ms"}, getenv, nil, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "earlier scale run") {
		t.Fatalf("refill: exit %d %s", code, errb.String())
	}
}
