package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"quotacert/internal/declaration"
	"quotacert/internal/refdata"
	"quotacert/internal/rules"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// resultsSeed issues, through the store, the letters of the codes given (each "CODE:office"), the
// persons of each one more than the one before, and cancels those named in cancel.
func resultsSeed(t *testing.T, db *store.DB, codes []string, cancel ...string) {
	t.Helper()
	ctx := context.Background()
	for i, c := range codes {
		code, office, _ := strings.Cut(c, ":")
		decl := feedSeed(t, db, code, office, "12201020000")
		var persons []declaration.CertifiedPerson
		for p := range i + 1 {
			persons = append(persons, declaration.CertifiedPerson{Name: fmt.Sprintf("人员%s%d", code, p+1), IDMasked: "220102********0011", CertificateKind: rules.DisabilityCertificate,
				CountedMonths: 12, WeightMonths: 12})
		}
		err := store.DeclarationRunner(db)(ctx, func(tx declaration.Tx) error {
			_, err := tx.InsertLetter(ctx, declaration.Letter{DeclarationID: decl, VerifyCode: "v" + code, Persons: i + 1,
				CountedMonths: 12 * (i + 1), WeightMonths: rules.WeightMonths(12 * (i + 1)), FederationOffice: office,
				Status: declaration.LetterValid, Year: 2025, CreditCode: code, EmployerName: "单位" + strings.ToLower(code),
				TaxOffice: "12201020000", District: office, Certified: persons})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, code := range cancel {
		if _, err := db.SQL().Exec(`UPDATE letters SET status = 'cancelled' WHERE verify_code = $1`, "v"+code); err != nil {
			t.Fatal(err)
		}
	}
}

func resultCodes(rows []declaration.Result) string {
	var out []string
	for _, r := range rows {
		out = append(out, r.CreditCode)
	}
	return strings.Join(out, " ")
}

// TestResultsPages: the staff's results under each filter, order and page, the chunks of an
// export after a key, the summary of the whole subtree beside the count of the filter, and the
// persons of several letters at once.
func TestResultsPages(t *testing.T) {
	storetest.Each(t, storetest.Options{Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// 南关区 and 宽城区 lie under 长春市; 吉林市's Z does not.
		resultsSeed(t, db, []string{"D:220102", "B:220103", "E:220102", "A:220102", "C:220103", "Z:220202"}, "E")
		run := store.DeclarationRunner(db)
		list := func(f declaration.ResultFilter) []declaration.Result {
			t.Helper()
			var rows []declaration.Result
			if err := run(ctx, func(tx declaration.Tx) error {
				var err error
				rows, err = tx.Results(ctx, f)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return rows
		}
		city := declaration.ResultFilter{Office: "220100", Year: 2025, Limit: 50}
		for _, c := range []struct {
			name string
			edit func(*declaration.ResultFilter)
			want string
		}{
			{"the subtree by credit code", func(*declaration.ResultFilter) {}, "A B C D E"},
			{"a county", func(f *declaration.ResultFilter) { f.Office = "220103" }, "B C"},
			{"the province", func(f *declaration.ResultFilter) { f.Office = "220000" }, "A B C D E Z"},
			{"another year", func(f *declaration.ResultFilter) { f.Year = 2024 }, ""},
			{"a page", func(f *declaration.ResultFilter) { f.Limit, f.Offset = 2, 2 }, "C D"},
			{"the last page", func(f *declaration.ResultFilter) { f.Limit, f.Offset = 2, 4 }, "E"},
			{"by name", func(f *declaration.ResultFilter) { f.Q = "单位c" }, "C"},
			{"by credit code, any case", func(f *declaration.ResultFilter) { f.Q = "d" }, "D"},
			{"a wildcard is a character", func(f *declaration.ResultFilter) { f.Q = "%" }, ""},
			{"cancelled", func(f *declaration.ResultFilter) { f.Status = declaration.LetterCancelled }, "E"},
			{"valid, by name", func(f *declaration.ResultFilter) { f.Status, f.Sort = declaration.LetterValid, "name" }, "A B C D"},
			{"by status", func(f *declaration.ResultFilter) { f.Sort = "status" }, "E A B C D"},
			{"the chunk after a key", func(f *declaration.ResultFilter) {
				f.Limit, f.After = 2, declaration.ResultKey{CreditCode: "B", LetterID: 1 << 40}
			}, "C D"},
		} {
			t.Run(c.name, func(t *testing.T) {
				f := city
				c.edit(&f)
				if got := resultCodes(list(f)); got != c.want {
					t.Fatalf("got %q, want %q", got, c.want)
				}
			})
		}
		// Chunks after each last row walk the whole subtree once, however small.
		var walked []string
		f := city
		f.Limit = 2
		for {
			rows := list(f)
			if len(rows) == 0 {
				break
			}
			walked = append(walked, resultCodes(rows))
			last := rows[len(rows)-1]
			f.After = declaration.ResultKey{CreditCode: last.CreditCode, LetterID: last.LetterID}
		}
		if got := strings.Join(walked, "|"); got != "A B|C D|E" {
			t.Fatalf("chunks %q", got)
		}

		var sum declaration.ResultSummary
		var persons map[int64][]declaration.CertifiedPerson
		rows := list(city)
		if err := run(ctx, func(tx declaration.Tx) error {
			var err error
			f := city
			f.Q = "单位"
			f.Status = declaration.LetterValid
			if sum, err = tx.ResultsSummary(ctx, f); err != nil {
				return err
			}
			persons, err = tx.LettersPersons(ctx, []int64{rows[0].LetterID, rows[3].LetterID})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// A (4 persons), B (2), C (5), D (1) valid; E (3) cancelled; Z outside.
		if sum != (declaration.ResultSummary{Letters: 5, Valid: 4, Cancelled: 1, Persons: 12, CountedMonths: 144, WeightMonths: 144, Matching: 4}) {
			t.Fatalf("summary %+v", sum)
		}
		if len(persons) != 2 || len(persons[rows[0].LetterID]) != 4 || persons[rows[0].LetterID][3].Name != "人员A4" ||
			len(persons[rows[3].LetterID]) != 1 || persons[rows[3].LetterID][0].Name != "人员D1" {
			t.Fatalf("persons %+v", persons)
		}
	})
}
