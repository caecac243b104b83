package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"quotacert/internal/account"
	"quotacert/internal/admin"
	"quotacert/internal/apiclient"
	"quotacert/internal/attachment"
	"quotacert/internal/datakey"
	"quotacert/internal/declaration"
	"quotacert/internal/employer"
	"quotacert/internal/exchange"
	"quotacert/internal/message"
	"quotacert/internal/notice"
	"quotacert/internal/overview"
	"quotacert/internal/placement"
	"quotacert/internal/review"
	"quotacert/internal/stats"
	"quotacert/internal/store"
)

// TestPortsAreExact checks that each domain's store type has exactly the methods its port declares:
// nothing a use case of another domain could reach by a type assertion, nothing left over.
func TestPortsAreExact(t *testing.T) {
	for _, c := range []struct {
		impl, port reflect.Type
	}{
		{reflect.TypeFor[store.AccountTx](), reflect.TypeFor[account.Tx]()},
		{reflect.TypeFor[store.AdminTx](), reflect.TypeFor[admin.Tx]()},
		{reflect.TypeFor[store.APIClientTx](), reflect.TypeFor[apiclient.Tx]()},
		{reflect.TypeFor[store.AttachmentTx](), reflect.TypeFor[attachment.Tx]()},
		{reflect.TypeFor[store.DataKeyTx](), reflect.TypeFor[datakey.Tx]()},
		{reflect.TypeFor[store.DeclarationTx](), reflect.TypeFor[declaration.Tx]()},
		{reflect.TypeFor[store.EmployerTx](), reflect.TypeFor[employer.Tx]()},
		{reflect.TypeFor[store.ExchangeTx](), reflect.TypeFor[exchange.Tx]()},
		{reflect.TypeFor[store.NoticeTx](), reflect.TypeFor[notice.Tx]()},
		{reflect.TypeFor[store.MessageTx](), reflect.TypeFor[message.Tx]()},
		{reflect.TypeFor[store.OutboxTx](), reflect.TypeFor[message.Outbox]()},
		{reflect.TypeFor[store.OverviewTx](), reflect.TypeFor[overview.Tx]()},
		{reflect.TypeFor[store.PlacementTx](), reflect.TypeFor[placement.Tx]()},
		{reflect.TypeFor[store.ReviewTx](), reflect.TypeFor[review.Tx]()},
		{reflect.TypeFor[store.StatsTx](), reflect.TypeFor[stats.Tx]()},
	} {
		if got, want := methods(c.impl), methods(c.port); !slices.Equal(got, want) {
			t.Errorf("store.%s has %v\n%s declares %v", c.impl.Name(), got, c.port, want)
		}
	}
}

func methods(t reflect.Type) []string {
	var out []string
	for i := range t.NumMethod() {
		out = append(out, t.Method(i).Name)
	}
	slices.Sort(out)
	return out
}

// TestNoLargeStoreType keeps every store type small enough to read: at most 40 exported methods
// (counted from the source, so a new type is held to it without being listed here).
func TestNoLargeStoreType(t *testing.T) {
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	fset := token.NewFileSet()
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() {
				continue
			}
			typ := fn.Recv.List[0].Type
			if star, ok := typ.(*ast.StarExpr); ok {
				typ = star.X
			}
			if id, ok := typ.(*ast.Ident); ok {
				count[id.Name]++
			}
		}
	}
	if len(count) < 5 {
		t.Fatalf("found only %v", count)
	}
	for typ, n := range count {
		if n > 40 {
			t.Errorf("store.%s has %d exported methods; split it by domain (at most 40)", typ, n)
		}
	}
}
