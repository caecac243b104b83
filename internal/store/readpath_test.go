package store_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"testing"
	"time"

	"quotacert/internal/apperr"
	"quotacert/internal/readtx"
	"quotacert/internal/store"
	"quotacert/internal/store/postgres"
	"quotacert/internal/store/storetest"
)

// TestReadOnlyTransactions: a transaction marked read-only refuses a write (the database says
// no, on both dialects), is counted apart, and reads while a write transaction holds the write
// lock — the point of the read path: page views do not queue behind saves.
func TestReadOnlyTransactions(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		before := db.Stats()
		err := db.InTx(readtx.Mark(ctx), func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE readiness_probe SET probed_at = 'x' WHERE id = 1`)
			return err
		})
		if err == nil {
			t.Fatal("a write inside a read-only transaction was allowed")
		}
		if st := db.Stats(); st.ReadOnly != before.ReadOnly+1 || st.Transactions != before.Transactions+1 {
			t.Errorf("stats after one read-only transaction: %+v, before %+v", st, before)
		}

		holding, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- db.InTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, `UPDATE readiness_probe SET probed_at = 'held' WHERE id = 1`); err != nil {
					return err
				}
				close(holding)
				<-release
				return nil
			})
		}()
		<-holding
		start := time.Now()
		var seen string
		err = db.InTx(readtx.Mark(ctx), func(tx *store.Tx) error {
			return tx.QueryRow(ctx, `SELECT probed_at FROM readiness_probe WHERE id = 1`).Scan(&seen)
		})
		took := time.Since(start)
		close(release)
		if err != nil || took > time.Second {
			t.Errorf("read beside a held write: %v after %v", err, took)
		}
		if seen == "held" {
			t.Error("the read saw the uncommitted write")
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestHeldLockIsUnavailable: a write that cannot get the lock within the lock timeout fails as
// Unavailable (503) after about that long — not a hang, not a 500.
func TestHeldLockIsUnavailable(t *testing.T) {
	storetest.Each(t, storetest.Options{LockTimeout: 300 * time.Millisecond}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		holding, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- db.InTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, `UPDATE readiness_probe SET probed_at = 'held' WHERE id = 1`); err != nil {
					return err
				}
				close(holding)
				<-release
				return nil
			})
		}()
		<-holding
		start := time.Now()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE readiness_probe SET probed_at = 'second' WHERE id = 1`)
			return err
		})
		took := time.Since(start)
		close(release)
		if apperr.CodeOf(err) != apperr.Unavailable || took > 3*time.Second {
			t.Errorf("write behind a held lock: %v after %v, want Unavailable within the lock timeout", err, took)
		}
		if db.Stats().Faults["timeout"] != 1 {
			t.Errorf("faults: %v", db.Stats().Faults)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := db.WriteProbe(ctx, "test"); err != nil {
			t.Errorf("probe after the lock was released: %v", err)
		}
	})
}

// TestBrokenConnectionIsRetried: after the server ends every connection of the pool (as a
// PostgreSQL restart does), the next transaction still succeeds: the dead connection's failure is
// retried once on a fresh one, and the user never sees it.
func TestBrokenConnectionIsRetried(t *testing.T) {
	dsn := storetest.PGSchemaDSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	name := "qc_retry_" + u.Query().Get("search_path")
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	ctx := context.Background()
	db, err := postgres.Open(ctx, u.String(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", storetest.PGDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for round := range 3 {
		// Keep several idle connections in the pool, then end them all from the server side.
		warm := make(chan error, 4)
		for range 4 {
			go func() {
				warm <- db.InTx(readtx.Mark(ctx), func(tx *store.Tx) error {
					_, err := tx.Exec(ctx, `SELECT pg_sleep(0.05)`)
					return err
				})
			}()
		}
		for range 4 {
			if err := <-warm; err != nil {
				t.Fatal(err)
			}
		}
		var killed int
		if err := admin.QueryRow(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, name).Scan(&killed); err != nil {
			t.Fatal(err)
		}
		if killed == 0 {
			t.Fatalf("round %d: no connection of the pool found to end", round)
		}
		time.Sleep(50 * time.Millisecond)
		for i := range 4 {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE readiness_probe SET probed_at = 'after restart' WHERE id = 1`)
				return err
			})
			if err != nil {
				t.Errorf("round %d, request %d after the connections were ended: %v", round, i, err)
			}
		}
	}
	st := db.Stats()
	t.Logf("after 3 rounds of ended connections: %d retries, faults %v", st.Retries, st.Faults)
	if st.Faults["broken"] != 0 {
		t.Errorf("faults seen by users: %v", st.Faults)
	}
}

// TestReadiness: the schema check fails on a database without this release's schema and passes
// once migrated; the write probe fails on storage that refuses writes (a read-only PostgreSQL
// session) and while another session holds the migration lock the database reports migrating.
func TestReadiness(t *testing.T) {
	storetest.Each(t, storetest.Options{Before: "0300_readiness_probe.sql"}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.SchemaCurrent(ctx); err == nil {
			t.Error("schema reported current with migrations missing")
		}
		if err := db.WriteProbe(ctx, ""); err == nil {
			t.Error("write probe passed without its table")
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.SchemaCurrent(ctx); err != nil {
			t.Errorf("schema after migrating: %v", err)
		}
		if err := db.WriteProbe(ctx, "test"); err != nil {
			t.Errorf("write probe: %v", err)
		}
		if busy, err := db.Migrating(ctx); busy || err != nil {
			t.Errorf("migrating at rest: %v %v", busy, err)
		}
	})
	t.Run("postgres-refuses-writes", func(t *testing.T) {
		ctx := context.Background()
		dsn := storetest.PGSchemaDSN(t)
		db, err := postgres.Open(ctx, dsn, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		ro, err := postgres.Open(ctx, dsn+"&default_transaction_read_only=on", time.Now)
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		err = ro.WriteProbe(ctx, "")
		if apperr.CodeOf(err) != apperr.Unavailable || ro.Stats().Faults["storage"] != 1 {
			t.Errorf("probe on a read-only session: %v (faults %v), want Unavailable as storage", err, ro.Stats().Faults)
		}
		// Another instance migrating holds the advisory lock in its transaction.
		lock, err := db.SQL().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Rollback()
		if _, err := lock.Exec(`SELECT pg_advisory_xact_lock(73002026, hashtext(current_schema()))`); err != nil {
			t.Fatal(err)
		}
		if busy, err := db.Migrating(ctx); !busy || err != nil {
			t.Errorf("migrating while the lock is held: %v %v", busy, err)
		}
		if err := lock.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			t.Fatal(err)
		}
		if busy, err := db.Migrating(ctx); busy || err != nil {
			t.Errorf("migrating after the lock was released: %v %v", busy, err)
		}
	})
}
