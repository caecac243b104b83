package blob

import (
	"bytes"
	"errors"
	"image/jpeg"
	"image/png"
	"io"
)

// The accepted content types.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
)

var (
	magicPDF  = []byte("%PDF-")
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
	magicPNG  = []byte("\x89PNG\r\n\x1a\n")
	pngIEND   = []byte("IEND\xaeB`\x82")
	pdfEOF    = []byte("%%EOF")
)

// tailWindow is how far from the end a PDF's %%EOF or a PNG's IEND chunk may sit: writers and
// transfer tools sometimes append whitespace or padding.
const tailWindow = 1024

// Detect returns the content type of the size bytes of r when they are a PDF, JPEG or PNG, judged
// by content alone: the leading magic bytes, the image header decoding, and the format's end
// marker (PDF, PNG). Anything else — an executable renamed .pdf, an HTML page, a truncated file —
// is refused with a Chinese message. It never panics, whatever the bytes (see FuzzDetect).
func Detect(r io.ReaderAt, size int64) (string, error) {
	head := make([]byte, min(size, 16))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return "", fileError("无法读取上传的文件，请重新上传")
	}
	tail := make([]byte, min(size, tailWindow))
	if _, err := r.ReadAt(tail, size-int64(len(tail))); err != nil && err != io.EOF {
		return "", fileError("无法读取上传的文件，请重新上传")
	}
	whole := io.NewSectionReader(r, 0, size)
	switch {
	case bytes.HasPrefix(head, magicPDF):
		if !bytes.Contains(tail, pdfEOF) {
			return "", fileError("PDF 文件不完整或已损坏，请重新导出后上传")
		}
		return TypePDF, nil
	case bytes.HasPrefix(head, magicPNG):
		cfg, err := png.DecodeConfig(whole)
		if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || !bytes.Contains(tail, pngIEND) {
			return "", fileError("PNG 图片不完整或已损坏，请重新上传")
		}
		return TypePNG, nil
	case bytes.HasPrefix(head, magicJPEG):
		cfg, err := jpeg.DecodeConfig(whole)
		if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
			return "", fileError("JPEG 图片不完整或已损坏，请重新上传")
		}
		return TypeJPEG, nil
	}
	return "", fileError("只能上传 PDF、JPG 或 PNG 格式的文件（按文件内容判断，修改扩展名无效）")
}

// headWindow is how much of the start of an upload is kept for Detect: the magic bytes and the
// image headers. A JPEG's frame header normally follows within a few KiB (EXIF, a thumbnail).
const headWindow = 64 << 10

// capture keeps the head and the tail of the bytes written to it, so that Detect can check an
// upload without reading it back from the store; a read outside them goes to rest, the stored
// upload, opened on first need.
type capture struct {
	head []byte
	tail []byte // the last tailWindow bytes, in order
	n    int64
	rest func() (io.ReaderAt, error)
	ra   io.ReaderAt
}

func newCapture() *capture {
	return &capture{head: make([]byte, 0, headWindow), tail: make([]byte, 0, 2*tailWindow)}
}

func (c *capture) Write(p []byte) (int, error) {
	if room := headWindow - len(c.head); room > 0 {
		c.head = append(c.head, p[:min(room, len(p))]...)
	}
	if len(p) >= tailWindow {
		c.tail = append(c.tail[:0], p[len(p)-tailWindow:]...)
	} else {
		if len(c.tail)+len(p) > cap(c.tail) {
			c.tail = append(c.tail[:0], c.tail[len(c.tail)-(tailWindow-len(p)):]...)
		}
		c.tail = append(c.tail, p...)
	}
	c.n += int64(len(p))
	return len(p), nil
}

func (c *capture) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("blob: negative offset")
	}
	if off >= c.n {
		return 0, io.EOF
	}
	end := off + int64(len(p))
	var err error
	if end > c.n {
		end, err = c.n, io.EOF
	}
	if end <= int64(len(c.head)) {
		return copy(p, c.head[off:end]), err
	}
	if tailStart := c.n - int64(len(c.tail)); off >= tailStart {
		return copy(p, c.tail[off-tailStart:end-tailStart]), err
	}
	if c.ra == nil {
		if c.rest == nil {
			return 0, errors.New("blob: upload cannot be read back")
		}
		ra, rerr := c.rest()
		if rerr != nil {
			return 0, rerr
		}
		c.ra = ra
	}
	return c.ra.ReadAt(p, off)
}
