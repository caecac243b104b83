package blob

import (
	"bytes"
	"context"
	"io"
	"io/fs"
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
