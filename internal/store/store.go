// Package store is the one SQL implementation of every domain store, for SQLite and PostgreSQL
// alike. The SQL is written once with $n placeholders (both drivers bind them by number); the
// per-dialect packages store/sqlite and store/postgres only open the driver, tune it and classify
// driver errors. Business rules do not live here: the domain packages decide, the store persists.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"quotacert/internal/audit"
)

// Dialect is what differs between the databases. Everything else is shared SQL.
type Dialect struct {
	Name string // "sqlite" or "postgres"
	// Types replaces the tokens of the migration files: {{id}}, {{blob}}, {{timestamp}}.
	Types map[string]string
	// LockMigrations serialises concurrent migrators (several servers starting at once).
	LockMigrations func(ctx context.Context, tx *sql.Tx) error
	// ForUpdate is appended to the SELECT that locks an employer's year (lock.go): " FOR UPDATE" on
	// PostgreSQL, "" on SQLite, whose transactions already run one writer at a time.
	ForUpdate string
	// IsUniqueViolation reports a unique or primary-key constraint violation.
	IsUniqueViolation func(error) bool
	// CopyFrom, when set, is the database's own bulk-load path (PostgreSQL COPY): it writes the rows
	// of src into table's columns on conn, inside the transaction open on conn. Without it bulk
	// writes fall back to multi-row INSERT statements. It lives in the dialect so that the driver
	// (pgx) stays in store/postgres and the domain packages never see it.
	CopyFrom func(ctx context.Context, conn *sql.Conn, table string, columns []string, src CopySource) (int64, error)
	// AfterMigrate, when set, runs once migrations changed something: SQLite empties its WAL, so
	// that page images from before a migration that removed personal data (0251: birth dates)
	// leave the disk with it.
	AfterMigrate func(ctx context.Context, db *sql.DB) error
}

// CopySource streams rows to Dialect.CopyFrom; its method set is pgx's CopyFromSource, so the
// PostgreSQL dialect hands it to pgx as it is.
type CopySource interface {
	Next() bool
	Values() ([]any, error)
	Err() error
}

// DB is the database handle shared by every use case.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	now     func() time.Time
	begun   atomic.Uint64 // transactions begun by InTx
}

// New wraps an opened database. now is the injected clock; each transaction reads it once.
func New(db *sql.DB, d Dialect, now func() time.Time) *DB {
	return &DB{sql: db, dialect: d, now: now}
}

// Dialect names the database in use ("sqlite" or "postgres").
func (db *DB) Dialect() string { return db.dialect.Name }

// Ping checks that the database answers; /healthz uses it.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.sql.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping %s: %w", db.dialect.Name, err)
	}
	return nil
}

// Close closes the pool after in-flight queries finish.
func (db *DB) Close() error { return db.sql.Close() }

// Transactions counts the transactions begun on this handle since it was opened (each InTx begins
// one, whether it commits or not). Tests read it to hold use cases to their budget of round trips,
// and metrics can export it.
func (db *DB) Transactions() uint64 { return db.begun.Load() }

// SQL exposes the pool to tests and to bulk loaders that manage their own transactions.
func (db *DB) SQL() *sql.DB { return db.sql }

// txn is one unit of work: every use case runs in exactly one, so a change and its audit record are
// written together or not at all. now is fixed for the whole transaction. The domain ports are thin
// types over it (PlacementTx, ReviewTx, …), one per domain package, each with exactly the methods
// its port declares; Tx is the same transaction for migrations, loaders and tests.
type txn struct {
	tx   *sql.Tx
	conn *sql.Conn // the connection tx runs on, for Dialect.CopyFrom
	now  time.Time
	db   *DB
	bulk bulkState // prepared bulk statements and the import staging table (bulk.go, stage.go)
}

// Tx is a transaction for migration steps, reference-data loaders and tests: raw statements, the
// clock and the audit trail. Use cases never see it; they get their domain's port.
type Tx struct{ *txn }

