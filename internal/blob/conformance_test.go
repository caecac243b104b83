package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/minio/minio-go/v7"

	"quotacert/internal/apperr"
	"quotacert/internal/blob"
	"quotacert/internal/testsrv"
)

// env is a fresh, empty backend of one kind with what a test needs to look behind the Store.
type env struct {
	plain blob.Store
	// stored lists everything in the backend: blobs, temporary uploads, unfinished multipart
	// uploads, probe files.
	stored func(t *testing.T) []string
	// rewrite replaces the raw stored bytes of a blob.
	rewrite func(t *testing.T, name string, edit func([]byte) []byte)
	// refuse makes the backend refuse writes (a read-only directory, a stopped server).
	refuse func(t *testing.T)
}

type kind struct {
	name string
	open func(t *testing.T, own bool) *env // own: a backend no other test shares (refuse stops it)
}

func filesKind() kind {
	return kind{"files", func(t *testing.T, _ bool) *env {
		dir := t.TempDir()
		s, err := blob.OpenFiles(dir)
		if err != nil {
			t.Fatal(err)
		}
		return &env{
			plain:  s,
			stored: func(t *testing.T) []string { return leftovers(t, dir) },
			rewrite: func(t *testing.T, name string, edit func([]byte) []byte) {
				p := filepath.Join(dir, name[:2], name)
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, edit(b), 0o640); err != nil {
					t.Fatal(err)
				}
			},
			refuse: func(t *testing.T) { readOnly(t, dir, filepath.Join(dir, "tmp")) },
		}
	}}
}

// readOnly makes directories refuse writes, also to root (who ignores permission bits): by the
// immutable attribute then.
func readOnly(t *testing.T, dirs ...string) {
	for _, d := range dirs {
		if os.Geteuid() == 0 {
			if out, err := exec.Command("chattr", "+i", d).CombinedOutput(); err != nil {
				t.Fatalf("chattr +i %s (needed to make a directory read-only for root): %v %s", d, err, out)
			}
			t.Cleanup(func() { exec.Command("chattr", "-i", d).Run() })
		} else {
			if err := os.Chmod(d, 0o500); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(d, 0o750) })
		}
	}
}

func s3Kind(shared *testsrv.MinIO) kind {
	return kind{"s3", func(t *testing.T, own bool) *env {
		m := shared
		if own {
			m = testsrv.StartMinIO(t)
		}
		bucket := m.NewBucket(t)
		m.SetEnv(t)
		s, err := blob.OpenURL(t.TempDir(), m.URL(bucket))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		return &env{
			plain: s,
			stored: func(t *testing.T) []string {
				return append(m.Objects(t, bucket), m.IncompleteUploads(t, bucket)...)
			},
			rewrite: func(t *testing.T, name string, edit func([]byte) []byte) {
				obj, err := m.Client.GetObject(ctx, bucket, name, minio.GetObjectOptions{})
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(obj)
				obj.Close()
				if err != nil {
					t.Fatal(err)
				}
				b = edit(b)
				if _, err := m.Client.PutObject(ctx, bucket, name, bytes.NewReader(b), int64(len(b)), minio.PutObjectOptions{}); err != nil {
					t.Fatal(err)
				}
			},
			refuse: func(t *testing.T) { m.Stop() },
		}
	}}
}

var testKey = bytes.Repeat([]byte{0x5a}, 32)

// variant is a Store made over an env: as it is, or sealed.
type variant struct {
	name   string
	sealed bool
}

