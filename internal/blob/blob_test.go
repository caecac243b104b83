package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"quotacert/internal/apperr"
	"quotacert/internal/blob"
)

// Samples builds one valid file of each accepted type.
func samplePNG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sampleJPEG(t testing.TB) []byte {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const samplePDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

// elfHeader is the start of a Linux executable; MZ that of a Windows one.
var elfHeader = []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00")

func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPutAcceptedTypes(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"pdf", []byte(samplePDF), blob.TypePDF},
		{"pdf with trailing newlines", []byte(samplePDF + "\r\n\r\n"), blob.TypePDF},
		{"png", samplePNG(t), blob.TypePNG},
		{"jpeg", sampleJPEG(t), blob.TypeJPEG},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := blob.OpenFiles(dir)
			if err != nil {
				t.Fatal(err)
			}
			info, err := s.Put(context.Background(), bytes.NewReader(c.data))
			if err != nil {
				t.Fatal(err)
			}
			want := sha256.Sum256(c.data)
			if info.Name != hex.EncodeToString(want[:]) || info.Size != int64(len(c.data)) || info.ContentType != c.want {
				t.Errorf("Put = %+v", info)
			}
			f, err := s.Open(context.Background(), info.Name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(f)
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			if !bytes.Equal(got, c.data) {
				t.Error("stored bytes differ")
			}
			// The same bytes again share the copy; nothing else is left in the directory.
			if _, err := s.Put(context.Background(), bytes.NewReader(c.data)); err != nil {
				t.Fatal(err)
			}
			if l := leftovers(t, dir); len(l) != 1 {
				t.Errorf("files on disk = %v", l)
			}
		})
	}
}

// failingReader delivers some bytes and then breaks, like a dropped connection.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset")
	}
	n := min(len(p), f.n)
	copy(p, bytes.Repeat([]byte("%PDF-"), len(p))[:n])
	f.n -= n
	return n, nil
}

func TestPutRefused(t *testing.T) {
	big := append([]byte("%PDF-1.4\n"), make([]byte, blob.MaxSize)...)
	big = append(big, []byte("%%EOF")...)
	cases := []struct {
		name string
		r    io.Reader
		msg  string
	}{
		{"oversized", bytes.NewReader(big), "不能超过 10 MB"},
		{"zero bytes", bytes.NewReader(nil), "空的"},
		{"ELF executable renamed .pdf", bytes.NewReader(append(elfHeader, make([]byte, 100)...)), "只能上传"},
		{"Windows executable", bytes.NewReader([]byte("MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode")), "只能上传"},
		{"html", strings.NewReader("<!DOCTYPE html><script>alert(1)</script>"), "只能上传"},
		{"truncated pdf", strings.NewReader("%PDF-1.7\n1 0 obj"), "PDF 文件不完整"},
		{"png magic only", bytes.NewReader([]byte("\x89PNG\r\n\x1a\nxxxxxxxxxxxx")), "PNG"},
		{"jpeg magic only", bytes.NewReader([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0}), "JPEG"},
		{"interrupted", &failingReader{n: 100000}, "上传中断"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := blob.OpenFiles(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Put(context.Background(), c.r)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.Invalid || !strings.Contains(ae.Fields["file"], c.msg) {
				t.Fatalf("err = %v, want invalid file error containing %q", err, c.msg)
			}
			if l := leftovers(t, dir); len(l) != 0 {
				t.Errorf("refused upload left %v", l)
			}
		})
	}
}

func TestPutCancelled(t *testing.T) {
	dir := t.TempDir()
	s, err := blob.OpenFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, strings.NewReader(samplePDF)); err == nil {
		t.Fatal("cancelled upload stored")
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Errorf("cancelled upload left %v", l)
	}
}

func TestOpenRejectsBadNames(t *testing.T) {
	s, err := blob.OpenFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"../../etc/passwd", "", strings.Repeat("z", 64)} {
		if _, err := s.Open(context.Background(), name); err == nil {
			t.Errorf("Open(%q) succeeded", name)
		}
	}
}

// FuzzDetect: no input panics Detect, and whatever it accepts starts with the magic bytes of the
// type it reports.
func FuzzDetect(f *testing.F) {
	f.Add([]byte(samplePDF))
	f.Add(samplePNG(f))
	f.Add(sampleJPEG(f))
	f.Add(elfHeader)
	f.Add([]byte{})
	f.Add([]byte("%PDF-%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, err := blob.Detect(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if typ != "" {
				t.Fatalf("type %q with error", typ)
			}
			return
		}
		magic := map[string]string{blob.TypePDF: "%PDF-", blob.TypePNG: "\x89PNG\r\n\x1a\n", blob.TypeJPEG: "\xff\xd8\xff"}[typ]
		if magic == "" || !bytes.HasPrefix(data, []byte(magic)) {
			t.Fatalf("accepted %q as %q", data[:min(len(data), 16)], typ)
		}
	})
}

// BenchmarkPut10MiB measures storing a maximum-size upload (hash, check, rename).
func BenchmarkPut10MiB(b *testing.B) {
	s, err := blob.OpenFiles(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	data := append([]byte("%PDF-1.4\n"), make([]byte, blob.MaxSize-20)...)
	data = append(data, []byte("\n%%EOF\n")...)
	b.SetBytes(int64(len(data)))
	for i := 0; b.Loop(); i++ {
		data[100] = byte(i) // new content each time, so each round really writes
		data[101] = byte(i >> 8)
		if _, err := s.Put(context.Background(), bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
