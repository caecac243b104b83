package pii

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// KeyFileName is the key file in the data directory, used when QUOTACERT_KEY is not set.
const KeyFileName = "quotacert.key"

// NextKeyFileName holds the new key while a key rotation runs: written before anything is
// re-sealed, so that an interrupted rotation resumes with the same key, and renamed to
// KeyFileName once the database is sealed under it.
const NextKeyFileName = "quotacert.key.next"

// ErrNoKey: neither QUOTACERT_KEY nor the key file gives a key.
var ErrNoKey = errors.New("no data key")

// KeyPath is the key file of a data directory.
func KeyPath(dataDir string) string { return filepath.Join(dataDir, KeyFileName) }

// NextKeyPath is the pending key file of a rotation.
func NextKeyPath(dataDir string) string { return filepath.Join(dataDir, NextKeyFileName) }

// ReadKey returns the data key: from env (base64 or hex of 32 bytes) when it is set, else from the
// key file in dataDir. It never creates a key: that is for a new, empty database only (CreateKey),
// which only the caller, holding the database, can tell. A missing key file is ErrNoKey.
func ReadKey(env, dataDir string) ([]byte, error) {
	if env = strings.TrimSpace(env); env != "" {
		key, err := decodeKey(env)
		if err != nil {
			return nil, fmt.Errorf("QUOTACERT_KEY: %w", err)
		}
		return key, nil
	}
	return readKeyFile(KeyPath(dataDir))
}

// ReadNextKey returns the pending key of an interrupted rotation; ErrNoKey when there is none.
func ReadNextKey(dataDir string) ([]byte, error) { return readKeyFile(NextKeyPath(dataDir)) }

func readKeyFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist", ErrNoKey, path)
	}
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	key, err := decodeKey(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return key, nil
}

// CreateKey makes a new random key and writes it to the key file (mode 0600, in a data directory of
// mode 0700). When another process created the file first, its key is returned: two servers
// starting on one new database must not seal with two keys.
func CreateKey(dataDir string) (key []byte, err error) {
	key = make([]byte, KeySize)
	rand.Read(key) // never fails (crypto/rand)
	if err := writeKeyFile(dataDir, KeyPath(dataDir), key); errors.Is(err, fs.ErrExist) {
		return readKeyFile(KeyPath(dataDir))
	} else if err != nil {
		return nil, err
	}
	return key, nil
}

// CreateNextKey makes the new key of a rotation and writes it to the pending key file; an
// existing pending key (a rotation interrupted before it committed) is returned instead.
func CreateNextKey(dataDir string) ([]byte, error) {
	key := make([]byte, KeySize)
	rand.Read(key)
	if err := writeKeyFile(dataDir, NextKeyPath(dataDir), key); errors.Is(err, fs.ErrExist) {
		return ReadNextKey(dataDir)
	} else if err != nil {
		return nil, err
	}
	return key, nil
}

// PromoteNextKey ends a rotation on disk: the current key file is kept as a dated backup
// (quotacert.key.YYYYMMDDTHHMMSSZ.bak, mode 0600) and the pending key becomes the key file. It
// returns the backup's path ("" when there was no key file: the old key came from QUOTACERT_KEY).
func PromoteNextKey(dataDir string, now time.Time) (backup string, err error) {
	cur, next := KeyPath(dataDir), NextKeyPath(dataDir)
	if _, err := os.Stat(next); err != nil {
		return "", fmt.Errorf("pending key file: %w", err)
	}
	if _, err := os.Stat(cur); err == nil {
		backup = filepath.Join(dataDir, KeyFileName+"."+now.UTC().Format("20060102T150405Z")+".bak")
		// A rerun after a crash between link and rename finds the backup already there.
		if err := os.Link(cur, backup); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("keep the old key as %s: %w", backup, err)
		}
		if err := os.Chmod(backup, 0o600); err != nil {
			return "", fmt.Errorf("keep the old key as %s: %w", backup, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("key file: %w", err)
	}
	// rename replaces the key file atomically: at every moment one complete key file exists.
	if err := os.Rename(next, cur); err != nil {
		return "", fmt.Errorf("install the new key file: %w", err)
	}
	return backup, syncDir(dataDir)
}

// writeKeyFile writes key to path with O_EXCL, mode 0600, synced to disk with its directory: a key
// that a crash loses after data was sealed with it would lose the data.
func writeKeyFile(dataDir, path string, key []byte) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return fmt.Errorf("create key file: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	return syncDir(dataDir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

func decodeKey(s string) ([]byte, error) {
	if b, err := hex.DecodeString(s); err == nil && len(b) == KeySize {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == KeySize {
		return b, nil
	}
	return nil, fmt.Errorf("want %d bytes as hex (64 characters) or base64", KeySize)
}
