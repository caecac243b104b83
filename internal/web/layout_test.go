package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// TestAPIHandlersLiveInAPIFiles keeps the package's layout: a route under /api/ is served by a
// handleAPI… method (logout alone is shared by the page and the API), every other route by a page
// handler, and every handleAPI… method is declared in a file named api_*.go.
func TestAPIHandlersLiveInAPIFiles(t *testing.T) {
	s, err := New(Deps{})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range s.Routes() {
		name := runtime.FuncForPC(reflect.ValueOf(rt.Handler).Pointer()).Name()
		name = strings.TrimSuffix(name[strings.LastIndexByte(name, '.')+1:], "-fm")
		_, path, _ := strings.Cut(rt.Pattern, " ")
		isAPI := strings.HasPrefix(path, "/api/")
		if name != "handleLogout" && isAPI != strings.HasPrefix(name, "handleAPI") {
			t.Errorf("route %q is served by %s", rt.Pattern, name)
		}
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && strings.HasPrefix(fn.Name.Name, "handleAPI") && !strings.HasPrefix(file, "api_") {
				t.Errorf("%s declares %s: API handlers belong in api_*.go", file, fn.Name.Name)
			}
		}
	}
}
