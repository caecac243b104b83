package message_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/message"
	"quotacert/internal/refdata"
	"quotacert/internal/review"
	"quotacert/internal/smtpmail"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
	"quotacert/internal/testsrv"
)

var t0 = time.Date(2026, 6, 15, 2, 0, 0, 0, time.UTC)

// seed writes two employers (the first with a contact e-mail) and, for each, a year 2025 waiting
// on a reopen request; it returns the ids of the two requests.
func seed(t *testing.T, db *store.DB) (withMail, without int64) {
	t.Helper()
	ctx := context.Background()
	var ids [2]int64
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for i, email := range []string{"hr@example.com", ""} {
			id := int64(i + 1)
			if _, err := tx.Exec(ctx, `INSERT INTO employers (id, credit_code, name, federation_office, district, contact_email, created_at, updated_at)
                VALUES ($1, $2, $3, '220102', '220102', $4, $5, $5)`, id, "CODE"+string(rune('A'+i)), "示范单位"+string(rune('甲'+i)), email, t0); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO declarations (employer_id, year, status, submitted_at) VALUES ($1, 2025, 'reopen-requested', $2)`, id, t0); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `INSERT INTO review_items (kind, employer_id, year, note, status, created_at)
                VALUES ('reopen', $1, 2025, '人数填错', 'pending', $2) RETURNING id`, id, t0).Scan(&ids[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids[0], ids[1]
}

func outboxStatus(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT status, COUNT(*) FROM mail_outbox GROUP BY status`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		out[s] = n
	}
	return out
}

