package blob

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
)

// TestCapture: whatever the sizes of the writes, ReadAt anywhere gives the bytes written, from the
// captured head and tail or else from the stored upload, which is read only when needed.
func TestCapture(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 100, tailWindow, headWindow - 1, headWindow + tailWindow + 5, 300 << 10} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		c := newCapture()
		for off := 0; off < n; {
			k := min(n-off, 1+r.IntN(3*tailWindow))
			c.Write(data[off : off+k])
			off += k
		}
		restUsed := false
		c.rest = func() (io.ReaderAt, error) { restUsed = true; return bytes.NewReader(data), nil }
		for range 200 {
			off := r.IntN(n)
			buf := make([]byte, 1+r.IntN(5000))
			got, err := c.ReadAt(buf, int64(off))
			want := min(len(buf), n-off)
			if got != want || !bytes.Equal(buf[:got], data[off:off+got]) || (got < len(buf)) != (err == io.EOF) {
				t.Fatalf("n=%d ReadAt(%d bytes at %d) = %d, %v", n, len(buf), off, got, err)
			}
		}
		// The head and the last tailWindow bytes never need the stored upload.
		restUsed = false
		c.ra = nil
		c.ReadAt(make([]byte, min(n, 16)), 0)
		c.ReadAt(make([]byte, min(n, tailWindow)), int64(n-min(n, tailWindow)))
		if restUsed {
			t.Errorf("n=%d: head or tail read from the stored upload", n)
		}
	}
}
