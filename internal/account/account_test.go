package account_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"strings"
	"testing"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/pii"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

func TestHasher(t *testing.T) {
	h := account.NewHasher(account.DefaultArgon2, 1)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "Quota#2026a")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("encoding %q lacks the production parameters", enc)
	}
	enc2, err := h.Hash(ctx, "Quota#2026a")
	if err != nil {
		t.Fatal(err)
	}
	if enc == enc2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, tc := range []struct {
		encoded, password string
		want              bool
		wantErr           bool
	}{
		{enc, "Quota#2026a", true, false},
		{enc, "Quota#2026b", false, false},
		{enc, "", false, false},
		{"$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", "x", false, true},
		{"$argon2id$v=19$m=999999999,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "x", false, true},
		{"garbage", "x", false, true},
	} {
		got, err := h.Verify(ctx, tc.encoded, tc.password)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("Verify(%.30q, %q) = %v, %v; want %v, err %v", tc.encoded, tc.password, got, err, tc.want, tc.wantErr)
		}
	}
	// A cancelled context does not wait forever for a slot.
	busy := account.NewHasher(account.DefaultArgon2, 1)
	done := make(chan struct{})
	go func() {
		if _, err := busy.Hash(ctx, "Quota#2026a"); err != nil {
			t.Error(err)
		}
		close(done)
	}()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := busy.Hash(cctx, "x"); err == nil {
		<-done // the slot was free after all; still fine
	}
	<-done
}

func TestPolicy(t *testing.T) {
	p := account.NewPolicy()
	for _, tc := range []struct {
		password, login string
		ok              bool
	}{
		{"Quota#2026a", "91350100M000100Y43", true},
		{"quota2026a", "", false},                           // two classes
		{"Qa#1", "", false},                                 // short
		{"P@ssw0rd", "", false},                             // common
		{"password1!A", "", true},                           // three classes, not in the list
		{"91350100M000100y43", "91350100M000100Y43", false}, // the credit code itself
		{"Reviewer#1", "reviewer#1", false},
		{"中文密码Ab12", "", true}, // Chinese characters count as "other"
		{strings.Repeat("Aa1#", 33), "", false},
		// issue 14: passwords of the breach corpus and their simple variants
		{"Abc12345", "", false},
		{"1qaz@WSX", "", false},  // the keyboard pattern 1qaz2wsx with shifted digits
		{"Welcome1!", "", false}, // welcome1 and a symbol
		{"P@ssw0rd2", "", false}, // password, substitutions undone, a digit added
		{"Dragon2026!", "", false},
		{"Sunshine-Harbor-2026", "", true},
		{"Demo@2026", "", true}, // the demo password of CONTRACT.md stays usable
	} {
		why := p.Check(tc.password, tc.login)
		if (why == "") != tc.ok {
			t.Errorf("Check(%q, %q) = %q, want ok=%v", tc.password, tc.login, why, tc.ok)
		}
	}
}

func TestPolicyPersonal(t *testing.T) {
	p := account.NewPolicy()
	for _, tc := range []struct {
		password string
		personal []string
		ok       bool
	}{
		{"X91350100M000100Y43!", []string{"91350100M000100Y43"}, false}, // contains the credit code
		{"Tx#0100Y43ab", []string{"91350100M000100Y43"}, false},         // its last six characters
		{"Li.Reviewer#7", []string{"li.reviewer"}, false},               // the user name, punctuation ignored
		{"Quota#2026a", []string{"reviewer"}, true},
		{"长春测试科技Ab1", []string{"91350100M000100Y43", "长春测试科技有限公司", "王晓明"}, true},
		{"王晓明Ab#2026", []string{"91350100M000100Y43", "长春测试科技有限公司", "王晓明"}, false}, // the contact's name
	} {
		if why := p.Check(tc.password, tc.personal...); (why == "") != tc.ok {
			t.Errorf("Check(%q, %q) = %q, want ok=%v", tc.password, tc.personal, why, tc.ok)
		}
	}
}