// TestDecisionMessageAndMail: a reviewer's decision posts a message to the employer's message
// center (and counts as unread) and queues one mail, which the background work delivers to a real
// SMTP server (Mailpit) exactly once — across a restart of the sender, with two senders at once,
// and after a sender died between claiming and recording a mail.
func TestDecisionMessageAndMail(t *testing.T) {
	mp := testsrv.StartMailpit(t)
	clock := storetest.NewClock(t0)
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := mp.DeleteAll(ctx); err != nil {
			t.Fatal(err)
		}
		withMail, without := seed(t, db)
		reviews := review.NewService(store.ReviewRunner(db), nil, clock.Now)
		msgs := message.NewService(store.MessageRunner(db))
		reviewer := actor.Actor{UserID: 0, Name: "审核员", Role: actor.Reviewer, Office: "220100"}
		emp := actor.Actor{Role: actor.Employer, EmployerID: 1, Name: "CODEA"}

		if err := reviews.Decide(ctx, reviewer, withMail, true, "同意重新申报"); err != nil {
			t.Fatal(err)
		}
		// The same decision again (a double submit) posts nothing more.
		if err := reviews.Decide(ctx, reviewer, withMail, true, "同意重新申报"); err != nil {
			t.Fatal(err)
		}
		if err := reviews.Decide(ctx, reviewer, without, false, "材料不全"); err != nil {
			t.Fatal(err)
		}
		list, unread, err := msgs.List(ctx, emp)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || unread != 1 || list[0].Kind != message.KindReopen || !strings.Contains(list[0].Title, "年审认证反馈已审核通过") ||
			!strings.Contains(list[0].Body, "同意重新申报") || list[0].Link != "/declaration" {
			t.Fatalf("messages = %+v, unread %d", list, unread)
		}
		// The other employer's message is not this one's, and has no mail (no address).
		if err := msgs.MarkRead(ctx, emp, list[0].ID+1); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("marking another employer's message: %v", err)
		}
		if st := outboxStatus(t, db); st["pending"] != 1 || len(st) != 1 {
			t.Fatalf("outbox = %v", st)
		}

		mailer, err := smtpmail.New(smtpmail.Config{Addr: mp.SMTPAddr, From: "残联认证系统 <noreply@example.gov.cn>", User: "u", Password: "p"})
		if err != nil {
			t.Fatal(err)
		}
		first := message.NewSender(store.OutboxRunner(db), mailer, "instance-a", clock.Now)
		if n, err := first.Round(ctx); err != nil || n != 1 {
			t.Fatalf("first round: %d, %v", n, err)
		}
		got := mp.WaitMessages(t, 1, 10*time.Second)
		m, err := mp.Message(ctx, got[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.To) != 1 || m.To[0].Address != "hr@example.com" || !strings.Contains(m.Subject, "年审认证反馈已审核通过") ||
			!strings.Contains(m.Text, "同意重新申报") || m.From.Address != "noreply@example.gov.cn" {
			t.Errorf("mail = %+v", m)
		}
		// A restart: a new sender (another instance name) finds nothing to send, now or later.
		second := message.NewSender(store.OutboxRunner(db), mailer, "instance-b", clock.Now)
		for range 3 {
			clock.Advance(time.Hour)
			if n, err := second.Round(ctx); err != nil || n != 0 {
				t.Fatalf("after restart: %d, %v", n, err)
			}
		}
		if msgs, _ := mp.Messages(ctx); len(msgs) != 1 {
			t.Fatalf("after restart Mailpit holds %d mails", len(msgs))
		}
		// Reading marks it read; the header count drops.
		if err := msgs.MarkRead(ctx, emp, list[0].ID); err != nil {
			t.Fatal(err)
		}
		if n, err := msgs.Unread(ctx, emp); err != nil || n != 0 {
			t.Errorf("unread after reading = %d, %v", n, err)
		}

		// A returned placement's message and mail, sent by two senders at once: one mail.
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO messages (employer_id, kind, title, body, created_at) VALUES (1, 'return', '退回', '理由', $1)`, clock.Now())
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO mail_outbox (message_id, to_addr, subject, body, next_attempt_at, created_at)
                SELECT MAX(id), 'hr@example.com', '退回', '理由', $1, $1 FROM messages`, clock.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		sent := make([]int, 4)
		for i := range sent {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := message.NewSender(store.OutboxRunner(db), mailer, "racer-"+string(rune('a'+i)), clock.Now)
				n, err := s.Round(ctx)
				if err != nil && !strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy") {
					t.Errorf("racer %d: %v", i, err)
				}
				sent[i] = n
			}()
		}
		wg.Wait()
		if total := sent[0] + sent[1] + sent[2] + sent[3]; total != 1 {
			t.Errorf("racing senders sent %d mails (%v)", total, sent)
		}
		mp.WaitMessages(t, 2, 10*time.Second)

		// A sender that died after claiming: the mail is not sent again by the next one.
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO mail_outbox (message_id, to_addr, subject, body, status, claimed_by, claimed_at, next_attempt_at, created_at)
                VALUES ($1, 'hr@example.com', '中断', '中断', 'sending', 'dead', $2, $2, $2)`, list[0].ID+100, clock.Now())
			return err
		}); err == nil {
			t.Fatal("an outbox row of a missing message was accepted")
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO messages (id, employer_id, kind, title, body, created_at) VALUES (900, 1, 'review', '中断', '中断', $1)`, clock.Now())
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO mail_outbox (message_id, to_addr, subject, body, status, claimed_by, claimed_at, next_attempt_at, created_at)
                VALUES (900, 'hr@example.com', '中断', '中断', 'sending', 'dead', $1, $1, $1)`, clock.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour) // past the lease
		if n, err := second.Round(ctx); err != nil || n != 0 {
			t.Fatalf("after a dead sender: %d, %v", n, err)
		}
		if st := outboxStatus(t, db); st["sent"] != 2 || st["failed"] != 1 || st["sending"] != 0 || st["pending"] != 0 {
			t.Errorf("outbox = %v", st)
		}
		if msgs, _ := mp.Messages(ctx); len(msgs) != 2 {
			t.Errorf("Mailpit holds %d mails, want 2", len(msgs))
		}
	})
}

// TestMailRetry: a server that is down is retried later; a refused address is given up at once.
func TestMailRetry(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		withMail, _ := seed(t, db)
		reviews := review.NewService(store.ReviewRunner(db), nil, clock.Now)
		if err := reviews.Decide(ctx, actor.Actor{Role: actor.Reviewer, Office: "220000", Name: "r"}, withMail, true, ""); err != nil {
			t.Fatal(err)
		}
		down, err := smtpmail.New(smtpmail.Config{Addr: "127.0.0.1:1", From: "noreply@example.gov.cn", Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		s := message.NewSender(store.OutboxRunner(db), down, "a", clock.Now)
		if n, err := s.Round(ctx); err != nil || n != 0 {
			t.Fatalf("round with the server down: %d, %v", n, err)
		}
		var attempts int
		var next time.Time
		var status string
		if err := db.SQL().QueryRow(`SELECT status, attempts, next_attempt_at FROM mail_outbox`).Scan(&status, &attempts, &next); err != nil {
			t.Fatal(err)
		}
		if status != "pending" || attempts != 1 || !next.After(clock.Now()) {
			t.Errorf("after a failed attempt: %s, %d attempts, next %s", status, attempts, next)
		}
		// Not due yet: the next round does not try.
		if n, err := s.Round(ctx); err != nil || n != 0 {
			t.Fatal(n, err)
		}
		if err := db.SQL().QueryRow(`SELECT attempts FROM mail_outbox`).Scan(&attempts); err != nil || attempts != 1 {
			t.Errorf("attempts = %d, %v", attempts, err)
		}
	})
}

// TestDeadlineReminders: within 14 days of the window's close, every employer that has not
// submitted the year gets "申报期将于…截止" once, however many rounds or instances run; a submitted
// employer gets none; the mail is queued for those with an address.
func TestDeadlineReminders(t *testing.T) {
	begin := time.Date(2026, 10, 10, 1, 0, 0, 0, time.UTC) // 21 days before 2026-10-31
	clock := storetest.NewClock(begin)
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock.Advance(begin.Sub(clock.Now())) // each database starts on the same day
		seed(t, db)                           // two employers, both with 2025 reopen-requested (submitted)
		if _, err := db.SQL().Exec(`UPDATE declarations SET status = 'open' WHERE employer_id = 1`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`INSERT INTO employers (id, credit_code, name, federation_office, district, contact_email, created_at, updated_at)
            VALUES (3, 'CODEC', '未申报单位', '220102', '220102', 'c@example.com', $1, $1)`, clock.Now()); err != nil {
			t.Fatal(err)
		}
		count := func(q string) int {
			t.Helper()
			var n int
			if err := db.SQL().QueryRow(q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		a := message.NewSender(store.OutboxRunner(db), nil, "a", clock.Now)
		b := message.NewSender(store.OutboxRunner(db), nil, "b", clock.Now)
		if _, err := a.Round(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(`SELECT COUNT(*) FROM messages WHERE kind = 'deadline'`); n != 0 {
			t.Fatalf("%d reminders 21 days before the close", n)
		}
		clock.Advance(8 * 24 * time.Hour) // 2026-10-18: 13 days left
		for _, s := range []*message.Sender{a, b, a} {
			if _, err := s.Round(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(`SELECT COUNT(*) FROM messages WHERE kind = 'deadline'`); n != 2 {
			t.Errorf("%d reminders, want 2 (employers 1 and 3; employer 2 has submitted)", n)
		}
		if n := count(`SELECT COUNT(*) FROM messages WHERE kind = 'deadline' AND employer_id = 2`); n != 0 {
			t.Errorf("the submitted employer was reminded")
		}
		if n := count(`SELECT COUNT(*) FROM messages WHERE kind = 'deadline' AND title = '2025年度申报期将于2026年10月31日截止'`); n != 2 {
			t.Errorf("reminder titles: %d", n)
		}
		if n := count(`SELECT COUNT(*) FROM mail_outbox o JOIN messages m ON m.id = o.message_id WHERE m.kind = 'deadline'`); n != 2 {
			t.Errorf("reminder mails queued: %d, want 2 (employers 1 and 3 have addresses)", n)
		}
	})
}
