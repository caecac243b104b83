package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"quotacert/internal/audit"
	"quotacert/internal/datakey"
)

// DataKeyTx is the data-key port (datakey.Tx): the key's check value, the re-sealing of every
// sealed value and keyed hash, and the names of the attachments' blobs, over one transaction.
type DataKeyTx struct{ *txn }

// DataKeyRunner runs each data-key use case in one transaction (datakey.NewService).
func DataKeyRunner(db *DB) func(context.Context, func(datakey.Tx) error) error {
	return runner(db, func(t *txn) datakey.Tx { return DataKeyTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx DataKeyTx) Now() time.Time { return tx.now }

// AppendAudit writes an audit record in this transaction.
func (tx DataKeyTx) AppendAudit(ctx context.Context, e audit.Entry) error {
	return tx.appendAudit(ctx, e)
}

// KeyState reads the database's key record.
func (tx DataKeyTx) KeyState(ctx context.Context) (datakey.State, error) {
	var st datakey.State
	var check sql.NullString
	var sealed sql.NullBool
	err := tx.tx.QueryRowContext(ctx, `SELECT (SELECT check_value FROM data_key WHERE id = 1),
        (SELECT files_sealed FROM data_key WHERE id = 1),
        EXISTS (SELECT 1 FROM files), (SELECT COUNT(*) FROM retired_blobs)`).Scan(&check, &sealed, &st.Files, &st.Retired)
	if err != nil {
		return st, fmt.Errorf("read data key state: %w", err)
	}
	st.Check, st.FilesSealed = check.String, sealed.Bool
	return st, nil
}

// AdoptKey records check as the database's key when it has none, and returns the stored one.
func (tx DataKeyTx) AdoptKey(ctx context.Context, check string, filesSealed bool) (string, error) {
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO data_key (id, check_value, files_sealed, created_at)
        VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING`, check, filesSealed, tx.now); err != nil {
		return "", fmt.Errorf("record data key: %w", err)
	}
	var stored string
	if err := tx.tx.QueryRowContext(ctx, `SELECT check_value FROM data_key WHERE id = 1`).Scan(&stored); err != nil {
		return "", fmt.Errorf("read data key: %w", err)
	}
	return stored, nil
}

// sealedColumns are every sealed column of the schema: SealedSample looks at them, Reseal rewrites
// them. A new sealed column must be added here and to Reseal.
var sealedColumns = []struct{ table, column string }{
	{"persons", "id_sealed"},
	{"registry_certificates", "cert_sealed"},
	{"manual_certificates", "cert_sealed"},
	{"registry_persons", "person_sealed"},
	{"users", "totp_sealed"},
}

// SealedSample returns one sealed value of the database, nil when it holds none.
func (tx DataKeyTx) SealedSample(ctx context.Context) ([]byte, error) {
	for _, c := range sealedColumns {
		var b []byte
		err := tx.tx.QueryRowContext(ctx, `SELECT `+c.column+` FROM `+c.table+` WHERE `+c.column+` IS NOT NULL LIMIT 1`).Scan(&b)
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read a sealed value of %s: %w", c.table, err)
		}
		return b, nil
	}
	return nil, nil
}

// paymentTables are the registry tables keyed by a person's keyed hash alone.
var paymentTables = []string{"registry_wages", "registry_social", "registry_medical"}

const unmatchedPayers = `SELECT person_hash FROM registry_wages UNION SELECT person_hash FROM registry_social
    UNION SELECT person_hash FROM registry_medical`

// UnmatchedPayments counts the persons of payment rows that registry_persons does not know.
func (tx DataKeyTx) UnmatchedPayments(ctx context.Context) (int, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+unmatchedPayers+`) p
        WHERE NOT EXISTS (SELECT 1 FROM registry_persons r WHERE r.person_hash = p.person_hash)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count unmatched payment persons: %w", err)
	}
	return n, nil
}

