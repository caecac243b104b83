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

	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/readtx"
)

// Dialect is what differs between the databases. Everything else is shared SQL.
type Dialect struct {
	Name string // "sqlite" or "postgres"
	// Types replaces the tokens of the migration files: {{id}}, {{blob}}, {{timestamp}}.
	Types map[string]string
	// LockMigrations serialises concurrent migrators (several servers starting at once).
	LockMigrations func(ctx context.Context, tx Execer) error
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
	// Fault classifies a driver error: a broken connection (worth one more try on a fresh
	// connection), a timeout or held lock, storage that refuses writes, or none of these (FaultNone:
	// the error is the caller's to judge). nil treats every error as FaultNone.
	Fault func(error) Fault
	// ReadOnly is how a read-only transaction is begun on the read pool: PostgreSQL asks for READ
	// ONLY; SQLite's read pool is query_only already and begins deferred, so it needs no options.
	ReadOnly *sql.TxOptions
	// ReadAutocommit runs a read-only unit of work on a read-pool connection without BEGIN and
	// COMMIT, two round trips of the three of a one-query read. PostgreSQL: its read pool's
	// connections make every statement a read-only transaction of its own
	// (default_transaction_read_only), and under READ COMMITTED each statement sees what had
	// committed when it began whether it runs inside a transaction or not, so an explicit one
	// would add round trips and no consistency. SQLite keeps its deferred transaction: there it
	// is the snapshot across statements, and costs no round trip.
	ReadAutocommit bool
	// Migrating, when set, reports whether a migrator holds the migration lock (readiness).
	Migrating func(ctx context.Context, db *sql.DB) (bool, error)
}

// Fault is the kind of database fault behind an error; the store answers each with a 503 that says
// what happened, never with "signed out" or a bare 500.
type Fault int

// The faults.
const (
	FaultNone    Fault = iota
	FaultBroken        // the connection broke (server restarted, network): retried once
	FaultTimeout       // a statement or lock timeout elapsed, or the pool had no connection in time
	FaultStorage       // the database refuses writes (read-only, disk full, I/O error)
)

// faultMessages are the Chinese answers of the faults (503).
var faultMessages = map[Fault]string{
	FaultBroken:  "数据库暂时无法连接，请稍后重试；您的登录状态和已保存的内容不受影响",
	FaultTimeout: "数据库繁忙，本次操作超时未完成，请稍后重试；未完成的操作不会留下部分修改",
	FaultStorage: "数据库暂时无法写入，请稍后重试或联系管理员；未完成的操作不会留下部分修改",
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
	sql     *sql.DB // the writer pool (SQLite: one connection)
	read    *sql.DB // the read pool: read-only transactions; the writer pool when nil
	dialect Dialect
	now     func() time.Time
	// lockWait bounds the wait for a writer connection (SQLite has one): past it the transaction
	// fails as FaultTimeout instead of queueing without end. Zero: no bound.
	lockWait time.Duration

	begun     atomic.Uint64 // transactions begun by InTx, read-only ones included
	readBegun atomic.Uint64 // read-only transactions begun
	retries   atomic.Uint64 // transactions run a second time after a broken connection
	faults    [4]atomic.Uint64
	txNanos   atomic.Uint64 // time spent inside transactions, begin to commit or rollback
}

// New wraps an opened database. now is the injected clock; each transaction reads it once.
func New(db *sql.DB, d Dialect, now func() time.Time) *DB {
	return &DB{sql: db, dialect: d, now: now}
}

// Options are the optional parts of a database handle, set by the dialect's Open.
type Options struct {
	// Read is a second pool for read-only transactions (SQLite: deferred, query_only connections
	// that read beside the writer under WAL). nil: read-only transactions use the writer pool.
	Read *sql.DB
	// LockWait bounds the wait for a writer connection; see DB.lockWait.
	LockWait time.Duration
}

// NewWith is New with a read pool and a bound on the writer wait.
func NewWith(db *sql.DB, d Dialect, now func() time.Time, o Options) *DB {
	return &DB{sql: db, read: o.Read, dialect: d, now: now, lockWait: o.LockWait}
}

// Dialect names the database in use ("sqlite" or "postgres").
func (db *DB) Dialect() string { return db.dialect.Name }

// Ping checks that the database answers; /healthz uses it. It reads on the read pool, so that a
// long write does not make a live instance look dead.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.readPool().QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping %s: %w", db.dialect.Name, err)
	}
	return nil
}

