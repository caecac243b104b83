package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"quotacert/internal/message"
	"quotacert/internal/rules"
)

// MessageTx is the message center's port (message.Tx) over one transaction.
type MessageTx struct{ *txn }

// MessageRunner runs each message-center use case in one transaction (message.NewService).
func MessageRunner(db *DB) func(context.Context, func(message.Tx) error) error {
	return runner(db, func(t *txn) message.Tx { return MessageTx{t} })
}

// OutboxTx is the background work's port (message.Outbox) over one transaction.
type OutboxTx struct{ *txn }

// OutboxRunner runs each step of the background work in one transaction (message.NewSender).
func OutboxRunner(db *DB) func(context.Context, func(message.Outbox) error) error {
	return runner(db, func(t *txn) message.Outbox { return OutboxTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx MessageTx) Now() time.Time { return tx.now }

// Now is the transaction's clock reading (UTC).
func (tx OutboxTx) Now() time.Time { return tx.now }

const messageColumns = `id, employer_id, kind, title, body, link, created_at, read_at`

func scanMessages(rows *sql.Rows) ([]message.Message, error) {
	defer rows.Close()
	var out []message.Message
	for rows.Next() {
		var m message.Message
		var kind string
		var read sql.NullTime
		if err := rows.Scan(&m.ID, &m.EmployerID, &kind, &m.Title, &m.Body, &m.Link, &m.CreatedAt, &read); err != nil {
			return nil, fmt.Errorf("scan message: %w", err)
		}
		m.Kind, m.ReadAt = message.Kind(kind), read.Time
		out = append(out, m)
	}
	return out, rows.Err()
}

// Messages lists an employer's messages, newest first.
func (tx MessageTx) Messages(ctx context.Context, employerID int64, limit int) ([]message.Message, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE employer_id = $1
        ORDER BY id DESC LIMIT $2`, employerID, limit)
	if err != nil {
		return nil, fmt.Errorf("messages of employer %d: %w", employerID, err)
	}
	return scanMessages(rows)
}

// Message loads one message of the employer.
func (tx MessageTx) Message(ctx context.Context, employerID, id int64) (message.Message, bool, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE employer_id = $1 AND id = $2`, employerID, id)
	if err != nil {
		return message.Message{}, false, fmt.Errorf("message %d: %w", id, err)
	}
	list, err := scanMessages(rows)
	if err != nil || len(list) == 0 {
		return message.Message{}, false, err
	}
	return list[0], true, nil
}

// UnreadMessages counts an employer's unread messages (a partial index holds them).
func (tx MessageTx) UnreadMessages(ctx context.Context, employerID int64) (int, error) {
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE employer_id = $1 AND read_at IS NULL`,
		employerID).Scan(&n); err != nil {
		return 0, fmt.Errorf("unread messages of employer %d: %w", employerID, err)
	}
	return n, nil
}

// MarkRead marks one unread message of the employer (id 0: all of them) read.
func (tx MessageTx) MarkRead(ctx context.Context, employerID, id int64, at time.Time) (int, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE messages SET read_at = $3
        WHERE employer_id = $1 AND ($2 = 0 OR id = $2) AND read_at IS NULL`, employerID, id, at.UTC())
	if err != nil {
		return 0, fmt.Errorf("mark messages read: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// postMessage writes a message and, when the employer has a contact e-mail, its mail in the
// outbox, in the caller's transaction: the decision, its message and its mail commit together.
// A message whose dedupe key exists already is not posted again.
func (tx *txn) postMessage(ctx context.Context, m message.New) error {
	var dedupe any
	if m.Dedupe != "" {
		dedupe = m.Dedupe
	}
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO messages (employer_id, kind, title, body, link, dedupe, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe) WHERE dedupe IS NOT NULL DO NOTHING RETURNING id`,
		m.EmployerID, string(m.Kind), m.Title, m.Body, m.Link, dedupe, tx.now).Scan(&id)
	if isNoRows(err) {
		return nil // posted before
	}
	if err != nil {
		return fmt.Errorf("post message to employer %d: %w", m.EmployerID, err)
	}
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO mail_outbox (message_id, to_addr, subject, body, next_attempt_at, created_at)
        SELECT $1, e.contact_email, $2, $3, $4, $4 FROM employers e WHERE e.id = $5 AND e.contact_email <> ''`,
		id, m.Title, mailBody(m), tx.now, m.EmployerID); err != nil {
		return fmt.Errorf("queue mail of message %d: %w", id, err)
	}
	return nil
}

// mailBody is the text of a message's mail: the message and where to act on it.
func mailBody(m message.New) string {
	body := m.Body + "\n\n"
	if m.Link != "" {
		body += "请登录按比例就业情况联网认证系统查看（" + m.Link + "）。\n"
	} else {
		body += "请登录按比例就业情况联网认证系统的消息中心查看。\n"
	}
	return body + "此邮件由系统自动发送，请勿回复。\n"
}

// ClaimMail claims due pending mails for instance: each by a conditional update that only one
// transaction can win (PostgreSQL re-checks the status after waiting for a concurrent claim;
// SQLite runs one writer at a time), so a row is never handed to two senders.
func (tx OutboxTx) ClaimMail(ctx context.Context, instance string, now time.Time, limit int) ([]message.Mail, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT id, message_id, to_addr, subject, body, attempts, created_at FROM mail_outbox
        WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2`, now.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("due mail: %w", err)
	}
	var due []message.Mail
	for rows.Next() {
		var m message.Mail
		if err := rows.Scan(&m.ID, &m.MessageID, &m.To, &m.Subject, &m.Body, &m.Attempts, &m.CreatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan mail: %w", err)
		}
		due = append(due, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("due mail: %w", err)
	}
	var out []message.Mail
	for _, m := range due {
		res, err := tx.tx.ExecContext(ctx, `UPDATE mail_outbox SET status = 'sending', claimed_by = $2, claimed_at = $3
            WHERE id = $1 AND status = 'pending'`, m.ID, instance, now.UTC())
		if err != nil {
			return nil, fmt.Errorf("claim mail %d: %w", m.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if n == 1 {
			out = append(out, m)
		}
	}
	return out, nil
}

func (tx OutboxTx) finish(ctx context.Context, q string, args ...any) error {
	res, err := tx.tx.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("record mail: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return fmt.Errorf("mail %v is no longer claimed by %v", args[0], args[1])
	}
	return nil
}

// MailSent records a delivery.
func (tx OutboxTx) MailSent(ctx context.Context, id int64, instance string, at time.Time) error {
	return tx.finish(ctx, `UPDATE mail_outbox SET status = 'sent', sent_at = $3, last_error = ''
        WHERE id = $1 AND claimed_by = $2 AND status = 'sending'`, id, instance, at.UTC())
}

// MailRetry puts a claimed mail back for a later attempt.
func (tx OutboxTx) MailRetry(ctx context.Context, id int64, instance string, next time.Time, reason string) error {
	return tx.finish(ctx, `UPDATE mail_outbox SET status = 'pending', attempts = attempts + 1, next_attempt_at = $3,
        last_error = $4, claimed_by = '' WHERE id = $1 AND claimed_by = $2 AND status = 'sending'`, id, instance, next.UTC(), reason)
}

// MailFailed gives a claimed mail up.
func (tx OutboxTx) MailFailed(ctx context.Context, id int64, instance string, reason string) error {
	return tx.finish(ctx, `UPDATE mail_outbox SET status = 'failed', attempts = attempts + 1, last_error = $3
        WHERE id = $1 AND claimed_by = $2 AND status = 'sending'`, id, instance, reason)
}

// AbandonMail fails mails left sending since before and pending mails created before tooOld.
func (tx OutboxTx) AbandonMail(ctx context.Context, before, tooOld time.Time, reason, oldReason string) (int, error) {
	a, err := tx.tx.ExecContext(ctx, `UPDATE mail_outbox SET status = 'failed', last_error = $2
        WHERE status = 'sending' AND claimed_at < $1`, before.UTC(), reason)
	if err != nil {
		return 0, fmt.Errorf("abandon stale mail: %w", err)
	}
	b, err := tx.tx.ExecContext(ctx, `UPDATE mail_outbox SET status = 'failed', last_error = $2
        WHERE status = 'pending' AND created_at < $1`, tooOld.UTC(), oldReason)
	if err != nil {
		return 0, fmt.Errorf("abandon old mail: %w", err)
	}
	na, _ := a.RowsAffected()
	nb, _ := b.RowsAffected()
	return int(na + nb), nil
}

// OpenYears lists the business years whose window contains day.
func (tx OutboxTx) OpenYears(ctx context.Context, day rules.Date) ([]rules.BusinessYear, error) {
	all, err := tx.businessYears(ctx)
	if err != nil {
		return nil, err
	}
	var out []rules.BusinessYear
	for _, y := range all {
		if y.InWindow(day) {
			out = append(out, y)
		}
	}
	return out, nil
}

// RemindUnsubmitted posts the reminder of a year to every employer with a complete federation
// office whose declaration of the year is not submitted, once (dedupe "deadline:<year>:<id>"), in
// two statements whatever the number of employers, and queues the mails of those with an e-mail.
func (tx OutboxTx) RemindUnsubmitted(ctx context.Context, year int, title, body, link string) (int, error) {
	prefix := fmt.Sprintf("deadline:%d:", year)
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO messages (employer_id, kind, title, body, link, dedupe, created_at)
        SELECT e.id, 'deadline', $2, $3, $4, $1 || CAST(e.id AS TEXT), $5 FROM employers e
        WHERE e.federation_office IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM declarations d WHERE d.employer_id = e.id AND d.year = $6 AND d.status <> 'open')
        ON CONFLICT (dedupe) WHERE dedupe IS NOT NULL DO NOTHING`, prefix, title, body, link, tx.now, year)
	if err != nil {
		return 0, fmt.Errorf("post reminders of %d: %w", year, err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return 0, err
	}
	m := message.New{Body: body, Link: link}
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO mail_outbox (message_id, to_addr, subject, body, next_attempt_at, created_at)
        SELECT m.id, e.contact_email, m.title, $2, $3, $3 FROM messages m JOIN employers e ON e.id = m.employer_id
        WHERE m.kind = 'deadline' AND m.dedupe LIKE $1 AND e.contact_email <> ''
        ON CONFLICT (message_id) DO NOTHING`, prefix+"%", mailBody(m), tx.now); err != nil {
		return 0, fmt.Errorf("queue reminder mail of %d: %w", year, err)
	}
	return int(n), nil
}