func (v variant) store(t *testing.T, e *env) blob.Store {
	if !v.sealed {
		return e.plain
	}
	s, err := blob.Sealed(e.plain, testKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pdf makes a valid PDF of exactly n bytes, its body random (seeded) so each seed is new content.
func pdf(n int, seed uint64) []byte {
	const head, tail = "%PDF-1.4\n", "\n%%EOF\n"
	b := make([]byte, n)
	r := rand.New(rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16)}))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, head)
	copy(b[n-len(tail):], tail)
	return b
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// TestConformance runs the same cases against every store: files on disk, S3 on a real MinIO, and
// each of them sealed.
func TestConformance(t *testing.T) {
	variants := []variant{{"plain", false}, {"sealed", true}}
	t.Run("files", func(t *testing.T) {
		for _, v := range variants {
			t.Run(v.name, func(t *testing.T) { conformance(t, filesKind(), v) })
		}
	})
	t.Run("s3", func(t *testing.T) {
		m := testsrv.StartMinIO(t)
		for _, v := range variants {
			t.Run(v.name, func(t *testing.T) { conformance(t, s3Kind(m), v) })
		}
		t.Run("not ready", func(t *testing.T) {
			m.SetEnv(t)
			missing, err := blob.OpenURL(t.TempDir(), m.URL("no-such-bucket"))
			if err != nil {
				t.Fatal(err)
			}
			if err := missing.Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "bucket does not exist") {
				t.Errorf("Ready of a missing bucket: %v", err)
			}
			t.Setenv("QUOTACERT_S3_SECRET_KEY", "wrong-secret")
			wrong, err := blob.OpenURL(t.TempDir(), m.URL(m.Bucket))
			if err != nil {
				t.Fatal(err)
			}
			if err := wrong.Ready(context.Background()); err == nil {
				t.Error("Ready with a wrong secret key")
			} else {
				t.Logf("wrong secret: %v", err)
			}
		})
	})
}