// Now is the transaction's clock reading (UTC).
func (tx *Tx) Now() time.Time { return tx.now }

// InTx runs fn in a transaction, committing when it returns nil and rolling back otherwise
// (also when it panics, which is then re-raised).
//
// The transaction is begun on a connection taken from the pool for its whole life (and given back
// afterwards), so that a dialect's bulk path can reach the same connection and stay inside the
// same transaction.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) error {
	return db.inTx(ctx, func(t *txn) error { return fn(&Tx{t}) })
}

func (db *DB) inTx(ctx context.Context, fn func(*txn) error) (err error) {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer conn.Close()
	return db.inTxOn(ctx, conn, fn)
}

// inTxOn is inTx on a connection the caller holds (inTxForeignKeysOff prepares its connection).
func (db *DB) inTxOn(ctx context.Context, conn *sql.Conn, fn func(*txn) error) (err error) {
	stx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	db.begun.Add(1)
	t := &txn{tx: stx, conn: conn, now: db.now().UTC(), db: db}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = stx.Rollback()
		}
	}()
	if err = fn(t); err != nil {
		return err
	}
	if err = stx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// runner adapts InTx to a domain package's own transaction interface T (its port), so that domain
// packages declare the store methods they need without importing this package. port wraps the
// transaction in the domain's store type; each domain file exports its runner (PlacementRunner, …).
func runner[T any](db *DB, port func(*txn) T) func(context.Context, func(T) error) error {
	return func(ctx context.Context, fn func(T) error) error {
		return db.inTx(ctx, func(t *txn) error { return fn(port(t)) })
	}
}

// AppendAudit writes an audit record in this transaction. At defaults to the transaction's time.
func (tx *Tx) AppendAudit(ctx context.Context, e audit.Entry) error { return tx.appendAudit(ctx, e) }

func (tx *txn) appendAudit(ctx context.Context, e audit.Entry) error {
	if e.At.IsZero() {
		e.At = tx.now
	}
	if e.Outcome == "" {
		e.Outcome = audit.Success
	}
	var actorID any
	if e.ActorID != 0 {
		actorID = e.ActorID
	}
	// The jurisdiction columns (migration 0100): the actor's office from its account, the object's
	// from the entry's office or employer, both as they are now, in the same statement.
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO audit_log
        (at, actor_id, actor_name, action, object_type, object_id, outcome, client_addr, detail, actor_office, subject_office)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
            (SELECT COALESCE(u.office, e.federation_office) FROM users u LEFT JOIN employers e ON e.id = u.employer_id WHERE u.id = $2),
            COALESCE($10, (SELECT federation_office FROM employers WHERE id = $11)))`,
		e.At.UTC(), actorID, e.ActorName, e.Action, e.ObjectType, e.ObjectID, string(e.Outcome), e.ClientAddr, e.Detail,
		nullText(e.Office), nullID(e.EmployerID))
	if err != nil {
		return fmt.Errorf("append audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditSince lists audit entries at or after since, oldest first (tests and the admin page).
func (tx *Tx) AuditSince(ctx context.Context, since time.Time, limit int) ([]audit.Entry, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT id, at, COALESCE(actor_id, 0), actor_name, action,
        object_type, object_id, outcome, client_addr, detail
        FROM audit_log WHERE at >= $1 ORDER BY id LIMIT $2`, since.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var outcome string
		if err := rows.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.ObjectType,
			&e.ObjectID, &outcome, &e.ClientAddr, &e.Detail); err != nil {
			return nil, fmt.Errorf("scan audit: %w", err)
		}
		e.Outcome = audit.Outcome(outcome)
		out = append(out, e)
	}
	return out, rows.Err()
}

// isNoRows tells sql.ErrNoRows apart; callers turn it into a domain not-found error.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// IsUniqueViolation reports whether err is a unique-constraint violation of the dialect in use;
// services turn it into a conflict the user can understand.
func (db *DB) IsUniqueViolation(err error) bool { return db.dialect.IsUniqueViolation(err) }