// DropUnmatchedPayments deletes the payment rows of persons registry_persons does not know.
func (tx DataKeyTx) DropUnmatchedPayments(ctx context.Context) (int, error) {
	total := 0
	for _, t := range paymentTables {
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE NOT EXISTS
            (SELECT 1 FROM registry_persons r WHERE r.person_hash = `+t+`.person_hash)`)
		if err != nil {
			return total, fmt.Errorf("drop unmatched rows of %s: %w", t, err)
		}
		n, _ := res.RowsAffected()
		total += int(n)
	}
	return total, nil
}

// resealPage is the rows read at a time while re-sealing: memory stays bounded whatever the size
// of the registry.
const resealPage = 1000

// Reseal re-seals every sealed value under to, recomputes every keyed hash, and records to's check
// value. Tables whose primary key is itself a keyed hash are walked through a list of their old
// keys made first (rekey_keys), since rows change their key as they are rewritten; the payment
// tables are re-keyed in one statement each through the map of old to new person hashes.
func (tx DataKeyTx) Reseal(ctx context.Context, from, to datakey.Protector) (datakey.Counts, error) {
	var c datakey.Counts
	var err error
	open := func(b []byte, what string) (string, error) {
		s, err := from.Open(b)
		if err != nil {
			return "", fmt.Errorf("open a sealed %s with the current key: %w", what, err)
		}
		return s, nil
	}
	// Rows with an id that never changes: walk by id.
	for _, t := range []struct {
		table, hash, sealed string
		n                   *int
	}{{"persons", "id_hash", "id_sealed", &c.Persons}, {"manual_certificates", "cert_hash", "cert_sealed", &c.ManualCertificates}} {
		update, err := tx.tx.PrepareContext(ctx, `UPDATE `+t.table+` SET `+t.hash+` = $2, `+t.sealed+` = $3 WHERE id = $1`)
		if err != nil {
			return c, fmt.Errorf("reseal %s: %w", t.table, err)
		}
		for last := int64(0); ; {
			rows, err := tx.pageByID(ctx, `SELECT id, `+t.sealed+` FROM `+t.table+` WHERE id > $1 ORDER BY id LIMIT $2`, last)
			if err != nil {
				update.Close()
				return c, fmt.Errorf("reseal %s: %w", t.table, err)
			}
			if len(rows) == 0 {
				break
			}
			for _, r := range rows {
				plain, err := open(r.sealed, t.table)
				if err != nil {
					update.Close()
					return c, err
				}
				if _, err := update.ExecContext(ctx, r.id, to.Hash(plain), to.Seal(plain)); err != nil {
					update.Close()
					return c, fmt.Errorf("reseal %s %d: %w", t.table, r.id, err)
				}
				last = r.id
				*t.n++
			}
		}
		update.Close()
	}
	if c.RegistryCertificates, err = tx.resealCertificates(ctx, open, to); err != nil {
		return c, err
	}
	if c.RegistryPersons, c.Payments, err = tx.resealRegistryPersons(ctx, open, to); err != nil {
		return c, err
	}
	if c.Secrets, err = tx.resealSecrets(ctx, open, to); err != nil {
		return c, err
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE data_key SET check_value = $1, rotated_at = $2 WHERE id = 1`,
		to.CheckValue(), tx.now); err != nil {
		return c, fmt.Errorf("record the new data key: %w", err)
	}
	return c, nil
}

type sealedRow struct {
	id     int64
	key    string
	sealed []byte
	other  []byte
}