func conformance(t *testing.T, k kind, v variant) {
	ctx := context.Background()
	fresh := func(t *testing.T) (blob.Store, *env) {
		e := k.open(t, false)
		return v.store(t, e), e
	}

	t.Run("round trip", func(t *testing.T) {
		s, e := fresh(t)
		cases := []struct {
			name string
			data []byte
			want string
		}{
			{"pdf", []byte(samplePDF), blob.TypePDF},
			{"png", samplePNG(t), blob.TypePNG},
			{"jpeg", sampleJPEG(t), blob.TypeJPEG},
			{"pdf of 300 KiB", pdf(300<<10+17, 1), blob.TypePDF}, // several DARE packages, one short
			{"pdf of exactly 10 MiB", pdf(blob.MaxSize, 2), blob.TypePDF},
		}
		for _, c := range cases {
			info, err := s.Put(ctx, bytes.NewReader(c.data))
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if info.Size != int64(len(c.data)) || info.ContentType != c.want || info.SHA256 != sha(c.data) {
				t.Errorf("%s: Put = %+v", c.name, info)
			}
			if len(info.Name) != 64 || (info.Name == info.SHA256) == v.sealed {
				t.Errorf("%s: name %s (sealed %v): a sealed name must not be the plain SHA-256", c.name, info.Name, v.sealed)
			}
			rc, err := s.Open(ctx, info.Name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(got, c.data) {
				t.Errorf("%s: read back %d bytes (%v), stored %d", c.name, len(got), err, len(c.data))
			}
			if st, err := s.Stat(ctx, info.Name); err != nil || st.Size != info.Size || st.Name != info.Name {
				t.Errorf("%s: Stat = %+v, %v", c.name, st, err)
			}
		}
		if n := len(e.stored(t)); n != len(cases) {
			t.Errorf("%d objects stored for %d uploads: %v", n, len(cases), e.stored(t))
		}
	})

	t.Run("seek", func(t *testing.T) {
		s, _ := fresh(t)
		data := pdf(200<<10+5, 3)
		info, err := s.Put(ctx, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		rc, err := s.Open(ctx, info.Name)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		if end, err := rc.Seek(0, io.SeekEnd); err != nil || end != int64(len(data)) {
			t.Fatalf("Seek(0, End) = %d, %v", end, err)
		}
		// Across and inside 64 KiB packages, backwards and forwards, like HTTP range requests.
		for _, r := range [][2]int{{65536, 10}, {65530, 20}, {0, 5}, {131072 + 7, 65536}, {len(data) - 3, 3}, {100, 200000}} {
			if _, err := rc.Seek(int64(r[0]), io.SeekStart); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, r[1])
			if _, err := io.ReadFull(rc, got); err != nil || !bytes.Equal(got, data[r[0]:r[0]+r[1]]) {
				t.Errorf("bytes %d+%d differ (%v)", r[0], r[1], err)
			}
		}
		rc.Seek(0, io.SeekEnd)
		if n, err := rc.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Errorf("read at end = %d, %v", n, err)
		}
	})

	t.Run("refused", func(t *testing.T) {
		s, e := fresh(t)
		big := pdf(blob.MaxSize+1, 4)
		cases := []struct {
			name string
			r    io.Reader
			msg  string
		}{
			{"one byte over 10 MiB", bytes.NewReader(big), "不能超过 10 MB"},
			{"zero bytes", bytes.NewReader(nil), "空的"},
			{"ELF executable renamed .pdf", bytes.NewReader(append(elfHeader, make([]byte, 100)...)), "只能上传"},
			{"html", strings.NewReader("<!DOCTYPE html><script>alert(1)</script>"), "只能上传"},
			{"truncated pdf", strings.NewReader("%PDF-1.7\n1 0 obj"), "PDF 文件不完整"},
			{"png magic only", bytes.NewReader([]byte("\x89PNG\r\n\x1a\nxxxxxxxxxxxx")), "PNG"},
			{"large file without an end marker", bytes.NewReader(big[:6<<20]), "PDF 文件不完整"},
			{"interrupted after 6 MiB (a part was sent)", &failingReader{n: 6 << 20}, "上传中断"},
		}
		for _, c := range cases {
			_, err := s.Put(ctx, c.r)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.Invalid || !strings.Contains(ae.Fields["file"], c.msg) {
				t.Errorf("%s: err = %v, want an invalid file error containing %q", c.name, err, c.msg)
			}
		}
		if l := e.stored(t); len(l) != 0 {
			t.Errorf("refused uploads left %v", l)
		}
	})

	t.Run("cancelled while sending", func(t *testing.T) {
		s, e := fresh(t)
		cctx, cancel := context.WithCancel(ctx)
		r := &cancelAfter{r: bytes.NewReader(pdf(8<<20, 5)), n: 6 << 20, cancel: cancel}
		if _, err := s.Put(cctx, r); err == nil {
			t.Fatal("a cancelled upload was stored")
		}
		if l := e.stored(t); len(l) != 0 {
			t.Errorf("cancelled upload left %v", l)
		}
	})

	t.Run("idempotent", func(t *testing.T) {
		s, e := fresh(t)
		data := pdf(7<<20, 6)
		first, err := s.Put(ctx, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		// Again, and four at once: one name, one stored copy.
		var wg sync.WaitGroup
		names := make([]string, 5)
		errs := make([]error, 5)
		for i := range names {
			wg.Go(func() {
				info, err := s.Put(ctx, bytes.NewReader(data))
				names[i], errs[i] = info.Name, err
			})
		}
		wg.Wait()
		for i := range names {
			if errs[i] != nil || names[i] != first.Name {
				t.Errorf("put %d: %s, %v; first %s", i, names[i], errs[i], first.Name)
			}
		}
		if l := e.stored(t); len(l) != 1 {
			t.Errorf("stored %v", l)
		}
	})

	t.Run("remove and unknown names", func(t *testing.T) {
		s, e := fresh(t)
		info, err := s.Put(ctx, strings.NewReader(samplePDF))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Remove(ctx, info.Name); err != nil {
			t.Fatal(err)
		}
		if err := s.Remove(ctx, info.Name); err != nil {
			t.Errorf("removing an absent blob: %v", err)
		}
		if _, err := s.Open(ctx, info.Name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open after Remove: %v", err)
		}
		if _, err := s.Stat(ctx, info.Name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat after Remove: %v", err)
		}
		for _, name := range []string{"../../etc/passwd", "", strings.Repeat("z", 64), "tmp/x"} {
			if _, err := s.Open(ctx, name); err == nil || errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Open(%q) = %v, want an invalid name", name, err)
			}
		}
		if l := e.stored(t); len(l) != 0 {
			t.Errorf("left %v", l)
		}
	})

	t.Run("ready", func(t *testing.T) {
		e := k.open(t, true)
		s := v.store(t, e)
		if err := s.Ready(ctx); err != nil {
			t.Fatalf("Ready: %v", err)
		}
		if l := e.stored(t); len(l) != 0 {
			t.Errorf("the readiness probe left %v", l)
		}
		e.refuse(t)
		if err := s.Ready(ctx); err == nil {
			t.Fatal("Ready on storage that refuses writes")
		} else {
			t.Logf("Ready: %v", err)
		}
	})

	t.Run("memory of a 10 MiB put", func(t *testing.T) {
		s, _ := fresh(t)
		data := pdf(blob.MaxSize, 7)
		// Less than one copy of the file: minio-go would buffer a whole 10 MiB upload of unknown
		// size in its default 16 MiB part; Put streams it through one 5 MiB part.
		const bound = 9 << 20
		check := func(what string, fn func()) {
			alloc := allocated(fn)
			t.Logf("%s of 10 MiB allocated %.2f MiB", what, float64(alloc)/(1<<20))
			if alloc > bound && !raceEnabled {
				t.Errorf("%s of 10 MiB allocated %.2f MiB, bound %.0f MiB", what, float64(alloc)/(1<<20), float64(bound)/(1<<20))
			}
		}
		check("Put", func() {
			if _, err := s.Put(ctx, bytes.NewReader(data)); err != nil {
				t.Fatal(err)
			}
		})
		data[100]++
		check("Put and read back", func() {
			info, err := s.Put(ctx, bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			rc, err := s.Open(ctx, info.Name)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			if n, err := io.Copy(io.Discard, rc); err != nil || n != int64(len(data)) {
				t.Fatalf("read back %d, %v", n, err)
			}
		})
	})

	if v.sealed {
		t.Run("tampering", func(t *testing.T) { tampering(t, k) })
	}
}

// allocated measures the bytes allocated on the heap while fn runs (an upper bound of what it
// held at once).
func allocated(fn func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// cancelAfter cancels its context once n bytes were read, like a client that goes away.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.cancel()
	}
	n, err := c.r.Read(p[:min(len(p), max(c.n, 1))])
	c.n -= n
	return n, err
}

