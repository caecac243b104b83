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
	"quotacert/internal/demo"
	"quotacert/internal/employer"
	"quotacert/internal/exchange"
	"quotacert/internal/pii"
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
		svc := demo.Services{Accounts: accounts,
			Employers: employer.NewService(store.EmployerRunner(db)),
			Files:     attachment.NewService(store.AttachmentRunner(db), blob.Attachments(blobs)),
			Admin:     admin.NewService(store.AdminRunner(db)),
			Exchange:  exchange.NewService(store.ExchangeRunner(db), prot),
			Reviews:   review.NewService(store.ReviewRunner(db), nil, time.Now)}
		var out strings.Builder
		for i := 0; i < 2; i++ {
			if err := demo.Load(ctx, svc, today, &out); err != nil {
				t.Fatalf("load %d: %v", i+1, err)
			}
		}
		if !strings.Contains(out.String(), demo.EmployerCode) || !strings.Contains(out.String(), "reviewer") {
			t.Fatalf("demo accounts not printed: %s", out.String())
		}
		for q, want := range map[string]int{
			`SELECT COUNT(*) FROM users`:                                                                                             3,
			`SELECT COUNT(*) FROM users WHERE must_change_password`:                                                                  0,
			`SELECT COUNT(*) FROM affiliates`:                                                                                        2,
			`SELECT COUNT(*) FROM affiliate_files`:                                                                                   2,
			`SELECT COUNT(*) FROM affiliates WHERE review = 'approved'`:                                                              2,
			`SELECT COUNT(*) FROM review_items WHERE kind = 'affiliate' AND status = 'approved'`:                                     2,
			`SELECT COUNT(*) FROM imports WHERE status = 'accepted'`:                                                                 4,
			`SELECT COUNT(DISTINCT person_hash) FROM registry_certificates`:                                                          17,
			`SELECT COUNT(*) FROM employers WHERE district = '220102' AND employee_count = 120`:                                      1,
			`SELECT COUNT(*) FROM business_years WHERE year = 2025 AND window_open <= '2026-11-26' AND window_close >= '2026-11-26'`: 1,
		} {
			var n int
			if err := db.SQL().QueryRowContext(ctx, q).Scan(&n); err != nil || n != want {
				t.Errorf("%s = %d (%v), want %d", q, n, err, want)
			}
		}
		// The demo employer can sign in with the documented password.
		res, err := accounts.Login(ctx, account.LoginInput{CreditCode: demo.EmployerCode, Password: demo.Password, ClientAddr: "t"})
		if err != nil || res.Actor.Role != "employer" {
			t.Fatalf("demo login: %v", err)
		}
	})

}

// testBlobKey seals the attachments of these tests.
var testBlobKey = bytes.Repeat([]byte{0x42}, 32)
