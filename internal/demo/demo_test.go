package demo_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/admin"
	"quotacert/internal/attachment"
	"quotacert/internal/blob"
	"quotacert/internal/declaration"
	"quotacert/internal/demo"
	"quotacert/internal/employer"
	"quotacert/internal/exchange"
	"quotacert/internal/pii"
	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/review"
	"quotacert/internal/rules"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestLoadIsIdempotent loads the demo twice on both databases: the second start must find everything
// in place and add nothing (no second registry import, no duplicate affiliate or account).
func TestLoadIsIdempotent(t *testing.T) {
	today := rules.Date{Year: 2026, Month: 11, Day: 26} // after the default window: the demo must open it
	storetest.Each(t, storetest.Options{Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cfg := account.DefaultConfig()
		cfg.CaptchaRequired = false
		cfg.Argon2 = account.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1} // fast hashes for tests
		prot, err := pii.New(bytes.Repeat([]byte{9}, pii.KeySize))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Secrets = prot
		accounts, err := account.NewService(cfg, store.AccountRunner(db), db.IsUniqueViolation)
		if err != nil {
			t.Fatal(err)
		}
		blobs, err := blob.SealedFiles(t.TempDir(), testBlobKey)
		if err != nil {
			t.Fatal(err)
		}
		ex := exchange.NewService(store.ExchangeRunner(db), prot)
		pl := placement.NewService(store.PlacementRunner(db), ex, prot, time.Now)
		svc := demo.Services{Accounts: accounts,
			Employers:    employer.NewService(store.EmployerRunner(db)),
			Files:        attachment.NewService(store.AttachmentRunner(db), blob.Attachments(blobs)),
			Admin:        admin.NewService(store.AdminRunner(db)),
			Exchange:     ex,
			Reviews:      review.NewService(store.ReviewRunner(db), pl, time.Now),
			Placements:   pl,
			Declarations: declaration.NewService(store.DeclarationRunner(db), ex, prot, time.Now)}
		var out strings.Builder
		var files int
		for i := 0; i < 2; i++ {
			if err := demo.Load(ctx, svc, today, &out); err != nil {
				t.Fatalf("load %d: %v", i+1, err)
			}
			if i == 0 {
				files = count(t, db, `SELECT COUNT(*) FROM files`)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM files`); n != files {
			t.Errorf("the second start stored %d more files", n-files)
		}
		if !strings.Contains(out.String(), demo.EmployerCode) || !strings.Contains(out.String(), "reviewer") ||
			!strings.Contains(out.String(), demo.SecondEmployerCode) {
			t.Fatalf("demo accounts not printed: %s", out.String())
		}
		e := `(SELECT id FROM employers WHERE credit_code = '` + demo.EmployerCode + `')`
		x := `(SELECT id FROM employers WHERE credit_code = '` + demo.SecondEmployerCode + `')`
		for q, want := range map[string]int{
			`SELECT COUNT(*) FROM users`:                                                                                             4,
			`SELECT COUNT(*) FROM users WHERE must_change_password`:                                                                  0,
			`SELECT COUNT(*) FROM affiliates`:                                                                                        3,
			`SELECT COUNT(*) FROM affiliate_files`:                                                                                   3,
			`SELECT COUNT(*) FROM affiliates WHERE review = 'approved'`:                                                              2,
			`SELECT COUNT(*) FROM review_items WHERE kind = 'affiliate' AND status = 'approved'`:                                     2,
			`SELECT COUNT(*) FROM imports WHERE status = 'accepted'`:                                                                 7,
			`SELECT COUNT(DISTINCT person_hash) FROM registry_certificates`:                                                          17,
			`SELECT COUNT(*) FROM employers WHERE district = '220102' AND employee_count = 120`:                                      1,
			`SELECT COUNT(*) FROM business_years WHERE year = 2025 AND window_open <= '2026-11-26' AND window_close >= '2026-11-26'`: 1,
			// The showcase: every state in 2025, 2024 submitted with a letter, an item of every kind waiting.
			`SELECT COUNT(*) FROM placements WHERE year = 2025 AND status = 'confirmed' AND employer_id = ` + e:          1,
			`SELECT COUNT(*) FROM placements WHERE year = 2025 AND status = 'pending' AND employer_id = ` + e:            2,
			`SELECT COUNT(*) FROM placements WHERE year = 2025 AND status = 'rejected' AND employer_id = ` + e:           1,
			`SELECT COUNT(*) FROM placements WHERE year = 2025 AND status = 'draft' AND employer_id = ` + e:              1,
			`SELECT COUNT(*) FROM placements WHERE year = 2024 AND status = 'confirmed'`:                                 2,
			`SELECT COUNT(*) FROM declarations WHERE year = 2024 AND status = 'submitted' AND employer_id = ` + e:        1,
			`SELECT COUNT(*) FROM declarations WHERE year = 2024 AND status = 'reopen-requested' AND employer_id = ` + x: 1,
			`SELECT COUNT(*) FROM letters WHERE status = 'valid'`:                                                        2,
			`SELECT COUNT(*) FROM review_items WHERE status = 'pending' AND kind = 'claim'`:                              1,
			`SELECT COUNT(*) FROM review_items WHERE status = 'pending' AND kind = 'certificate'`:                        1,
			`SELECT COUNT(*) FROM review_items WHERE status = 'pending' AND kind = 'reopen'`:                             1,
			`SELECT COUNT(*) FROM review_items WHERE status = 'pending' AND kind = 'affiliate'`:                          1,
			`SELECT COUNT(*) FROM federation_offices WHERE phone <> '' AND address <> ''`:                                3,
		} {
			if n := count(t, db, q); n != want {
				t.Errorf("%s = %d, want %d", q, n, want)
			}
		}
		// The demo employer can sign in with the documented password.
		res, err := accounts.Login(ctx, account.LoginInput{CreditCode: demo.EmployerCode, Password: demo.Password, ClientAddr: "t"})
		if err != nil || res.Actor.Role != "employer" {
			t.Fatalf("demo login: %v", err)
		}
	})

}

func count(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// testBlobKey seals the attachments of these tests.
var testBlobKey = bytes.Repeat([]byte{0x42}, 32)
