package verifycase

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"quotacert/internal/rules"
)

// update rewrites the golden files. Every rewritten golden must be checked
// by hand against DOMAIN.md before it is committed.
var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

// today is fixed so that golden results never depend on the clock.
var today = rules.Date{Year: 2026, Month: 3, Day: 1}

// TestGolden runs every testdata/*.json case (not *.golden.json) through
// Run and compares stdout with its *.golden.json.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range files {
		if strings.HasSuffix(in, ".golden.json") {
			continue
		}
		n++
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			if code := Run(bytes.NewReader(data), &stdout, &stderr, today); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			golden := strings.TrimSuffix(in, ".json") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it, then check it by hand)", err)
			}
			if !bytes.Equal(stdout.Bytes(), want) {
				t.Errorf("output differs from %s:\n%s", golden, stdout.String())
			}
		})
	}
	if n < 10 {
		t.Errorf("only %d golden cases found", n)
	}
}