// Close closes the pools after in-flight queries finish.
func (db *DB) Close() error {
	err := db.sql.Close()
	if db.read != nil {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

func (db *DB) readPool() *sql.DB {
	if db.read != nil {
		return db.read
	}
	return db.sql
}

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
	tx   statements // the transaction, or the connection of an autocommit read (Dialect.ReadAutocommit)
	conn *sql.Conn  // the connection tx runs on, for Dialect.CopyFrom
	now  time.Time
	db   *DB
	bulk bulkState // prepared bulk statements and the import staging table (bulk.go, stage.go)
}

// Execer runs a statement in a migration's transaction (Dialect.LockMigrations).
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// statements is what a unit of work runs its statements on: *sql.Tx, or *sql.Conn for an
// autocommit read.
type statements interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
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

func (db *DB) inTx(ctx context.Context, fn func(*txn) error) error {
	err := db.attempt(ctx, fn)
	if err != nil && db.fault(err) == FaultBroken && ctx.Err() == nil && !errors.As(err, new(*commitError)) {
		// A dead pooled connection (the server restarted) fails the first statement. Nothing was
		// committed, so the whole unit of work runs once more on a fresh connection. A failed
		// commit is not retried: whether it reached the disk is unknown.
		db.retries.Add(1)
		err = db.attempt(ctx, fn)
	}
	if err == nil {
		return nil
	}
	if f := db.fault(err); f != FaultNone {
		db.faults[f].Add(1)
		return apperr.Wrap(apperr.Unavailable, faultMessages[f], err)
	}
	return err
}

// commitError marks a failed commit, which must not be retried.
type commitError struct{ err error }

func (e *commitError) Error() string { return "commit: " + e.err.Error() }
func (e *commitError) Unwrap() error { return e.err }

// fault classifies err; a deadline of the caller's context while waiting for the database is a
// timeout too.
func (db *DB) fault(err error) Fault {
	if errors.Is(err, context.Canceled) {
		return FaultNone // the client went away; nobody reads the answer
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code != apperr.Internal {
		return FaultNone // a domain answer (not found, conflict…) that merely wraps a cause
	}
	if db.dialect.Fault != nil {
		if f := db.dialect.Fault(err); f != FaultNone {
			return f
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errWriterWait) {
		return FaultTimeout
	}
	return FaultNone
}

var errWriterWait = errors.New("no writer connection free within the lock timeout")

// attempt runs fn in one transaction. A context marked by readtx runs read-only on the read pool.
func (db *DB) attempt(ctx context.Context, fn func(*txn) error) (err error) {
	readOnly := readtx.Marked(ctx)
	pool, opts := db.sql, (*sql.TxOptions)(nil)
	if readOnly {
		pool, opts = db.readPool(), db.dialect.ReadOnly
	}
	acquire := ctx
	if !readOnly && db.lockWait > 0 {
		var cancel context.CancelFunc
		acquire, cancel = context.WithTimeout(ctx, db.lockWait)
		defer cancel()
	}
	conn, err := pool.Conn(acquire)
	if err != nil {
		if acquire.Err() != nil && ctx.Err() == nil {
			err = errors.Join(errWriterWait, err)
		}
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer conn.Close()
	if readOnly && db.dialect.ReadAutocommit && db.read != nil {
		start := time.Now()
		db.begun.Add(1)
		db.readBegun.Add(1)
		defer func() { db.txNanos.Add(uint64(time.Since(start))) }()
		return fn(&txn{tx: conn, conn: conn, now: db.now().UTC(), db: db})
	}
	stx, err := conn.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	start := time.Now()
	db.begun.Add(1)
	if readOnly {
		db.readBegun.Add(1)
	}
	t := &txn{tx: stx, conn: conn, now: db.now().UTC(), db: db}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			db.txNanos.Add(uint64(time.Since(start)))
			panic(p)
		}
		if err != nil {
			_ = stx.Rollback()
		}
		db.txNanos.Add(uint64(time.Since(start)))
	}()
	if err = fn(t); err != nil {
		return err
	}
	if err = stx.Commit(); err != nil {
		return &commitError{err}
	}
	return nil
}

// Stats are the figures of the handle for /metrics.
type Stats struct {
	Write, Read   sql.DBStats // the pools (Read equals Write when there is one pool)
	Transactions  uint64      // begun, read-only ones included
	ReadOnly      uint64      // read-only transactions begun
	Retries       uint64      // re-run after a broken connection
	Faults        map[string]uint64
	TxTimeSeconds float64 // total time inside transactions
}

// Stats reads the current figures.
func (db *DB) Stats() Stats {
	st := Stats{Write: db.sql.Stats(), Read: db.readPool().Stats(), Transactions: db.begun.Load(),
		ReadOnly: db.readBegun.Load(), Retries: db.retries.Load(),
		TxTimeSeconds: time.Duration(db.txNanos.Load()).Seconds(),
		Faults: map[string]uint64{"broken": db.faults[FaultBroken].Load(),
			"timeout": db.faults[FaultTimeout].Load(), "storage": db.faults[FaultStorage].Load()}}
	return st
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