// tampering: whatever is changed in the store, a sealed blob gives an error, never other bytes.
func tampering(t *testing.T, k kind) {
	ctx := context.Background()
	e := k.open(t, false)
	s, err := blob.Sealed(e.plain, testKey)
	if err != nil {
		t.Fatal(err)
	}
	data := pdf(200<<10, 8)
	put := func(t *testing.T, d []byte) blob.Info {
		info, err := s.Put(ctx, bytes.NewReader(d))
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	// read returns what Open and reading to the end give, and checks that every byte returned
	// before an error is the original's.
	read := func(t *testing.T, name string, want []byte) error {
		rc, err := s.Open(ctx, name)
		if err != nil {
			return err
		}
		defer rc.Close()
		got, err := io.ReadAll(rc)
		if !bytes.HasPrefix(want, got) {
			t.Errorf("returned %d bytes that are not the stored content", len(got))
		}
		if err == nil && len(got) != len(want) {
			t.Errorf("read %d bytes without error, want %d", len(got), len(want))
		}
		return err
	}
	edits := []struct {
		name string
		edit func([]byte) []byte
		want error
	}{
		{"a flipped byte in the first package", func(b []byte) []byte { b[100] ^= 1; return b }, blob.ErrDamaged},
		{"a flipped byte in the last package", func(b []byte) []byte { b[len(b)-100] ^= 0x80; return b }, blob.ErrDamaged},
		{"a flipped byte in the salt", func(b []byte) []byte { b[20] ^= 1; return b }, blob.ErrDamaged},
		{"a flipped byte in the tag", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, blob.ErrDamaged},
		{"another key id", func(b []byte) []byte { b[5] ^= 1; return b }, blob.ErrWrongKey},
		{"the last package cut off, tag kept", func(b []byte) []byte {
			return append(b[:len(b)-32-(200<<10-3*65536+32)], b[len(b)-32:]...)
		}, blob.ErrDamaged},
		{"cut to the header", func(b []byte) []byte { return b[:44] }, blob.ErrNotSealed},
		{"not sealed at all", func([]byte) []byte { return []byte(samplePDF) }, blob.ErrNotSealed},
	}
	for i, c := range edits {
		t.Run(c.name, func(t *testing.T) {
			d := bytes.Clone(data)
			d[1000] = byte(i) // a blob of its own
			info := put(t, d)
			e.rewrite(t, info.Name, c.edit)
			if err := read(t, info.Name, d); !errors.Is(err, c.want) {
				t.Errorf("err = %v, want %v", err, c.want)
			}
		})
	}

	t.Run("blobs swapped in the store", func(t *testing.T) {
		a, b := bytes.Clone(data), bytes.Clone(data)
		a[1000], b[1000] = 'a', 'b'
		ia, ib := put(t, a), put(t, b)
		var rawB []byte
		e.rewrite(t, ib.Name, func(x []byte) []byte { rawB = bytes.Clone(x); return x })
		e.rewrite(t, ia.Name, func([]byte) []byte { return rawB })
		if err := read(t, ia.Name, a); !errors.Is(err, blob.ErrDamaged) {
			t.Errorf("err = %v, want ErrDamaged", err)
		}
	})

	t.Run("re-seal under a new key", func(t *testing.T) {
		newKey := bytes.Repeat([]byte{0xa5}, 32)
		s2, err := blob.Sealed(e.plain, newKey)
		if err != nil {
			t.Fatal(err)
		}
		d := bytes.Clone(data)
		d[1000] = 'r'
		old := put(t, d)
		moved, err := blob.Copy(ctx, s2, s, old.Name)
		if err != nil {
			t.Fatal(err)
		}
		if moved.Name == old.Name || moved.SHA256 != old.SHA256 || moved.Size != old.Size {
			t.Errorf("re-sealed %+v from %+v: the name must change with the key, nothing else", moved, old)
		}
		rc, err := s2.Open(ctx, moved.Name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, d) {
			t.Errorf("re-sealed content differs (%v)", err)
		}
		if _, err := s.Open(ctx, moved.Name); !errors.Is(err, blob.ErrWrongKey) {
			t.Errorf("new blob opened with the old key: %v", err)
		}
		if err := s.Remove(ctx, old.Name); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("sealing blobs stored in clear", func(t *testing.T) {
		d := bytes.Clone(data)
		d[1000] = 'c'
		clear, err := e.plain.Put(ctx, bytes.NewReader(d))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Open(ctx, clear.Name); !errors.Is(err, blob.ErrNotSealed) {
			t.Errorf("a clear blob opened through the sealed store: %v", err)
		}
		sealed, err := blob.Copy(ctx, s, e.plain, clear.Name)
		if err != nil || sealed.SHA256 != clear.Name {
			t.Fatalf("Copy = %+v, %v", sealed, err)
		}
		var raw []byte
		e.rewrite(t, sealed.Name, func(b []byte) []byte { raw = bytes.Clone(b); return b })
		if bytes.Contains(raw, d[:4096]) || bytes.Contains(raw, d[len(d)-4096:]) {
			t.Error("the sealed blob holds the content in clear")
		}
	})
}

func TestSealedNeedsAPlainStore(t *testing.T) {
	s, err := blob.OpenFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blob.Sealed(s, testKey[:16]); err == nil {
		t.Error("a 16-byte key was accepted")
	}
	sealed, err := blob.Sealed(s, testKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blob.Sealed(sealed, testKey); err == nil {
		t.Error("sealed twice")
	}
}

func TestOpenURL(t *testing.T) {
	data := t.TempDir()
	s, err := blob.OpenURL(data, "")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Put(context.Background(), strings.NewReader(samplePDF))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(data, "files", info.Name[:2], info.Name)); err != nil {
		t.Errorf("the default store is not under <data>/files: %v", err)
	}

	env := map[string]string{"QUOTACERT_S3_ACCESS_KEY": "ak", "QUOTACERT_S3_SECRET_KEY": "sk"}
	getenv := func(k string) string { return env[k] }
	cfg, err := blob.ParseS3URL("s3://attachments/prod/?endpoint=oss-cn-beijing.example.com:443&region=cn-north-1&path-style=false", getenv)
	want := blob.S3Config{Bucket: "attachments", Prefix: "prod/", Endpoint: "oss-cn-beijing.example.com:443",
		Region: "cn-north-1", PathStyle: "false", AccessKey: "ak", SecretKey: "sk"}
	if err != nil || cfg != want {
		t.Errorf("ParseS3URL = %+v, %v\nwant %+v", cfg, err, want)
	}
	cfg, err = blob.ParseS3URL("s3://b?endpoint=127.0.0.1:9000&secure=false", getenv)
	if err != nil || !cfg.Insecure || cfg.Prefix != "" || cfg.PathStyle != "" {
		t.Errorf("ParseS3URL = %+v, %v", cfg, err)
	}
	env = map[string]string{"AWS_ACCESS_KEY_ID": "a2", "AWS_SECRET_ACCESS_KEY": "s2", "AWS_SESSION_TOKEN": "t2"}
	if cfg, err = blob.ParseS3URL("s3://b?endpoint=h:1", getenv); err != nil || cfg.AccessKey != "a2" || cfg.SecretKey != "s2" || cfg.SessionToken != "t2" {
		t.Errorf("AWS fallback: %+v, %v", cfg, err)
	}

	env = map[string]string{"QUOTACERT_S3_ACCESS_KEY": "ak", "QUOTACERT_S3_SECRET_KEY": "sk"}
	for _, c := range []struct{ url, msg string }{
		{"s3://b", "endpoint"},
		{"s3://ak:sk@b?endpoint=h:1", "credentials do not belong in the URL"},
		{"s3://b?endpoint=h:1&regoin=x", "unknown parameter"},
		{"s3://b?endpoint=h:1&secure=yes", "secure must be"},
		{"s3://b?endpoint=h:1&endpoint=h:2", "2 times"},
		{"gs://b", "use s3://"},
		{"/var/lib/files", "use s3://"},
	} {
		if _, err := blob.ParseS3URL(c.url, getenv); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("ParseS3URL(%q) = %v, want %q", c.url, err, c.msg)
		}
	}
	if _, err := blob.ParseS3URL("s3://b?endpoint=h:1", func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "QUOTACERT_S3_ACCESS_KEY") {
		t.Errorf("no credentials: %v", err)
	}
	t.Setenv("QUOTACERT_S3_ACCESS_KEY", "ak")
	t.Setenv("QUOTACERT_S3_SECRET_KEY", "sk")
	if _, err := blob.OpenURL(data, "s3://bkt?endpoint=h:1"); err != nil {
		t.Errorf("OpenURL: %v", err)
	}
	if _, err := blob.OpenURL(data, "s3://bkt?endpoint=h:1&path-style=maybe"); err == nil {
		t.Error("path-style=maybe accepted")
	}
	if _, err := blob.OpenURL(data, "s3://No_Such..Bucket?endpoint=h:1"); err == nil {
		t.Error("an invalid bucket name accepted")
	}
}
