package pii

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSealOpenHash(t *testing.T) {
	p, err := New(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	const id = "11010519491231002X"
	a, b := p.Seal(id), p.Seal(id)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one value are equal: nonce reused")
	}
	if bytes.Contains(a, []byte(id)) {
		t.Fatal("sealed value contains the plain text")
	}
	for _, s := range [][]byte{a, b} {
		got, err := p.Open(s)
		if err != nil || got != id {
			t.Fatalf("Open = %q, %v", got, err)
		}
	}
	a[len(a)-1] ^= 1
	if _, err := p.Open(a); err == nil {
		t.Fatal("tampered value opened")
	}
	if _, err := p.Open([]byte{1, 2}); err == nil {
		t.Fatal("short value opened")
	}
	if h1, h2 := p.Hash(id), p.Hash(id); h1 != h2 || h1 == p.Hash("11010519491231003X") {
		t.Fatal("hash not deterministic or collides")
	}
	other, err := New(bytes.Repeat([]byte{8}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	if other.Hash(id) == p.Hash(id) {
		t.Fatal("hash does not depend on the key")
	}
	if _, err := New([]byte("short")); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestKeyFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if _, err := ReadKey("", dir); !errors.Is(err, ErrNoKey) {
		t.Fatalf("ReadKey without a key file = %v, want ErrNoKey (a key is never made on reading)", err)
	}
	k1, err := CreateKey(dir)
	if err != nil || len(k1) != KeySize {
		t.Fatalf("CreateKey: %v %d", err, len(k1))
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, KeyPath(dir): 0o600} {
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != want {
			t.Fatalf("%s: mode %v (%v), want %v", path, st.Mode().Perm(), err, want)
		}
	}
	if k2, err := ReadKey("", dir); err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("ReadKey after CreateKey: %v", err)
	}
	if k2, err := CreateKey(dir); err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("a second CreateKey must return the existing key, not replace it: %v", err)
	}
	hexKey := strings.Repeat("ab", KeySize)
	if k3, err := ReadKey(hexKey, dir); err != nil || k3[0] != 0xab {
		t.Fatalf("env key: %v", err)
	}
	if _, err := ReadKey("not-a-key", dir); err == nil {
		t.Fatal("bad env key accepted")
	}

	// Rotation: the pending key survives a rerun; promoting keeps the old key as a dated backup.
	n1, err := CreateNextKey(dir)
	if err != nil || bytes.Equal(n1, k1) {
		t.Fatalf("CreateNextKey: %v", err)
	}
	if n2, err := CreateNextKey(dir); err != nil || !bytes.Equal(n1, n2) {
		t.Fatalf("a rerun must resume with the same pending key: %v", err)
	}
	now := time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)
	backup, err := PromoteNextKey(dir, now)
	if err != nil || filepath.Base(backup) != "quotacert.key.20261201T083000Z.bak" {
		t.Fatalf("PromoteNextKey = %q, %v", backup, err)
	}
	if k, err := ReadKey("", dir); err != nil || !bytes.Equal(k, n1) {
		t.Fatalf("key file after promotion: %v", err)
	}
	if k, err := readKeyFile(backup); err != nil || !bytes.Equal(k, k1) {
		t.Fatalf("backup holds the old key: %v", err)
	}
	if st, err := os.Stat(backup); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %v %v", st.Mode().Perm(), err)
	}
	if _, err := ReadNextKey(dir); !errors.Is(err, ErrNoKey) {
		t.Fatalf("pending key still there after promotion: %v", err)
	}
}

func TestCheckValue(t *testing.T) {
	a, _ := New(bytes.Repeat([]byte{7}, KeySize))
	a2, _ := New(bytes.Repeat([]byte{7}, KeySize))
	b, _ := New(bytes.Repeat([]byte{8}, KeySize))
	if a.CheckValue() != a2.CheckValue() || a.CheckValue() == b.CheckValue() || len(a.CheckValue()) != 64 {
		t.Fatalf("check values %s %s %s", a.CheckValue(), a2.CheckValue(), b.CheckValue())
	}
	if a.CheckValue() == a.Hash("quotacert/key-check/v1") {
		t.Fatal("check value equals a look-up hash: it must use its own derived key")
	}
}