func TestCaptchaImage(t *testing.T) {
	db := storetest.SQLite(t, storetest.Options{})
	svc := newService(t, db)
	_, img, err := svc.NewCaptcha(context.Background(), "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(img, "data:image/png;base64,"))
	if err != nil {
		t.Fatal(err)
	}
	im, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if b := im.Bounds(); b.Dx() != account.CaptchaWidth || b.Dy() != account.CaptchaHeight {
		t.Errorf("size %v", b)
	}
	if len(raw) > 12000 {
		t.Errorf("captcha PNG is %d bytes: too big for a data URL", len(raw))
	}
}

// testSecrets is the data key the tests' account services seal second-factor secrets with.
func testSecrets(t testing.TB) account.Sealer {
	p, err := pii.New(bytes.Repeat([]byte{7}, pii.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newService(t testing.TB, db *store.DB) *account.Service {
	cfg := account.DefaultConfig()
	cfg.Secrets = testSecrets(t)
	cfg.Argon2 = account.Argon2Params{MemoryKiB: 256, Time: 1, Threads: 1}
	svc, err := account.NewService(cfg, store.AccountRunner(db), db.IsUniqueViolation)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestPurge removes sessions past their idle timeout and ended throttle windows, and leaves live ones.
func TestPurge(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cfg := account.DefaultConfig()
		cfg.CaptchaRequired = false
		cfg.Argon2 = account.Argon2Params{MemoryKiB: 256, Time: 1, Threads: 1}
		cfg.Secrets = testSecrets(t)
		svc, err := account.NewService(cfg, store.AccountRunner(db), db.IsUniqueViolation)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Register(ctx, account.RegisterInput{CreditCode: "91350100M000100Y43", Name: "测试单位",
			ContactName: "王经办", ContactPhone: "13800000000", Password: "Ab#12345x", Password2: "Ab#12345x", ClientAddr: "1.2.3.4"}); err != nil {
			t.Fatalf("%v %v", err, apperr.As(err).Fields)
		}
		login := func() string {
			res, err := svc.Login(ctx, account.LoginInput{CreditCode: "91350100M000100Y43", Password: "Ab#12345x", ClientAddr: "1.2.3.4"})
			if err != nil {
				t.Fatal(err)
			}
			return res.Token
		}
		old := login()
		if _, err := svc.Login(ctx, account.LoginInput{CreditCode: "91350100M000100Y43", Password: "wrong", ClientAddr: "5.6.7.8"}); err == nil { // a throttle row
			t.Fatal("a wrong password signed in")
		}
		clock.Advance(max(cfg.IdleTimeout, cfg.AddrWindow) + time.Minute) // past the idle timeout and the throttle window
		fresh := login()
		sessions, throttles, err := svc.Purge(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sessions != 1 || throttles != 1 {
			t.Fatalf("purged %d sessions and %d throttles, want the idle session and the ended window", sessions, throttles)
		}
		if _, ok, err := svc.Resolve(ctx, old, "1.2.3.4"); err != nil || ok {
			t.Fatalf("the purged session still resolves (%v)", err)
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d sessions left, want the fresh one", n)
		}
		if _, ok, err := svc.Resolve(ctx, fresh, "1.2.3.4"); err != nil || !ok {
			t.Fatalf("the live session was purged (%v)", err)
		}
	})
}

// TestResolve: a session resolves, in one read, to its user's actor with the employer's name; a
// disabled user's session and one past the idle timeout end (the row is deleted); an unknown
// token is no session. Both databases.
func TestResolve(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cfg := account.DefaultConfig()
		cfg.CaptchaRequired = false
		cfg.Argon2 = account.Argon2Params{MemoryKiB: 256, Time: 1, Threads: 1}
		cfg.Secrets = testSecrets(t)
		svc, err := account.NewService(cfg, store.AccountRunner(db), db.IsUniqueViolation)
		if err != nil {
			t.Fatal(err)
		}
		const code, pw = "91350100M000100Y43", "Ab#12345x"
		if _, err := svc.Register(ctx, account.RegisterInput{CreditCode: code, Name: "测试单位",
			ContactName: "王经办", ContactPhone: "13800000000", Password: pw, Password2: pw, ClientAddr: "1.2.3.4"}); err != nil {
			t.Fatalf("%v %v", err, apperr.As(err).Fields)
		}
		login := func() string {
			t.Helper()
			res, err := svc.Login(ctx, account.LoginInput{CreditCode: code, Password: pw, ClientAddr: "1.2.3.4"})
			if err != nil {
				t.Fatal(err)
			}
			return res.Token
		}
		sessions := func() int {
			t.Helper()
			var n int
			if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		token := login()
		a, ok, err := svc.Resolve(ctx, token, "1.2.3.4")
		if err != nil || !ok {
			t.Fatalf("a fresh session: %v %v", ok, err)
		}
		var empID int64
		if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM employers WHERE credit_code = $1`, code).Scan(&empID); err != nil {
			t.Fatal(err)
		}
		if a.Role != actor.Employer || a.Name != code || a.EmployerID != empID || a.Unit != "测试单位" || a.UserID == 0 || a.Session == "" {
			t.Errorf("actor %+v", a)
		}
		if _, ok, err := svc.Resolve(ctx, token+"x", "1.2.3.4"); err != nil || ok {
			t.Errorf("an unknown token: %v %v", ok, err)
		}

		if _, err := db.SQL().ExecContext(ctx, `UPDATE users SET disabled = TRUE WHERE id = $1`, a.UserID); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := svc.Resolve(ctx, token, "1.2.3.4"); err != nil || ok {
			t.Errorf("a disabled user's session: %v %v", ok, err)
		}
		if n := sessions(); n != 0 {
			t.Errorf("a disabled user's session was not ended: %d sessions", n)
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE users SET disabled = FALSE WHERE id = $1`, a.UserID); err != nil {
			t.Fatal(err)
		}

		token = login()
		clock.Advance(cfg.IdleTimeout + time.Minute)
		if _, ok, err := svc.Resolve(ctx, token, "1.2.3.4"); err != nil || ok {
			t.Errorf("an idle session: %v %v", ok, err)
		}
		if n := sessions(); n != 0 {
			t.Errorf("an idle session was not ended: %d sessions", n)
		}
	})
}
