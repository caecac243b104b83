package message

import (
	"context"
	"fmt"
	"time"

	"quotacert/internal/rules"
)

// Mail is one e-mail of the outbox: a message mailed to the employer's contact.
type Mail struct {
	ID        int64
	MessageID int64
	To        string
	Subject   string
	Body      string
	Attempts  int // failed attempts before this one
	CreatedAt time.Time
}

// Mailer delivers one mail (the SMTP adapter, package smtpmail). A Permanent error (the server
// refused the address) is not retried.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// Permanent marks a delivery error that a retry cannot fix.
type Permanent struct{ Err error }

func (p Permanent) Error() string { return "permanent: " + p.Err.Error() }
func (p Permanent) Unwrap() error { return p.Err }

// Outbox is the background work's port over one transaction: the mail outbox and the deadline
// reminders.
type Outbox interface {
	Now() time.Time
	// ClaimMail marks up to limit pending mails due at now as being sent by instance and returns
	// them. Each row is claimed by a conditional update (pending → sending), so of several
	// instances claiming at once exactly one gets a row.
	ClaimMail(ctx context.Context, instance string, now time.Time, limit int) ([]Mail, error)
	// MailSent records the delivery of a mail claimed by instance.
	MailSent(ctx context.Context, id int64, instance string, at time.Time) error
	// MailRetry puts a claimed mail back as pending for another attempt at next.
	MailRetry(ctx context.Context, id int64, instance string, next time.Time, reason string) error
	// MailFailed gives a claimed mail up.
	MailFailed(ctx context.Context, id int64, instance string, reason string) error
	// AbandonMail gives up mails left sending since before (their sender stopped mid-way: the mail
	// may have left, so it is not sent again) and pending mails created before tooOld.
	AbandonMail(ctx context.Context, before, tooOld time.Time, reason, oldReason string) (int, error)
	// OpenYears lists the business years whose declaration window contains the day.
	OpenYears(ctx context.Context, day rules.Date) ([]rules.BusinessYear, error)
	// RemindUnsubmitted posts the reminder to every employer without a submitted declaration of
	// the year that was not reminded of it yet (dedupe prefix "deadline:<year>:"), and queues its
	// mail; it returns how many messages it posted.
	RemindUnsubmitted(ctx context.Context, year int, title, body, link string) (int, error)
}

// Sender is the background work of the message center: it mails the outbox and posts the
// deadline reminders. Several instances may run one each; none sends a mail twice.
type Sender struct {
	run      func(ctx context.Context, fn func(Outbox) error) error
	mailer   Mailer // nil: no SMTP configured; reminders are posted, mail waits
	instance string
	now      func() time.Time
	// Interval between rounds; Batch mails per round; MaxAttempts before a mail fails; Lease after
	// which a mail left sending is abandoned; MaxAge after which a pending mail is given up;
	// RemindDays before the window closes when reminders go out.
	Interval    time.Duration
	Batch       int
	MaxAttempts int
	Lease       time.Duration
	MaxAge      time.Duration
	RemindDays  int
}

// NewSender wires the background work: run is the store's transaction runner for the outbox,
// instance names this process in the claims (host and pid).
func NewSender(run func(ctx context.Context, fn func(Outbox) error) error, mailer Mailer, instance string, now func() time.Time) *Sender {
	return &Sender{run: run, mailer: mailer, instance: instance, now: now,
		Interval: 15 * time.Second, Batch: 20, MaxAttempts: 8, Lease: 10 * time.Minute, MaxAge: 7 * 24 * time.Hour, RemindDays: 14}
}

// Run works in rounds until ctx ends. A failed round is reported to logf and tried again next time.
func (s *Sender) Run(ctx context.Context, logf func(format string, args ...any)) {
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		if n, err := s.Round(ctx); err != nil && ctx.Err() == nil {
			logf("message sender: %v", err)
		} else if n > 0 {
			logf("message sender: %d mails sent", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Round posts due reminders, abandons mails left behind, and sends one batch; it returns how many
// mails were sent.
func (s *Sender) Round(ctx context.Context) (int, error) {
	if err := s.Remind(ctx); err != nil {
		return 0, err
	}
	if s.mailer == nil {
		return 0, nil
	}
	now := s.now()
	err := s.run(ctx, func(tx Outbox) error {
		_, err := tx.AbandonMail(ctx, now.Add(-s.Lease), now.Add(-s.MaxAge),
			"发送过程中断，邮件可能已发出，为避免重复不再发送", "超过有效期未能发送")
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("abandon mail: %w", err)
	}
	var batch []Mail
	// The claim commits before any mail leaves: a crash after it leaves the row sending, never
	// pending, so no other instance sends it again.
	if err := s.run(ctx, func(tx Outbox) error {
		var err error
		batch, err = tx.ClaimMail(ctx, s.instance, now, s.Batch)
		return err
	}); err != nil {
		return 0, fmt.Errorf("claim mail: %w", err)
	}
	sent := 0
	for _, m := range batch {
		sendErr := s.mailer.Send(ctx, m)
		err := s.run(ctx, func(tx Outbox) error {
			at := s.now()
			switch _, permanent := sendErr.(Permanent); {
			case sendErr == nil:
				return tx.MailSent(ctx, m.ID, s.instance, at)
			case permanent || m.Attempts+1 >= s.MaxAttempts:
				return tx.MailFailed(ctx, m.ID, s.instance, clip(sendErr.Error()))
			default:
				return tx.MailRetry(ctx, m.ID, s.instance, at.Add(backoff(m.Attempts+1)), clip(sendErr.Error()))
			}
		})
		if err != nil {
			return sent, fmt.Errorf("record mail %d: %w", m.ID, err)
		}
		if sendErr == nil {
			sent++
		}
	}
	return sent, nil
}

// backoff is the wait before attempt n+1: 1, 2, 4 … minutes, at most an hour.
func backoff(n int) time.Duration {
	d := time.Minute << min(n-1, 6)
	return min(d, time.Hour)
}

func clip(s string) string {
	if r := []rune(s); len(r) > 300 {
		return string(r[:300])
	}
	return s
}

// Remind posts "申报期将于…截止" to the employers that have not submitted a year whose window
// closes within RemindDays (China date), once per employer and year.
func (s *Sender) Remind(ctx context.Context) error {
	today := rules.ChinaDate(s.now())
	return s.run(ctx, func(tx Outbox) error {
		years, err := tx.OpenYears(ctx, today)
		if err != nil {
			return err
		}
		for _, y := range years {
			if left := daysUntil(today, y.WindowClose); left > s.RemindDays {
				continue
			}
			c := y.WindowClose
			title := fmt.Sprintf("%d年度申报期将于%d年%d月%d日截止", y.Year, c.Year, c.Month, c.Day)
			body := fmt.Sprintf("贵单位%d年度的按比例安排残疾人就业年审尚未完成申报。申报期将于%d年%d月%d日截止，请在截止前完成申报。",
				y.Year, c.Year, c.Month, c.Day)
			if _, err := tx.RemindUnsubmitted(ctx, y.Year, title, body, "/declaration"); err != nil {
				return fmt.Errorf("remind %d: %w", y.Year, err)
			}
		}
		return nil
	})
}

// daysUntil counts the calendar days from a to b (0 on the day itself).
func daysUntil(a, b rules.Date) int {
	n := 0
	for d := a; d.Before(b) && n <= 400; d = d.NextDay() {
		n++
	}
	return n
}