func (tx DataKeyTx) pageByID(ctx context.Context, q string, after int64) ([]sealedRow, error) {
	rows, err := tx.tx.QueryContext(ctx, q, after, resealPage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sealedRow
	for rows.Next() {
		var r sealedRow
		if err := rows.Scan(&r.id, &r.sealed); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// oldKeys lists the current keys of a table keyed by a hash into the temporary table rekey_keys,
// and returns a function reading them a page at a time.
func (tx DataKeyTx) oldKeys(ctx context.Context, table, column string) (func() ([]string, error), func(), error) {
	if _, err := tx.tx.ExecContext(ctx, `DROP TABLE IF EXISTS rekey_keys`); err != nil {
		return nil, nil, err
	}
	if _, err := tx.tx.ExecContext(ctx, `CREATE TEMPORARY TABLE rekey_keys (k TEXT PRIMARY KEY)`); err != nil {
		return nil, nil, err
	}
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO rekey_keys (k) SELECT `+column+` FROM `+table); err != nil {
		return nil, nil, err
	}
	last := ""
	next := func() ([]string, error) {
		rows, err := tx.tx.QueryContext(ctx, `SELECT k FROM rekey_keys WHERE k > $1 ORDER BY k LIMIT $2`, last, resealPage)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return nil, err
			}
			out = append(out, k)
		}
		if len(out) > 0 {
			last = out[len(out)-1]
		}
		return out, rows.Err()
	}
	drop := func() { tx.tx.ExecContext(ctx, `DROP TABLE IF EXISTS rekey_keys`) }
	return next, drop, nil
}

// resealCertificates rewrites registry_certificates: its key (the certificate's hash), the sealed
// certificate number, the holder's hash and sealed ID number.
func (tx DataKeyTx) resealCertificates(ctx context.Context, open func([]byte, string) (string, error), to datakey.Protector) (int, error) {
	next, drop, err := tx.oldKeys(ctx, "registry_certificates", "cert_hash")
	if err != nil {
		return 0, fmt.Errorf("reseal registry certificates: %w", err)
	}
	defer drop()
	update, err := tx.tx.PrepareContext(ctx, `UPDATE registry_certificates SET cert_hash = $2, cert_sealed = $3,
        person_hash = $4, person_sealed = $5 WHERE cert_hash = $1`)
	if err != nil {
		return 0, fmt.Errorf("reseal registry certificates: %w", err)
	}
	defer update.Close()
	n := 0
	for {
		keys, err := next()
		if err != nil {
			return n, fmt.Errorf("reseal registry certificates: %w", err)
		}
		if len(keys) == 0 {
			return n, nil
		}
		rows, err := tx.byKeys(ctx, `SELECT cert_hash, cert_sealed, person_sealed FROM registry_certificates WHERE cert_hash IN `, keys)
		if err != nil {
			return n, fmt.Errorf("reseal registry certificates: %w", err)
		}
		for _, r := range rows {
			cert, err := open(r.sealed, "certificate number")
			if err != nil {
				return n, err
			}
			id, err := open(r.other, "ID number")
			if err != nil {
				return n, err
			}
			if _, err := update.ExecContext(ctx, r.key, to.Hash(cert), to.Seal(cert), to.Hash(id), to.Seal(id)); err != nil {
				return n, fmt.Errorf("reseal a registry certificate: %w", err)
			}
			n++
		}
	}
}

// byKeys reads rows of (key, sealed[, other sealed]) whose key is among keys; q ends with "IN ".
func (tx DataKeyTx) byKeys(ctx context.Context, q string, keys []string) ([]sealedRow, error) {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	rows, err := tx.tx.QueryContext(ctx, q+`(`+placeholders(1, len(keys))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []sealedRow
	for rows.Next() {
		var r sealedRow
		dst := []any{&r.key, &r.sealed, &r.other}[:len(cols)]
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// resealRegistryPersons rewrites registry_persons and re-keys the payment rows by it: the map of
// old to new hashes is built in the temporary table rekey_map, then each table is updated in one
// statement. It returns the persons and the payment rows re-keyed.
func (tx DataKeyTx) resealRegistryPersons(ctx context.Context, open func([]byte, string) (string, error), to datakey.Protector) (int, int, error) {
	next, drop, err := tx.oldKeys(ctx, "registry_persons", "person_hash")
	if err != nil {
		return 0, 0, fmt.Errorf("reseal registry persons: %w", err)
	}
	defer drop()
	if _, err := tx.tx.ExecContext(ctx, `DROP TABLE IF EXISTS rekey_map`); err != nil {
		return 0, 0, fmt.Errorf("reseal registry persons: %w", err)
	}
	if _, err := tx.tx.ExecContext(ctx, `CREATE TEMPORARY TABLE rekey_map (old_hash TEXT PRIMARY KEY,
        new_hash TEXT NOT NULL, new_sealed `+tx.db.dialect.Types["{{blob}}"]+` NOT NULL)`); err != nil {
		return 0, 0, fmt.Errorf("reseal registry persons: %w", err)
	}
	defer tx.tx.ExecContext(ctx, `DROP TABLE IF EXISTS rekey_map`)
	insert, err := tx.tx.PrepareContext(ctx, `INSERT INTO rekey_map (old_hash, new_hash, new_sealed) VALUES ($1, $2, $3)`)
	if err != nil {
		return 0, 0, fmt.Errorf("reseal registry persons: %w", err)
	}
	defer insert.Close()
	persons := 0
	for {
		keys, err := next()
		if err != nil {
			return persons, 0, fmt.Errorf("reseal registry persons: %w", err)
		}
		if len(keys) == 0 {
			break
		}
		rows, err := tx.byKeys(ctx, `SELECT person_hash, person_sealed FROM registry_persons WHERE person_hash IN `, keys)
		if err != nil {
			return persons, 0, fmt.Errorf("reseal registry persons: %w", err)
		}
		for _, r := range rows {
			id, err := open(r.sealed, "ID number")
			if err != nil {
				return persons, 0, err
			}
			if _, err := insert.ExecContext(ctx, r.key, to.Hash(id), to.Seal(id)); err != nil {
				return persons, 0, fmt.Errorf("reseal registry persons: %w", err)
			}
			persons++
		}
	}
	payments := 0
	for _, t := range paymentTables {
		res, err := tx.tx.ExecContext(ctx, `UPDATE `+t+` SET person_hash = m.new_hash FROM rekey_map AS m
            WHERE `+t+`.person_hash = m.old_hash`)
		if err != nil {
			return persons, payments, fmt.Errorf("re-key %s: %w", t, err)
		}
		n, _ := res.RowsAffected()
		payments += int(n)
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE registry_persons SET person_hash = m.new_hash, person_sealed = m.new_sealed
        FROM rekey_map AS m WHERE registry_persons.person_hash = m.old_hash`); err != nil {
		return persons, payments, fmt.Errorf("reseal registry persons: %w", err)
	}
	return persons, payments, nil
}

// BlobNames lists the distinct blob names of the attachments, in name order.
func (tx DataKeyTx) BlobNames(ctx context.Context) ([]string, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT DISTINCT blob FROM files ORDER BY blob`)
	if err != nil {
		return nil, fmt.Errorf("list attachment blobs: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("list attachment blobs: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// RenameBlob points the attachments stored under from at to and records from as retired.
func (tx DataKeyTx) RenameBlob(ctx context.Context, from, to string) (int, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE files SET blob = $2 WHERE blob = $1`, from, to)
	if err != nil {
		return 0, fmt.Errorf("rename blob: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO retired_blobs (name, retired_at) VALUES ($1, $2)
        ON CONFLICT (name) DO NOTHING`, from, tx.now); err != nil {
		return 0, fmt.Errorf("retire blob: %w", err)
	}
	return int(n), nil
}

// RetiredBlobs lists up to limit retired blob names that no attachment uses.
func (tx DataKeyTx) RetiredBlobs(ctx context.Context, limit int) ([]string, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT name FROM retired_blobs r
        WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.blob = r.name) ORDER BY name LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list retired blobs: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("list retired blobs: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// ForgetRetiredBlob drops a retired name once its bytes are removed.
func (tx DataKeyTx) ForgetRetiredBlob(ctx context.Context, name string) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM retired_blobs WHERE name = $1`, name); err != nil {
		return fmt.Errorf("forget retired blob: %w", err)
	}
	return nil
}

// SetFilesSealed records that no attachment is left in clear.
func (tx DataKeyTx) SetFilesSealed(ctx context.Context) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE data_key SET files_sealed = TRUE WHERE id = 1`); err != nil {
		return fmt.Errorf("record sealed attachments: %w", err)
	}
	return nil
}

// resealSecrets re-seals the users' second-factor secrets (few: one per staff member or employer
// that enrolled), read at once.
func (tx DataKeyTx) resealSecrets(ctx context.Context, open func([]byte, string) (string, error), to datakey.Protector) (int, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT id, totp_sealed FROM users WHERE totp_sealed IS NOT NULL ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("reseal second-factor secrets: %w", err)
	}
	var all []sealedRow
	for rows.Next() {
		var r sealedRow
		if err := rows.Scan(&r.id, &r.sealed); err != nil {
			rows.Close()
			return 0, fmt.Errorf("reseal second-factor secrets: %w", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("reseal second-factor secrets: %w", err)
	}
	for _, r := range all {
		plain, err := open(r.sealed, "second-factor secret")
		if err != nil {
			return 0, err
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE users SET totp_sealed = $2 WHERE id = $1`, r.id, to.Seal(plain)); err != nil {
			return 0, fmt.Errorf("reseal the second-factor secret of user %d: %w", r.id, err)
		}
	}
	return len(all), nil
}

// SealClearSecrets seals the second-factor secrets an earlier release stored in clear (users.
// totp_secret) with key, and clears them.
func (tx DataKeyTx) SealClearSecrets(ctx context.Context, key datakey.Protector) (int, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT id, totp_secret FROM users WHERE totp_secret <> '' ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("find second-factor secrets in clear: %w", err)
	}
	type clear struct {
		id     int64
		secret string
	}
	var all []clear
	for rows.Next() {
		var c clear
		if err := rows.Scan(&c.id, &c.secret); err != nil {
			rows.Close()
			return 0, fmt.Errorf("find second-factor secrets in clear: %w", err)
		}
		all = append(all, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("find second-factor secrets in clear: %w", err)
	}
	for _, c := range all {
		if _, err := tx.tx.ExecContext(ctx, `UPDATE users SET totp_sealed = $2, totp_secret = '' WHERE id = $1`,
			c.id, key.Seal(c.secret)); err != nil {
			return 0, fmt.Errorf("seal the second-factor secret of user %d: %w", c.id, err)
		}
	}
	return len(all), nil
}
