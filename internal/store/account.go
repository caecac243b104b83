package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/scope"
)

// AccountTx is the account port (account.Tx): users, sessions, captchas, throttles and the audit search,
// over one transaction.
type AccountTx struct{ *txn }

// AccountRunner runs each account use case in one transaction (account.NewService).
func AccountRunner(db *DB) func(context.Context, func(account.Tx) error) error {
	return runner(db, func(t *txn) account.Tx { return AccountTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx AccountTx) Now() time.Time { return tx.now }

// AppendAudit writes an audit record in this transaction.
func (tx AccountTx) AppendAudit(ctx context.Context, e audit.Entry) error {
	return tx.appendAudit(ctx, e)
}

// The store side of package account: users, sessions, captchas, throttles and the audit search.

const userColumns = `u.id, u.username, u.role, COALESCE(u.employer_id, 0), COALESCE(e.name, ''),
    COALESCE(u.office, ''), u.password_hash, u.must_change_password, u.disabled, u.created_at,
    u.totp_secret, u.totp_sealed, u.totp_enabled, u.totp_last_step`

const userFrom = ` FROM users u LEFT JOIN employers e ON e.id = u.employer_id`

func scanUser(row interface{ Scan(...any) error }) (account.User, error) {
	var u account.User
	var role string
	err := row.Scan(&u.ID, &u.Username, &role, &u.EmployerID, &u.EmployerName, &u.Office, &u.PasswordHash,
		&u.MustChangePassword, &u.Disabled, &u.CreatedAt, &u.TOTPSecret, &u.TOTPSealed, &u.TOTPEnabled, &u.TOTPLastStep)
	if err != nil {
		return account.User{}, err
	}
	u.Role = actor.Role(role)
	return u, nil
}

func (tx AccountTx) userWhere(ctx context.Context, cond string, arg any) (account.User, error) {
	u, err := scanUser(tx.tx.QueryRowContext(ctx, `SELECT `+userColumns+userFrom+` WHERE `+cond, arg))
	if isNoRows(err) {
		return account.User{}, apperr.NotFoundf("账号")
	}
	if err != nil {
		return account.User{}, fmt.Errorf("load user: %w", err)
	}
	return u, nil
}

// UserByUsername loads a user by (normalised) user name or credit code.
func (tx AccountTx) UserByUsername(ctx context.Context, username string) (account.User, error) {
	return tx.userWhere(ctx, `u.username = $1`, username)
}

// UserByID loads a user.
func (tx AccountTx) UserByID(ctx context.Context, id int64) (account.User, error) {
	return tx.userWhere(ctx, `u.id = $1`, id)
}

// ListUsers lists users whose name or employer name contains the query, by user name; with
// f.Within, only the accounts of that office subtree (staff of its offices, employers whose
// federation office lies in it).
func (tx AccountTx) ListUsers(ctx context.Context, f account.UserFilter) ([]account.User, error) {
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Query) + "%"
	match := `(u.username LIKE $1 ESCAPE '\' OR COALESCE(e.name, '') LIKE $1 ESCAPE '\')`
	q, args := `SELECT `+userColumns+userFrom+` WHERE `+match, []any{like, f.Limit}
	if f.Within != "" {
		// subtreeCTE reads the office as $1; the other parameters move up by one.
		q = subtreeCTE + `SELECT ` + userColumns + userFrom + ` WHERE ` + strings.ReplaceAll(match, "$1", "$2") +
			` AND (u.office IN (SELECT code FROM sub) OR e.federation_office IN (SELECT code FROM sub))`
		args = []any{f.Within, like, f.Limit}
	}
	rows, err := tx.tx.QueryContext(ctx, q+fmt.Sprintf(` ORDER BY u.role DESC, u.username LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []account.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("scan user: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// InsertUser creates a user and returns its id.
func (tx AccountTx) InsertUser(ctx context.Context, u account.User) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO users (username, role, employer_id, office, password_hash,
        must_change_password, disabled, failed_logins, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, FALSE, 0, $7, $7) RETURNING id`,
		u.Username, string(u.Role), nullID(u.EmployerID), nullText(u.Office), u.PasswordHash,
		u.MustChangePassword, tx.now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert user %s: %w", u.Username, err)
	}
	return id, nil
}

// InsertEmployer creates the employers row of a registration.
func (tx AccountTx) InsertEmployer(ctx context.Context, e account.NewEmployer) (int64, error) {
	var id int64
	// A new unit chooses its nature on the profile page (a required field), so none is assumed.
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO employers (credit_code, name, contact_name, contact_phone,
        unit_nature, created_at, updated_at) VALUES ($1, $2, $3, $4, '', $5, $5) RETURNING id`,
		e.CreditCode, e.Name, e.ContactName, e.ContactPhone, tx.now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert employer: %w", err)
	}
	return id, nil
}

// EmployerOffice returns the employer's federation office code ("" when not chosen yet).
func (tx AccountTx) EmployerOffice(ctx context.Context, employerID int64) (string, error) {
	var office sql.NullString
	err := tx.tx.QueryRowContext(ctx, `SELECT federation_office FROM employers WHERE id = $1`, employerID).Scan(&office)
	if isNoRows(err) {
		return "", apperr.NotFoundf("单位")
	}
	if err != nil {
		return "", fmt.Errorf("employer %d office: %w", employerID, err)
	}
	return office.String, nil
}

// LoginFailures lists the failed-login counts of a user, newest first.
func (tx AccountTx) LoginFailures(ctx context.Context, userID int64) ([]account.LoginFailure, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT prefix, failures, unseen, first_at, last_at FROM login_failures
        WHERE user_id = $1 ORDER BY last_at DESC, prefix`, userID)
	if err != nil {
		return nil, fmt.Errorf("login failures of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []account.LoginFailure
	for rows.Next() {
		var f account.LoginFailure
		if err := rows.Scan(&f.Prefix, &f.Failures, &f.Unseen, &f.FirstAt, &f.LastAt); err != nil {
			return nil, fmt.Errorf("scan login failure: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// RecordLoginFailure counts a failed login of (user, prefix) in one upsert, so concurrent failures
// are all counted; a count whose last failure is before windowStart starts again at 1.
func (tx AccountTx) RecordLoginFailure(ctx context.Context, userID int64, prefix string, windowStart time.Time) (account.LoginFailure, error) {
	f := account.LoginFailure{Prefix: prefix}
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO login_failures (user_id, prefix, failures, unseen, first_at, last_at)
        VALUES ($1, $2, 1, 1, $3, $3)
        ON CONFLICT (user_id, prefix) DO UPDATE SET
            failures = CASE WHEN login_failures.last_at < $4 THEN 1 ELSE login_failures.failures + 1 END,
            first_at = CASE WHEN login_failures.last_at < $4 THEN $3 ELSE login_failures.first_at END,
            unseen = login_failures.unseen + 1,
            last_at = $3
        RETURNING failures, unseen, first_at, last_at`, userID, prefix, tx.now, windowStart.UTC()).
		Scan(&f.Failures, &f.Unseen, &f.FirstAt, &f.LastAt)
	if err != nil {
		return account.LoginFailure{}, fmt.Errorf("record login failure of user %d: %w", userID, err)
	}
	return f, nil
}

// ClearLoginFailures deletes the count of prefix ("" = all of the user's) and marks the rest seen.
func (tx AccountTx) ClearLoginFailures(ctx context.Context, userID int64, prefix string) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM login_failures WHERE user_id = $1 AND ($2 = '' OR prefix = $2)`,
		userID, prefix); err != nil {
		return fmt.Errorf("clear login failures of user %d: %w", userID, err)
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE login_failures SET unseen = 0 WHERE user_id = $1 AND unseen <> 0`, userID); err != nil {
		return fmt.Errorf("mark login failures seen for user %d: %w", userID, err)
	}
	return nil
}

// SetTOTP stores the user's sealed second-factor secret and whether it is enrolled; an enrolment
// started or removed (not enabled) starts with no used time step. A secret left in clear by an
// earlier release is cleared.
func (tx AccountTx) SetTOTP(ctx context.Context, userID int64, sealed []byte, enabled bool) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE users SET
        totp_last_step = CASE WHEN $3 THEN totp_last_step ELSE 0 END,
        totp_sealed = $2, totp_secret = '', totp_enabled = $3, updated_at = $4 WHERE id = $1`, userID, sealed, enabled, tx.now)
	if err != nil {
		return fmt.Errorf("set second factor of user %d: %w", userID, err)
	}
	return nil
}

// UseTOTPStep records step as the last one used: one conditional update, so two requests racing
// with the same code cannot both succeed.
func (tx AccountTx) UseTOTPStep(ctx context.Context, userID int64, step int64) (bool, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, userID, step)
	if err != nil {
		return false, fmt.Errorf("use TOTP step of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReplaceRecoveryCodes replaces the user's recovery codes by these hashes (none: removes them).
func (tx AccountTx) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete recovery codes of user %d: %w", userID, err)
	}
	for _, h := range hashes {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
			return fmt.Errorf("insert recovery code of user %d: %w", userID, err)
		}
	}
	return nil
}

// UseRecoveryCode spends an unused recovery code, reporting whether there was one.
func (tx AccountTx) UseRecoveryCode(ctx context.Context, userID int64, hash string) (bool, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $3
        WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, userID, hash, tx.now)
	if err != nil {
		return false, fmt.Errorf("use recovery code of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// InsertPendingLogin stores the second step of a login.
func (tx AccountTx) InsertPendingLogin(ctx context.Context, p account.PendingLogin) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO pending_logins (token_hash, user_id, client_addr, browser, attempts, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6)`, p.TokenHash, p.UserID, p.ClientAddr, p.Browser, p.Attempts, p.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("insert pending login: %w", err)
	}
	return nil
}

// TakePendingLogin deletes a pending login and returns it: one statement, single use.
func (tx AccountTx) TakePendingLogin(ctx context.Context, tokenHash string) (account.PendingLogin, error) {
	var p account.PendingLogin
	err := tx.tx.QueryRowContext(ctx, `DELETE FROM pending_logins WHERE token_hash = $1
        RETURNING token_hash, user_id, client_addr, browser, attempts, expires_at`, tokenHash).
		Scan(&p.TokenHash, &p.UserID, &p.ClientAddr, &p.Browser, &p.Attempts, &p.ExpiresAt)
	if isNoRows(err) {
		return account.PendingLogin{}, apperr.NotFoundf("登录")
	}
	if err != nil {
		return account.PendingLogin{}, fmt.Errorf("take pending login: %w", err)
	}
	return p, nil
}

// SetPassword stores a new password hash.
func (tx AccountTx) SetPassword(ctx context.Context, userID int64, hash string, mustChange bool) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, must_change_password = $3,
        updated_at = $4 WHERE id = $1`, userID, hash, mustChange, tx.now)
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	return nil
}

// SetDisabled disables or enables a user.
func (tx AccountTx) SetDisabled(ctx context.Context, userID int64, disabled bool) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE users SET disabled = $2, updated_at = $3 WHERE id = $1`, userID, disabled, tx.now)
	if err != nil {
		return fmt.Errorf("set disabled of user %d: %w", userID, err)
	}
	return nil
}

// InsertSession stores a new session.
func (tx AccountTx) InsertSession(ctx context.Context, s account.Session) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, client_addr, browser)
        VALUES ($1, $2, $3, $4, $5, $6)`, s.TokenHash, s.UserID, s.CreatedAt.UTC(), s.LastSeenAt.UTC(), s.ClientAddr, s.Browser)
	if err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// SessionByHash loads a session by its token hash, with its user: resolving a session is on every
// signed-in request, and one read instead of two is one round trip fewer.
func (tx AccountTx) SessionByHash(ctx context.Context, tokenHash string) (account.Session, account.User, error) {
	var s account.Session
	row := tx.tx.QueryRowContext(ctx, `SELECT s.token_hash, s.user_id, s.created_at, s.last_seen_at, s.client_addr, s.browser,
        `+userColumns+` FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN employers e ON e.id = u.employer_id
        WHERE s.token_hash = $1`, tokenHash)
	u, err := scanUser(scanAfter{row, []any{&s.TokenHash, &s.UserID, &s.CreatedAt, &s.LastSeenAt, &s.ClientAddr, &s.Browser}})
	if isNoRows(err) {
		return account.Session{}, account.User{}, apperr.NotFoundf("会话")
	}
	if err != nil {
		return account.Session{}, account.User{}, fmt.Errorf("load session: %w", err)
	}
	return s, u, nil
}

// scanAfter scans a row whose first columns go to first and the rest to what Scan is given: a
// session's columns ahead of its user's (scanUser).
type scanAfter struct {
	row   interface{ Scan(...any) error }
	first []any
}

func (s scanAfter) Scan(dest ...any) error { return s.row.Scan(append(s.first, dest...)...) }

// ListSessions lists a user's sessions, oldest first.
func (tx AccountTx) ListSessions(ctx context.Context, userID int64) ([]account.Session, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT token_hash, user_id, created_at, last_seen_at, client_addr, browser
        FROM sessions WHERE user_id = $1 ORDER BY created_at, token_hash`, userID)
	if err != nil {
		return nil, fmt.Errorf("list sessions of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []account.Session
	for rows.Next() {
		var s account.Session
		if err := rows.Scan(&s.TokenHash, &s.UserID, &s.CreatedAt, &s.LastSeenAt, &s.ClientAddr, &s.Browser); err != nil {
			return nil, fmt.Errorf("scan session: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// TouchSession records activity on a session.
func (tx AccountTx) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1`, tokenHash, at.UTC()); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession deletes one session (absent is fine).
func (tx AccountTx) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user.
func (tx AccountTx) DeleteUserSessions(ctx context.Context, userID int64) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	return nil
}

// InsertCaptcha stores a challenge.
func (tx AccountTx) InsertCaptcha(ctx context.Context, c account.Captcha) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO captchas (id, answer_hash, digits, expires_at) VALUES ($1, $2, $3, $4)`,
		c.ID, c.AnswerHash, c.Digits, c.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("insert captcha: %w", err)
	}
	return nil
}

// CaptchaByID loads a challenge without consuming it (the audio version).
func (tx AccountTx) CaptchaByID(ctx context.Context, id string) (account.Captcha, error) {
	var c account.Captcha
	err := tx.tx.QueryRowContext(ctx, `SELECT id, answer_hash, digits, expires_at FROM captchas WHERE id = $1`, id).
		Scan(&c.ID, &c.AnswerHash, &c.Digits, &c.ExpiresAt)
	if isNoRows(err) {
		return account.Captcha{}, apperr.NotFoundf("验证码")
	}
	if err != nil {
		return account.Captcha{}, fmt.Errorf("load captcha: %w", err)
	}
	return c, nil
}

// TakeCaptcha deletes a challenge and returns it: one statement, so two requests racing with the same
// id cannot both get it.
func (tx AccountTx) TakeCaptcha(ctx context.Context, id string) (account.Captcha, error) {
	var c account.Captcha
	err := tx.tx.QueryRowContext(ctx, `DELETE FROM captchas WHERE id = $1 RETURNING id, answer_hash, digits, expires_at`, id).
		Scan(&c.ID, &c.AnswerHash, &c.Digits, &c.ExpiresAt)
	if isNoRows(err) {
		return account.Captcha{}, apperr.NotFoundf("验证码")
	}
	if err != nil {
		return account.Captcha{}, fmt.Errorf("take captcha: %w", err)
	}
	return c, nil
}

// DeleteExpiredCaptchas sweeps challenges nobody answered.
func (tx AccountTx) DeleteExpiredCaptchas(ctx context.Context, now time.Time) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM captchas WHERE expires_at < $1`, now.UTC()); err != nil {
		return fmt.Errorf("sweep captchas: %w", err)
	}
	return nil
}

// ThrottleCount returns the hits of bucket in the window that started after windowStart (0 when the
// bucket's window is older).
func (tx AccountTx) ThrottleCount(ctx context.Context, bucket string, windowStart time.Time) (int, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT hits FROM throttles WHERE bucket = $1 AND window_start > $2`,
		bucket, windowStart.UTC()).Scan(&n)
	if isNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read throttle: %w", err)
	}
	return n, nil
}

// ThrottleHit counts one hit in bucket, starting a new window at now when the current one began at
// or before windowStart, and returns the hits in the window. One upsert statement, so concurrent hits
// are all counted.
func (tx AccountTx) ThrottleHit(ctx context.Context, bucket string, now, windowStart time.Time) (int, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO throttles (bucket, hits, window_start) VALUES ($1, 1, $2)
        ON CONFLICT (bucket) DO UPDATE SET
            hits = CASE WHEN throttles.window_start <= $3 THEN 1 ELSE throttles.hits + 1 END,
            window_start = CASE WHEN throttles.window_start <= $3 THEN $2 ELSE throttles.window_start END
        RETURNING hits`, bucket, now.UTC(), windowStart.UTC()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("throttle hit: %w", err)
	}
	return n, nil
}

