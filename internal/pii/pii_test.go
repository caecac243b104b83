package pii

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	k1, created, err := LoadKey("", dir)
	if err != nil || !created || len(k1) != KeySize {
		t.Fatalf("first LoadKey: %v %v %d", err, created, len(k1))
	}
	st, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", err, st)
	}
	k2, created, err := LoadKey("", dir)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("second LoadKey: %v %v", err, created)
	}
	hexKey := strings.Repeat("ab", KeySize)
	k3, _, err := LoadKey(hexKey, dir)
	if err != nil || k3[0] != 0xab {
		t.Fatalf("env key: %v", err)
	}
	if _, _, err := LoadKey("not-a-key", dir); err == nil {
		t.Fatal("bad env key accepted")
	}
}
