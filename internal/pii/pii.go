// Package pii protects personal identifiers at rest (PIPL): resident ID and certificate numbers are
// stored sealed with AES-256-GCM, looked up through a keyed hash (HMAC-SHA256), and shown masked.
// One master key yields both sub-keys so an operator has a single secret to keep and back up.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the master key's length in bytes.
const KeySize = 32

// version prefixes every sealed value so that a future key rotation can tell keys apart.
const version byte = 1

// Protector seals, opens and hashes identifiers. It is safe for concurrent use.
type Protector struct {
	aead    cipher.AEAD
	hashKey []byte
}

// New derives the sub-keys from a 32-byte master key.
func New(master []byte) (*Protector, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("pii: master key must be %d bytes, got %d", KeySize, len(master))
	}
	block, err := aes.NewCipher(derive(master, "quotacert/pii/seal/v1"))
	if err != nil {
		return nil, fmt.Errorf("pii: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("pii: gcm: %w", err)
	}
	return &Protector{aead: aead, hashKey: derive(master, "quotacert/pii/hash/v1")}, nil
}

func derive(master []byte, label string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// Hash returns the keyed look-up hash of an identifier (hex). Equal inputs give equal hashes, and
// without the key the hash reveals nothing (ID numbers are too few for a plain hash to hide them).
func (p *Protector) Hash(s string) string {
	m := hmac.New(sha256.New, p.hashKey)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

// Seal encrypts s with a fresh random nonce.
func (p *Protector) Seal(s string) []byte {
	nonce := make([]byte, p.aead.NonceSize(), 1+p.aead.NonceSize()+len(s)+p.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("pii: system random source failed: " + err.Error()) // crypto/rand never fails on Linux
	}
	out := append([]byte{version}, nonce...)
	return p.aead.Seal(out, nonce, []byte(s), nil)
}

// Open decrypts a value made by Seal.
func (p *Protector) Open(b []byte) (string, error) {
	n := p.aead.NonceSize()
	if len(b) < 1+n+p.aead.Overhead() || b[0] != version {
		return "", errors.New("pii: sealed value malformed or of an unknown key version")
	}
	plain, err := p.aead.Open(nil, b[1:1+n], b[1+n:], nil)
	if err != nil {
		return "", fmt.Errorf("pii: open: %w", err)
	}
	return string(plain), nil
}

// KeyFileName is the key file created in the data directory when no key is configured.
const KeyFileName = "quotacert.key"

// LoadKey returns the master key: from env (base64 or hex of 32 bytes) when set, else from the key
// file in dataDir, which is created with mode 0600 on first start. created reports a new file, so the
// server can tell the operator to back it up: without it the sealed data cannot be read.
func LoadKey(env, dataDir string) (key []byte, created bool, err error) {
	if env = strings.TrimSpace(env); env != "" {
		key, err := decodeKey(env)
		if err != nil {
			return nil, false, fmt.Errorf("QUOTACERT_KEY: %w", err)
		}
		return key, false, nil
	}
	path := filepath.Join(dataDir, KeyFileName)
	raw, err := os.ReadFile(path)
	if err == nil {
		key, err := decodeKey(strings.TrimSpace(string(raw)))
		if err != nil {
			return nil, false, fmt.Errorf("key file %s: %w", path, err)
		}
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("read key file: %w", err)
	}
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, fmt.Errorf("generate key: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, false, fmt.Errorf("create data dir: %w", err)
	}
	// O_EXCL: two servers starting at once must not both write a different key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadKey("", dataDir)
	}
	if err != nil {
		return nil, false, fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("close key file: %w", err)
	}
	return key, true, nil
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
