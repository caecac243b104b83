package blob

import (
	"bytes"
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