// OfficePath returns a federation office and the offices above it, nearest first (scope.Tree).
func (tx AccountTx) OfficePath(ctx context.Context, code string) ([]scope.Office, error) {
	return tx.officePath(ctx, code)
}

// OfficeWithin reports whether office is ancestor or lies below it in the federation office tree.
func (tx AccountTx) OfficeWithin(ctx context.Context, office, ancestor string) (bool, error) {
	return tx.officeWithin(ctx, office, ancestor)
}

// SearchAudit filters the audit log, newest first, and returns one page and the total count.
//
// With q.Within, only the entries whose actor or object lies in that office subtree (scope). Each
// side has its own index, audit_log (actor_office, id) and (subject_office, id), read for the
// subtree's offices bound as values: the count combines the two index scans of the subtree's
// entries (SQLite: MULTI-INDEX OR, PostgreSQL: BitmapOr), and the
// page reads, per office and side, only the newest offset+limit ids along its index, and then the
// rows of the page. As one "a OR b ORDER BY id DESC", both planners may instead walk the primary
// key backwards, which reads nearly the whole log for a quiet district.
func (tx AccountTx) SearchAudit(ctx context.Context, q account.AuditQuery) ([]audit.Entry, int, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	conds := []string{"1 = 1"}
	if q.Actor != "" {
		conds = append(conds, `actor_name LIKE `+arg(esc.Replace(q.Actor)+"%")+` ESCAPE '\'`)
	}
	if q.Action != "" {
		conds = append(conds, `action LIKE `+arg(esc.Replace(q.Action)+"%")+` ESCAPE '\'`)
	}
	if !q.From.IsZero() {
		conds = append(conds, `at >= `+arg(q.From.UTC()))
	}
	if !q.To.IsZero() {
		conds = append(conds, `at < `+arg(q.To.UTC()))
	}
	filter := strings.Join(conds, " AND ")
	const columns = `a.id, a.at, COALESCE(a.actor_id, 0), a.actor_name, a.action, a.object_type, a.object_id, a.outcome,
        a.client_addr, a.detail`
	countSQL := `SELECT COUNT(*) FROM audit_log WHERE ` + filter
	var pageSQL string
	if q.Within == "" {
		pageSQL = `SELECT ` + columns + ` FROM audit_log a WHERE ` + filter + ` ORDER BY a.id DESC`
	} else {
		codes, err := tx.subtreeCodes(ctx, q.Within)
		if err != nil {
			return nil, 0, err
		}
		in := make([]string, len(codes))
		for i, c := range codes {
			in[i] = arg(c)
		}
		list := "(NULL)"
		if len(in) > 0 {
			list = "(" + strings.Join(in, ", ") + ")"
		}
		countSQL = `SELECT COUNT(*) FROM audit_log WHERE (actor_office IN ` + list + ` OR subject_office IN ` + list + `) AND ` + filter
		// The page: for each office and side, the newest offset+limit ids, read backwards along
		// (office, id); then their union, and only then their rows.
		top := fmt.Sprintf("$%d", len(args)+1) // bound after the count
		var newest []string
		for i, c := range in {
			for _, col := range []string{"actor_office", "subject_office"} {
				newest = append(newest, fmt.Sprintf(`SELECT id FROM (SELECT id FROM audit_log WHERE %s = %s AND %s
                    ORDER BY id DESC LIMIT %s) AS %s%d`, col, c, filter, top, col, i))
			}
		}
		if len(newest) == 0 {
			newest = []string{`SELECT id FROM audit_log WHERE 1 = 0`}
		}
		pageSQL = `SELECT ` + columns + ` FROM (` + strings.Join(newest, " UNION ") + `) AS hits
            CROSS JOIN audit_log a WHERE a.id = hits.id ORDER BY a.id DESC`
	}
	var total int
	if err := tx.tx.QueryRowContext(ctx, countSQL, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit: %w", err)
	}
	if q.Within != "" {
		arg(q.Offset + q.Limit)
	}
	pageSQL += ` LIMIT ` + arg(q.Limit) + ` OFFSET ` + arg(q.Offset)
	rows, err := tx.tx.QueryContext(ctx, pageSQL, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("search audit: %w", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var outcome string
		if err := rows.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.ObjectType,
			&e.ObjectID, &outcome, &e.ClientAddr, &e.Detail); err != nil {
			return nil, 0, fmt.Errorf("scan audit: %w", err)
		}
		e.Outcome = audit.Outcome(outcome)
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// PurgeSessions deletes sessions idle since before idleBefore or created before createdBefore.
func (tx AccountTx) PurgeSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2`,
		idleBefore.UTC(), createdBefore.UTC())
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	return res.RowsAffected()
}

// PurgeThrottles deletes throttle counters whose window started before windowBefore, pending
// logins that expired before it, and failed-login counts last hit before failuresBefore.
func (tx AccountTx) PurgeThrottles(ctx context.Context, windowBefore, failuresBefore time.Time) (int64, error) {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM throttles WHERE window_start < $1`, windowBefore.UTC())
	if err != nil {
		return 0, fmt.Errorf("purge throttles: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM pending_logins WHERE expires_at < $1`, windowBefore.UTC()); err != nil {
		return 0, fmt.Errorf("purge pending logins: %w", err)
	}
	// A platform sign-in lives FlowTTL (10 minutes), less than the window: purged rows are past use,
	// and until then a used state is still told apart as a replay.
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM oidc_pending_logins WHERE created_at < $1`, windowBefore.UTC()); err != nil {
		return 0, fmt.Errorf("purge pending platform sign-ins: %w", err)
	}
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM login_failures WHERE last_at < $1`, failuresBefore.UTC()); err != nil {
		return 0, fmt.Errorf("purge login failures: %w", err)
	}
	return n, nil
}
