// Package datakey keeps the data key and the data sealed with it in step. The database records the
// check value of the key its data is sealed with (pii.Protector.CheckValue); every command that
// opens the database checks the key it was given against it, so that a lost key file, a restored
// old one or a mistyped QUOTACERT_KEY stops the program with a clear message instead of serving
// undecryptable rows, look-ups that find nobody and duplicate persons (keyed hashes under another
// key match nothing). A new key is made only for a database that holds nothing sealed.
//
// The package also re-seals everything under a new key (Rotate: every sealed value and keyed hash
// in one transaction, the attachments copied first and their old copies removed after the commit,
// resumable), and seals the attachments stored in clear before sealing existed (SealFiles).
package datakey

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/audit"
)

// Protector is a data key: it seals, opens and hashes identifiers (pii.Protector).
type Protector interface {
	CheckValue() string
	Seal(s string) []byte
	Open(b []byte) (string, error)
	Hash(s string) string
}

// State is what the database records about its key.
type State struct {
	Check       string // check value of the key the data is sealed with; "" for a database from before key checks
	FilesSealed bool   // every attachment is sealed (none left in clear from before sealing)
	Files       bool   // the database has attachments
	Retired     int    // attachment copies replaced by a rotation or sealing, not yet removed
}

// Counts are what a rotation re-sealed.
type Counts struct {
	Persons              int // placements' persons: ID number sealed and hashed
	ManualCertificates   int
	RegistryCertificates int // certificate and holder's ID number
	RegistryPersons      int // the registry's persons, by which the payment rows are re-keyed
	Payments             int // wage, pension and medical rows re-keyed
	Secrets              int // users' second-factor secrets
	Files                int // attachment rows renamed
}

// Tx is what the use cases of this package need from the store, in one transaction.
type Tx interface {
	Now() time.Time
	AppendAudit(ctx context.Context, e audit.Entry) error

	KeyState(ctx context.Context) (State, error)
	// AdoptKey records check as the database's key when it has none and returns the one stored.
	AdoptKey(ctx context.Context, check string, filesSealed bool) (stored string, err error)
	// SealedSample returns one sealed value of the database (nil when it holds none).
	SealedSample(ctx context.Context) ([]byte, error)
	// UnmatchedPayments counts the persons of payment rows whose ID number is not stored sealed
	// anywhere (rows imported before the registry kept its persons): their keyed hash cannot be
	// recomputed under a new key. DropUnmatchedPayments deletes their rows.
	UnmatchedPayments(ctx context.Context) (int, error)
	DropUnmatchedPayments(ctx context.Context) (int, error)
	// Reseal re-seals every sealed value under to (opening it with from), recomputes every keyed
	// hash, and records to's check value.
	Reseal(ctx context.Context, from, to Protector) (Counts, error)
	// SealClearSecrets seals with key the second-factor secrets an earlier release stored in clear.
	SealClearSecrets(ctx context.Context, key Protector) (int, error)
	// BlobNames lists the distinct stored names of the attachments.
	BlobNames(ctx context.Context) ([]string, error)
	// RenameBlob points the attachments stored under from to the copy named to, and records from
	// as retired, to be removed from the blob store once committed.
	RenameBlob(ctx context.Context, from, to string) (int, error)
	RetiredBlobs(ctx context.Context, limit int) ([]string, error)
	ForgetRetiredBlob(ctx context.Context, name string) error
	SetFilesSealed(ctx context.Context) error
}

// Blobs moves attachment bytes between keys (blob.Reseal over two sealed views of one store).
type Blobs interface {
	// Move makes sure the blob name is sealed under the next key and returns its name there: a
	// copy sealed under it, or name itself when it already is (a rerun after an interruption).
	// A blob stored in clear before sealing is sealed too. The source is left in place.
	Move(ctx context.Context, name string) (string, error)
	// Remove deletes stored bytes; an absent name is not an error.
	Remove(ctx context.Context, name string) error
}

