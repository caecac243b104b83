package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"sync"
	"testing"
)

// memBackend keeps blobs in memory, for the fuzz target: fast, and no disk between the fuzzer and
// the code under test. The conformance suite runs on the real backends.
type memBackend struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (b *memBackend) String() string { return "memory" }

func (b *memBackend) create(context.Context) (upload, error) { return &memUpload{b: b}, nil }

func (b *memBackend) open(_ context.Context, name string) (object, int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.m[name]
	if !ok {
		return nil, 0, fs.ErrNotExist
	}
	return memObject{bytes.NewReader(d)}, int64(len(d)), nil
}

func (b *memBackend) size(ctx context.Context, name string) (int64, error) {
	_, n, err := b.open(ctx, name)
	return n, err
}

func (b *memBackend) remove(_ context.Context, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, name)
	return nil
}

func (b *memBackend) ready(context.Context) error { return nil }

func (b *memBackend) set(name string, d []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[name] = d
}

type memObject struct{ *bytes.Reader }

func (memObject) Close() error { return nil }

type memUpload struct {
	b   *memBackend
	buf bytes.Buffer
}

func (u *memUpload) Write(p []byte) (int, error) { return u.buf.Write(p) }
func (u *memUpload) finish() error               { return nil }
func (u *memUpload) readerAt(context.Context) (io.ReaderAt, error) {
	return bytes.NewReader(u.buf.Bytes()), nil
}
func (u *memUpload) commit(_ context.Context, name string) error {
	u.b.set(name, bytes.Clone(u.buf.Bytes()))
	return nil
}
func (u *memUpload) discard() {}

// FuzzSealedOpen: whatever bytes lie in the store under a sealed blob's name, opening and reading
// it never panics and never returns a byte that is not the sealed content.
func FuzzSealedOpen(f *testing.F) {
	ctx := context.Background()
	mem := &memBackend{m: map[string][]byte{}}
	sl, err := newSealer(bytes.Repeat([]byte{0x5a}, 32))
	if err != nil {
		f.Fatal(err)
	}
	s := &store{b: mem, seal: sl}
	content := []byte("%PDF-1.4\n" + string(bytes.Repeat([]byte("x"), 70<<10)) + "\n%%EOF\n") // two packages
	info, err := s.Put(ctx, bytes.NewReader(content))
	if err != nil {
		f.Fatal(err)
	}
	raw := mem.m[info.Name]
	f.Add(raw)
	f.Add(raw[:len(raw)-1])
	f.Add(append(bytes.Clone(raw[:sealHeader]), raw[len(raw)-sealTag:]...))
	f.Add([]byte(sealMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		mem.set(info.Name, b)
		rc, err := s.Open(ctx, info.Name)
		if err != nil {
			return
		}
		defer rc.Close()
		got, err := io.ReadAll(rc)
		if !bytes.HasPrefix(content, got) {
			t.Fatalf("returned %d bytes that are not the sealed content", len(got))
		}
		if err == nil && !bytes.Equal(got, content) {
			t.Fatalf("read %d bytes without error, sealed %d", len(got), len(content))
		}
	})
}

// TestReseal moves blobs between keys as a key rotation does: a blob of the old key is copied
// under the new one, a blob stored in clear is sealed, a blob already under the new key (a rerun)
// is left as it is, and a missing one says so.
func TestReseal(t *testing.T) {
	ctx := context.Background()
	mem := &memBackend{m: map[string][]byte{}}
	plain := &store{b: mem}
	oldKey, err := Sealed(plain, bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	newKey, err := Sealed(plain, bytes.Repeat([]byte{2}, 32))
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("%PDF-1.4\n% rotated\n%%EOF\n")
	sealed, err := oldKey.Put(ctx, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	clear, err := plain.Put(ctx, bytes.NewReader([]byte("%PDF-1.4\n% clear\n%%EOF\n")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newKey.Open(ctx, sealed.Name); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("old blob under the new key: %v, want ErrWrongKey", err)
	}
	moved, err := Reseal(ctx, newKey, oldKey, sealed.Name)
	if err != nil || moved.Name == sealed.Name {
		t.Fatalf("Reseal = %+v, %v", moved, err)
	}
	rc, err := newKey.Open(ctx, moved.Name)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, content) {
		t.Fatal("moved blob reads differently")
	}
	if again, err := Reseal(ctx, newKey, oldKey, moved.Name); err != nil || again.Name != moved.Name {
		t.Fatalf("a blob already under the new key: %+v, %v", again, err)
	}
	for _, via := range []Store{oldKey, newKey} { // a rotation, and the one-time sealing
		s, err := Reseal(ctx, newKey, via, clear.Name)
		if err != nil || s.Name == clear.Name {
			t.Fatalf("sealing a clear blob: %+v, %v", s, err)
		}
		if raw := mem.m[s.Name]; bytes.Contains(raw, []byte("% clear")) {
			t.Fatal("the sealed copy holds the content in clear")
		}
	}
	if _, err := Reseal(ctx, newKey, oldKey, strings.Repeat("ab", 32)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing blob: %v", err)
	}
	if _, err := Reseal(ctx, newKey, plain, sealed.Name); err == nil {
		t.Fatal("Reseal accepted an unsealed source view")
	}
}
