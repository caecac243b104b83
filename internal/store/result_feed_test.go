package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"quotacert/internal/declaration"
	"quotacert/internal/refdata"
	"quotacert/internal/rules"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// feedSeed adds an employer of a federation office and tax office with an open declaration of 2025
// and returns the declaration's id.
func feedSeed(t *testing.T, db *store.DB, code, office, taxOffice string) int64 {
	t.Helper()
	var emp, decl int64
	now := time.Now().UTC()
	if err := db.SQL().QueryRow(`INSERT INTO employers (credit_code, name, federation_office, tax_office, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, code, "单位"+code, office, taxOffice, now).Scan(&emp); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL().QueryRow(`INSERT INTO declarations (employer_id, year, status) VALUES ($1, 2025, 'submitted') RETURNING id`, emp).Scan(&decl); err != nil {
		t.Fatal(err)
	}
	return decl
}

// issue inserts a valid letter of the declaration with its snapshot through the store, as a
// submission does.
func issue(ctx context.Context, tx declaration.Tx, decl int64, code, office, taxOffice string) error {
	_, err := tx.InsertLetter(ctx, declaration.Letter{DeclarationID: decl, VerifyCode: "v" + code, Persons: 1, CountedMonths: 12,
		WeightMonths: rules.WeightMonths(12), FederationOffice: office, Status: declaration.LetterValid, Year: 2025,
		CreditCode: code, EmployerName: "单位" + code, TaxOffice: taxOffice, District: office})
	return err
}

func feed(t *testing.T, db *store.DB, sc declaration.ResultScope, after, sinceUS int64, limit int) ([]declaration.Result, int) {
	t.Helper()
	var rows []declaration.Result
	var total int
	err := store.DeclarationRunner(db)(context.Background(), func(tx declaration.Tx) error {
		var err error
		if rows, err = tx.ResultFeed(context.Background(), sc, 2025, after, sinceUS, limit); err != nil {
			return err
		}
		total, err = tx.ResultFeedCount(context.Background(), sc, 2025, after, sinceUS)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows, total
}

func letterNumbers(rows []declaration.Result) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.CreditCode+":"+string(r.Status))
	}
	return out
}

// TestResultFeed: letters come in change order with strictly rising numbers and never falling
// times; a cancellation moves its row behind the cursor; scopes by federation subtree, tax office
// region subtree and province; since is inclusive.
func TestResultFeed(t *testing.T) {
	storetest.Each(t, storetest.Options{Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		run := store.DeclarationRunner(db)
		// 长春市南关区 (tax office of 长春市's region subtree) and 吉林市 (outside it).
		a := feedSeed(t, db, "A", "220102", "12201020000")
		b := feedSeed(t, db, "B", "220202", "12202020000")
		c := feedSeed(t, db, "C", "220103", "12201030000")
		for _, s := range []struct {
			decl              int64
			code, office, tax string
		}{{a, "A", "220102", "12201020000"}, {b, "B", "220202", "12202020000"}, {c, "C", "220103", "12201030000"}} {
			if err := run(ctx, func(tx declaration.Tx) error { return issue(ctx, tx, s.decl, s.code, s.office, s.tax) }); err != nil {
				t.Fatal(err)
			}
		}
		province := declaration.ResultScope{Province: true}
		rows, total := feed(t, db, province, 0, 0, 10)
		if got := fmt.Sprint(letterNumbers(rows)); got != "[A:valid B:valid C:valid]" || total != 3 {
			t.Fatalf("province feed %s total %d", got, total)
		}
		for i := 1; i < len(rows); i++ {
			if rows[i].Seq <= rows[i-1].Seq || rows[i].ChangedAt.Before(rows[i-1].ChangedAt) {
				t.Fatalf("order: %+v", rows)
			}
		}
		// Pages of one row follow the cursor without gaps.
		first, total := feed(t, db, province, 0, 0, 1)
		second, _ := feed(t, db, province, first[0].Seq, 0, 1)
		if total != 3 || first[0].CreditCode != "A" || second[0].CreditCode != "B" {
			t.Fatalf("pages: %v %v", letterNumbers(first), letterNumbers(second))
		}
		cursor := rows[2].Seq

		// Nothing changed: nothing after the cursor. A cancellation is the next change.
		if rows, total := feed(t, db, province, cursor, 0, 10); len(rows) != 0 || total != 0 {
			t.Fatalf("idle feed: %v", letterNumbers(rows))
		}
		if _, err := db.SQL().Exec(`UPDATE letters SET status = 'cancelled' WHERE declaration_id = $1`, a); err != nil {
			t.Fatal(err)
		}
		// A write that does not change the status is no change of the result.
		if _, err := db.SQL().Exec(`UPDATE letters SET status = 'cancelled' WHERE declaration_id = $1`, a); err != nil {
			t.Fatal(err)
		}
		after, _ := feed(t, db, province, cursor, 0, 10)
		if got := fmt.Sprint(letterNumbers(after)); got != "[A:cancelled]" || after[0].Seq != cursor+1 {
			t.Fatalf("after cancellation %s (seq %d, cursor %d)", got, after[0].Seq, cursor)
		}

		// Scopes: 长春市税务局 reads 南关区 and 宽城区, not 吉林市; the 吉林市 federation office its own.
		if rows, _ := feed(t, db, declaration.ResultScope{TaxOffice: "12201000000"}, 0, 0, 10); fmt.Sprint(letterNumbers(rows)) != "[C:valid A:cancelled]" {
			t.Fatalf("tax office scope: %v", letterNumbers(rows))
		}
		if rows, _ := feed(t, db, declaration.ResultScope{TaxOffice: "12201020000"}, 0, 0, 10); fmt.Sprint(letterNumbers(rows)) != "[A:cancelled]" {
			t.Fatalf("district tax office scope: %v", letterNumbers(rows))
		}
		if rows, _ := feed(t, db, declaration.ResultScope{FederationOffice: "220200"}, 0, 0, 10); fmt.Sprint(letterNumbers(rows)) != "[B:valid]" {
			t.Fatalf("federation scope: %v", letterNumbers(rows))
		}

		// since is inclusive: the row changed at that very microsecond comes again, none is lost.
		if rows, _ := feed(t, db, province, 0, after[0].ChangedAt.UnixMicro(), 10); fmt.Sprint(letterNumbers(rows)) != "[A:cancelled]" {
			t.Fatalf("since: %v", letterNumbers(rows))
		}
	})
}

// TestResultFeedCommitOrder is the race a timestamp or a plain sequence loses: a transaction that
// took its change number first but commits last. The numbers are handed out under the row lock of
// result_feed, so the second writer waits for the first to commit: a poller can never see the later
// number before the earlier one and move its cursor past a row still to come. SQLite serialises
// whole write transactions on its database lock, so only PostgreSQL has this race to test.
func TestResultFeedCommitOrder(t *testing.T) {
	db := storetest.Postgres(t, storetest.Options{Steps: []store.Step{refdata.Step()}})
	ctx := context.Background()
	run := store.DeclarationRunner(db)
	a := feedSeed(t, db, "A", "220102", "12201020000")
	b := feedSeed(t, db, "B", "220103", "12201030000")

	holding, release, firstDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		firstDone <- run(ctx, func(tx declaration.Tx) error {
			if err := issue(ctx, tx, a, "A", "220102", "12201020000"); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	secondDone := make(chan error, 1)
	go func() {
		secondDone <- run(ctx, func(tx declaration.Tx) error { return issue(ctx, tx, b, "B", "220103", "12201030000") })
	}()
	select {
	case err := <-secondDone:
		t.Fatalf("the second writer committed while the first held its change number (err %v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	if rows, _ := feed(t, db, declaration.ResultScope{Province: true}, 0, 0, 10); len(rows) != 0 {
		t.Fatalf("uncommitted rows visible: %v", letterNumbers(rows))
	}
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	if err := <-secondDone; err != nil {
		t.Fatal(err)
	}
	rows, _ := feed(t, db, declaration.ResultScope{Province: true}, 0, 0, 10)
	if fmt.Sprint(letterNumbers(rows)) != "[A:valid B:valid]" || rows[0].Seq >= rows[1].Seq {
		t.Fatalf("commit order: %+v", rows)
	}
}