// The refusals. Each stops a command before it reads or writes sealed data.
var (
	// ErrMissing: there is no key, but the database holds data sealed with one.
	ErrMissing = errors.New("the data key is missing, but the database holds data sealed with it")
	// ErrMismatch: the key is not the one the database's data is sealed with.
	ErrMismatch = errors.New("the data key is not the key the database's data is sealed with")
	// ErrUnfinished: the database is already sealed under the pending key of a rotation that
	// stopped before it replaced the key file.
	ErrUnfinished = errors.New("a key rotation was interrupted after the database was re-sealed")
	// ErrUnmatched: payment rows whose persons cannot be re-keyed (see Tx.UnmatchedPayments).
	ErrUnmatched = errors.New("payment rows of persons whose ID number is not stored")
	// ErrBusy: attachments were added while a rotation copied them (a server is running).
	ErrBusy = errors.New("attachments were added during the rotation")
)

// Service runs the use cases, each transaction through run (store.DataKeyRunner).
type Service struct {
	run func(ctx context.Context, fn func(Tx) error) error
}

// NewService returns the service.
func NewService(run func(ctx context.Context, fn func(Tx) error) error) *Service {
	return &Service{run: run}
}

// State reads the database's key record.
func (s *Service) State(ctx context.Context) (State, error) {
	var st State
	err := s.run(ctx, func(tx Tx) error {
		var err error
		st, err = tx.KeyState(ctx)
		return err
	})
	return st, err
}

// MayCreate reports whether a new key may be made: only when the database has recorded no key and
// holds nothing sealed. Otherwise a new key would seal new data beside data it cannot read.
func (s *Service) MayCreate(ctx context.Context) (bool, error) {
	may := false
	err := s.run(ctx, func(tx Tx) error {
		st, err := tx.KeyState(ctx)
		if err != nil || st.Check != "" {
			return err
		}
		sample, err := tx.SealedSample(ctx)
		may = sample == nil
		return err
	})
	return may, err
}

// Check accepts key for this database or refuses it with ErrMismatch, or ErrUnfinished when the
// database is sealed under pending (the new key of an interrupted rotation; nil when none). A
// database that has recorded no key yet (new, or from before key checks) records key's check
// value, after proving on a sealed value, if it holds any, that key is the one it was sealed with.
func (s *Service) Check(ctx context.Context, key, pending Protector) error {
	return s.run(ctx, func(tx Tx) error {
		st, err := tx.KeyState(ctx)
		if err != nil {
			return err
		}
		switch {
		case st.Check == key.CheckValue():
			return s.sealClearSecrets(ctx, tx, key)
		case st.Check != "" && pending != nil && st.Check == pending.CheckValue():
			return ErrUnfinished
		case st.Check != "":
			return ErrMismatch
		}
		sample, err := tx.SealedSample(ctx)
		if err != nil {
			return err
		}
		if sample != nil {
			if _, err := key.Open(sample); err != nil {
				return ErrMismatch
			}
		}
		// Attachments of a database from before key checks were stored in clear.
		stored, err := tx.AdoptKey(ctx, key.CheckValue(), !st.Files)
		if err != nil {
			return err
		}
		if stored != key.CheckValue() { // another process recorded another key first
			return ErrMismatch
		}
		if err := s.sealClearSecrets(ctx, tx, key); err != nil {
			return err
		}
		e := audit.For(actor.System("datakey"), "datakey.adopt", "data_key", "")
		e.Detail = "check=" + Short(key.CheckValue())
		return tx.AppendAudit(ctx, e)
	})
}

// sealClearSecrets seals, with the accepted key, the second-factor secrets an earlier release
// stored in clear (a migration has no key to do it), auditing how many.
func (s *Service) sealClearSecrets(ctx context.Context, tx Tx, key Protector) error {
	n, err := tx.SealClearSecrets(ctx, key)
	if err != nil || n == 0 {
		return err
	}
	e := audit.For(actor.System("datakey"), "datakey.seal-secrets", "users", "")
	e.Detail = fmt.Sprintf("sealed=%d", n)
	return tx.AppendAudit(ctx, e)
}

