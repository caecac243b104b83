// Package archtest keeps the dependency rules of docs/ARCHITECTURE.md: the pure core imports only
// the standard library, domain packages never reach for SQL, HTTP or the store, and only cmd wires
// concrete adapters together.
package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

type pkg struct {
	ImportPath string
	Imports    []string
	Standard   bool
}

// adapters are the packages allowed to touch the outside world (database, HTTP, files, browser).
var adapters = map[string]bool{
	"store": true, "store/sqlite": true, "store/postgres": true, "store/storetest": true,
	"web": true, "httpx": true, "blob": true, "report": true, "refdata": true, "demo": true,
	"chart":    true, // SVG and table markup (html/template); standard library only, no net/http
	"metrics":  true, // Prometheus figures of HTTP and the store (issue 15)
	"archtest": true, "loadgen": true, "oidc": true, "testidp": true, "testsrv": true,
	"smtpmail": true, // the message center's mail over SMTP (net/smtp)
}

// pure packages may import nothing but the standard library.
var pure = map[string]bool{"rules": true, "idnum": true}

func TestDependencyRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "quotacert/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	forbiddenInDomain := []string{"database/sql", "net/http", "html/template", "quotacert/internal/store",
		"quotacert/internal/web", "quotacert/internal/httpx", "quotacert/internal/blob", "quotacert/internal/report"}
	for _, p := range pkgs {
		rel, isInternal := strings.CutPrefix(p.ImportPath, "quotacert/internal/")
		for _, imp := range p.Imports {
			switch {
			case !isInternal:
				// cmd and e2e may wire anything.
			case pure[rel]:
				if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") || strings.HasPrefix(imp, "quotacert/") {
					t.Errorf("%s is pure but imports %s", p.ImportPath, imp)
				}
			case !adapters[rel]:
				for _, f := range forbiddenInDomain {
					if imp == f || strings.HasPrefix(imp, f+"/") {
						t.Errorf("domain package %s imports %s", p.ImportPath, imp)
					}
				}
			}
			// Only cmd and tests choose a database driver.
			if (strings.HasSuffix(imp, "/store/sqlite") || strings.HasSuffix(imp, "/store/postgres")) &&
				isInternal && rel != "store/storetest" {
				t.Errorf("%s imports the concrete driver package %s: only cmd wires drivers", p.ImportPath, imp)
			}
			// The web layer calls services, never the store.
			if rel == "web" && strings.HasPrefix(imp, "quotacert/internal/store") {
				t.Errorf("web imports %s: handlers must go through domain services", imp)
			}
			// SQL lives in the store alone: one implementation for both databases.
			if imp == "database/sql" && isInternal && rel != "store" && !strings.HasPrefix(rel, "store/") {
				t.Errorf("%s imports database/sql: only the store talks to the database", p.ImportPath)
			}
			// The store persists for the domain; it never reaches up to the pages or the outside world.
			if (rel == "store" || strings.HasPrefix(rel, "store/")) && isInternal {
				for _, up := range []string{"web", "httpx", "blob", "report", "demo", "refdata", "loadgen"} {
					if imp == "quotacert/internal/"+up {
						t.Errorf("%s imports %s: the store depends only on the domain", p.ImportPath, imp)
					}
				}
			}
		}
	}
}
