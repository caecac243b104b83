package exchange_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"quotacert/internal/actor"
	"quotacert/internal/exchange"
	"quotacert/internal/pii"
	"quotacert/internal/rules"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

var (
	t0     = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	system = actor.System("test")
	admin  = actor.Actor{UserID: 1, Name: "admin", Role: actor.Admin, Office: "220000", ClientAddr: "127.0.0.1"}
)

// testKey is a fixed master key so that hashes are comparable across test databases.
func protector(t testing.TB) *pii.Protector {
	t.Helper()
	p, err := pii.New(bytes.Repeat([]byte{7}, pii.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newService(t testing.TB, db *store.DB) *exchange.Service {
	return exchange.NewService(store.ExchangeRunner(db), protector(t))
}

// each runs fn on both databases with the root office (吉林省残联) and one city office below it,
// so that the admins of the tests have a jurisdiction (package scope).
func each(t *testing.T, fn func(t *testing.T, db *store.DB, svc *exchange.Service)) {
	storetest.Each(t, storetest.Options{Now: storetest.NewClock(t0).Now}, func(t *testing.T, db *store.DB) {
		for _, q := range []string{
			`INSERT INTO regions (code, name, parent) VALUES ('220000', '吉林省', NULL), ('220100', '长春市', '220000')`,
			`INSERT INTO federation_offices (code, name, parent, region) VALUES ('220000', '吉林省残疾人联合会', NULL, '220000'),
                ('220100', '长春市残疾人联合会', '220000', '220100')`,
		} {
			if _, err := db.SQL().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		fn(t, db, newService(t, db))
	})
}

func importString(t *testing.T, svc *exchange.Service, kind exchange.Kind, name, content string) (exchange.Result, error) {
	t.Helper()
	return svc.Import(context.Background(), system, kind, name, strings.NewReader(content), exchange.Options{})
}

func mustImport(t *testing.T, svc *exchange.Service, kind exchange.Kind, content string) exchange.Result {
	t.Helper()
	res, err := importString(t, svc, kind, string(kind)+".csv", content)
	if err != nil {
		t.Fatalf("import %s: %v; errors %v", kind, err, res.Errors)
	}
	return res
}

// dump returns a table's rows as sorted text (without import ids), to compare database states.
func dump(t *testing.T, db *store.DB, table string) []string {
	t.Helper()
	var q string
	switch table {
	case "registry_certificates":
		q = `SELECT cert_hash, cert_masked, person_hash, name, gender, category, level, issued, COALESCE(valid_until, '-'), status FROM registry_certificates`
	case "registry_wages":
		q = `SELECT person_hash, credit_code, month, amount_fen FROM registry_wages`
	case "registry_social", "registry_medical":
		q = `SELECT person_hash, credit_code, month, 0 FROM ` + table
	case "minimum_wages":
		q = `SELECT region, from_month, amount_fen FROM minimum_wages`
	default:
		t.Fatalf("dump: unknown table %s", table)
	}
	rows, err := db.SQL().Query(q)
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = v.String
		}
		out = append(out, strings.Join(parts, "|"))
	}
	sort.Strings(out)
	return out
}

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// registryTables are every table an import writes.
var registryTables = []string{"registry_certificates", "registry_wages", "registry_social", "registry_medical", "minimum_wages"}

func snapshot(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	m := map[string][]string{}
	for _, table := range registryTables {
		m[table] = dump(t, db, table)
	}
	m["accepted imports"] = []string{fmt.Sprint(count(t, db, `SELECT COUNT(*) FROM imports WHERE status = 'accepted'`))}
	return m
}

func sameState(t *testing.T, got, want map[string][]string) {
	t.Helper()
	for table, w := range want {
		g := got[table]
		if strings.Join(g, "\n") != strings.Join(w, "\n") {
			t.Errorf("%s changed: got %d rows, want %d rows\n got %v\nwant %v", table, len(g), len(w), head(g), head(w))
		}
	}
}

func head(s []string) []string { return s[:min(len(s), 5)] }

// xlsxOf writes CSV text as the first sheet of a workbook (every cell a string, as clerks' files
// hold ID numbers as text).
func xlsxOf(t *testing.T, csvText string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, line := range strings.Split(strings.TrimRight(csvText, "\n"), "\n") {
		cells := strings.Split(line, ",")
		vals := make([]any, len(cells))
		for j, c := range cells {
			vals[j] = c
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// certificatesOf reads one person's registry certificates through the Source.
func certificatesOf(t *testing.T, svc *exchange.Service, idNumber string) []exchange.RegistryCertificate {
	t.Helper()
	certs, err := svc.Certificates(context.Background(), []string{idNumber})
	if err != nil {
		t.Fatalf("certificates: %v", err)
	}
	return certs[0]
}

// paymentsOf reads one person's payments from payers through the Source.
func paymentsOf(t *testing.T, svc *exchange.Service, idNumber string, payers []string, from, to rules.Month) exchange.Payments {
	t.Helper()
	r, err := svc.Records(context.Background(), idNumber, payers, from, to)
	if err != nil {
		t.Fatalf("records: %v", err)
	}
	return r.Payments
}