// RotateOptions adjust a rotation.
type RotateOptions struct {
	// DropUnmatched deletes the payment rows that cannot be re-keyed instead of refusing.
	DropUnmatched bool
	// Log, when set, is told about progress and about attachments that could not be moved.
	Log func(msg string, args ...any)
}

// Report is the outcome of a rotation or of sealing the attachments.
type Report struct {
	Counts
	BlobsMoved   int // copies made under the new key
	BlobsMissing int // attachment rows whose bytes are not in the store (left as they are)
	Dropped      int // unmatched payment rows deleted (RotateOptions.DropUnmatched)
	Removed      int // old copies removed after the commit
}

// Rotate re-seals the database under next: the attachments are copied under next first (no
// database write yet, so an interruption leaves the database as it was, and a rerun with the same
// pending key copies only what is missing), then one transaction re-seals every value, recomputes
// every keyed hash, points the attachments at their new copies and records next's check value.
// The caller then replaces the key file, and calls RemoveRetired for the old copies. cur must be
// the key the database is sealed with (Check). Every server must be stopped: a server still
// running with cur would seal new data under the old key.
func (s *Service) Rotate(ctx context.Context, cur, next Protector, blobs Blobs, opt RotateOptions) (Report, error) {
	var rep Report
	var names []string
	err := s.run(ctx, func(tx Tx) error {
		st, err := tx.KeyState(ctx)
		if err != nil {
			return err
		}
		if st.Check != cur.CheckValue() {
			return ErrMismatch
		}
		n, err := tx.UnmatchedPayments(ctx)
		if err != nil {
			return err
		}
		if n > 0 && !opt.DropUnmatched {
			return fmt.Errorf("%w: %d persons", ErrUnmatched, n)
		}
		names, err = tx.BlobNames(ctx)
		return err
	})
	if err != nil {
		return rep, err
	}
	moved, err := s.moveAll(ctx, names, blobs, opt.Log, &rep)
	if err != nil {
		return rep, err
	}
	err = s.run(ctx, func(tx Tx) error {
		// Names read again inside the transaction: one added since the copies were made would
		// stay under the old key.
		now, err := tx.BlobNames(ctx)
		if err != nil {
			return err
		}
		for _, name := range now {
			if _, ok := moved[name]; !ok {
				return ErrBusy
			}
		}
		if opt.DropUnmatched {
			if rep.Dropped, err = tx.DropUnmatchedPayments(ctx); err != nil {
				return err
			}
		}
		if rep.Counts, err = tx.Reseal(ctx, cur, next); err != nil {
			return err
		}
		for from, to := range moved {
			if from == to {
				continue
			}
			n, err := tx.RenameBlob(ctx, from, to)
			if err != nil {
				return err
			}
			rep.Files += n
		}
		// Blobs left in clear by an earlier release were sealed on the way (blob.Reseal).
		if err := tx.SetFilesSealed(ctx); err != nil {
			return err
		}
		e := audit.For(actor.System("key rotate"), "datakey.rotate", "data_key", "")
		e.Detail = fmt.Sprintf("from=%s to=%s persons=%d certificates=%d manual=%d registry_persons=%d payments=%d secrets=%d files=%d dropped=%d",
			Short(cur.CheckValue()), Short(next.CheckValue()), rep.Persons, rep.RegistryCertificates, rep.ManualCertificates,
			rep.RegistryPersons, rep.Payments, rep.Secrets, rep.Files, rep.Dropped)
		return tx.AppendAudit(ctx, e)
	})
	return rep, err
}

// moveAll moves every named blob under the next key. A blob missing from the store is logged and
// left (its rows keep the name; nothing can be re-sealed); any other failure stops the rotation.
func (s *Service) moveAll(ctx context.Context, names []string, blobs Blobs, log func(string, ...any), rep *Report) (map[string]string, error) {
	moved := make(map[string]string, len(names))
	for i, name := range names {
		to, err := blobs.Move(ctx, name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			rep.BlobsMissing++
			moved[name] = name
			logf(log, "attachment missing from the blob store, left as it is", "blob", name)
			continue
		case err != nil:
			return nil, fmt.Errorf("move attachment %s: %w", name, err)
		}
		moved[name] = to
		if to != name {
			rep.BlobsMoved++
		}
		if (i+1)%500 == 0 {
			logf(log, "attachments copied", "done", i+1, "of", len(names))
		}
	}
	return moved, nil
}

// SealFiles seals, once, the attachments stored in clear before sealing existed: each is copied
// sealed under the current key, its rows pointed at the copy and the clear copy removed, one
// attachment per transaction, so an interruption loses nothing and a rerun goes on where it
// stopped. blobs moves under the current key (blob.Reseal with the same sealed view twice).
func (s *Service) SealFiles(ctx context.Context, blobs Blobs, log func(string, ...any)) (Report, error) {
	var rep Report
	var names []string
	sealed := false
	err := s.run(ctx, func(tx Tx) error {
		st, err := tx.KeyState(ctx)
		if err != nil || st.FilesSealed {
			sealed = st.FilesSealed
			return err
		}
		names, err = tx.BlobNames(ctx)
		return err
	})
	if err != nil || sealed {
		return rep, err
	}
	for _, name := range names {
		to, err := blobs.Move(ctx, name)
		if errors.Is(err, fs.ErrNotExist) {
			rep.BlobsMissing++
			logf(log, "attachment missing from the blob store, left as it is", "blob", name)
			continue
		}
		if err != nil {
			return rep, fmt.Errorf("seal attachment %s: %w", name, err)
		}
		if to == name {
			continue // already sealed
		}
		err = s.run(ctx, func(tx Tx) error {
			n, err := tx.RenameBlob(ctx, name, to)
			rep.Files += n
			return err
		})
		if err != nil {
			return rep, err
		}
		rep.BlobsMoved++
	}
	err = s.run(ctx, func(tx Tx) error {
		if err := tx.SetFilesSealed(ctx); err != nil {
			return err
		}
		e := audit.For(actor.System("datakey"), "datakey.seal_files", "data_key", "")
		e.Detail = fmt.Sprintf("sealed=%d rows=%d missing=%d", rep.BlobsMoved, rep.Files, rep.BlobsMissing)
		return tx.AppendAudit(ctx, e)
	})
	if err != nil {
		return rep, err
	}
	rep.Removed, err = s.RemoveRetired(ctx, blobs)
	return rep, err
}

// RemoveRetired deletes the old copies that a committed rotation or sealing replaced, forgetting
// each once it is gone; a rerun after an interruption removes the rest.
func (s *Service) RemoveRetired(ctx context.Context, blobs Blobs) (int, error) {
	removed := 0
	for {
		var names []string
		err := s.run(ctx, func(tx Tx) error {
			var err error
			names, err = tx.RetiredBlobs(ctx, 500)
			return err
		})
		if err != nil || len(names) == 0 {
			return removed, err
		}
		for _, name := range names {
			if err := blobs.Remove(ctx, name); err != nil {
				return removed, fmt.Errorf("remove old attachment copy %s: %w", name, err)
			}
			if err := s.run(ctx, func(tx Tx) error { return tx.ForgetRetiredBlob(ctx, name) }); err != nil {
				return removed, err
			}
			removed++
		}
	}
}

func logf(log func(string, ...any), msg string, args ...any) {
	if log != nil {
		log(msg, args...)
	}
}

// Short is the first 16 hex digits of a check value, to name a key in messages and logs.
func Short(check string) string {
	if len(check) > 16 {
		return check[:16]
	}
	return check
}
