package web

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"quotacert/internal/httpx"
)

// handleAPIFileUpload: POST /api/v1/files, multipart field "file" → 201 {id, name, size, sha256}.
// The part is streamed into the blob store (hashed, checked and sealed on the way), never buffered
// whole. sha256 is the SHA-256 of the bytes as received, as CONTRACT.md names it, so the client
// can check its upload: it is computed on the way in and never stored. Only the uploader, who
// holds the bytes, learns it; stored beside the sealed blob it would undo the keyed name.
func (s *Server) handleAPIFileUpload(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	r.Body = http.MaxBytesReader(w, r.Body, maxOneFileForm)
	mr, err := r.MultipartReader()
	if err != nil {
		s.renderError(w, r, fieldErr("file", "请以 multipart/form-data 方式上传，文件字段名为 file"))
		return
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.renderError(w, r, uploadError(err))
			return
		}
		if part.FormName() != "file" {
			continue
		}
		f, err := s.deps.Files.Upload(r.Context(), a, part.FileName(), part)
		if err != nil {
			s.renderError(w, r, uploadError(err))
			return
		}
		httpx.WriteJSON(w, http.StatusCreated, map[string]any{"id": f.ID, "name": f.Name, "size": f.Size, "sha256": f.SHA256})
		return
	}
	s.renderError(w, r, fieldErr("file", "请选择要上传的文件"))
}

// handleAPIFileDownload: GET /api/v1/files/{id} → the bytes, as a download, to the owner employer
// and the staff of its jurisdiction; everyone else gets 404. With ?inline=1 a PDF is served for
// viewing in a frame of our own pages (a reviewer reads evidence beside the grid): its type was
// checked by content at upload, and nosniff keeps the browser from reading it as anything else.
func (s *Server) handleAPIFileDownload(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	f, rc, err := s.deps.Files.Open(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	if r.URL.Query().Get("inline") == "1" && f.ContentType == "application/pdf" {
		h.Set("Content-Disposition", "inline"+strings.TrimPrefix(contentDisposition(f.Name), "attachment"))
		h.Set("X-Frame-Options", "SAMEORIGIN")
		// The browser's PDF viewer does not run under a sandbox; only our pages may frame it.
		h.Set("Content-Security-Policy", "frame-ancestors 'self'")
	} else {
		h.Set("Content-Disposition", contentDisposition(f.Name))
		// Even if a browser ignored "attachment", the file could not run script in our origin.
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	}
	http.ServeContent(w, r, "", f.CreatedAt, rc)
}

// contentDisposition is an attachment header with an ASCII fallback name and the UTF-8 name in
// RFC 5987 encoding (filename*), which every current browser prefers.
func contentDisposition(name string) string {
	var ascii, enc strings.Builder
	for _, r := range name {
		if r < 0x80 && r >= 0x20 && r != '"' && r != '\\' && r != 0x7f {
			ascii.WriteRune(r)
		} else {
			ascii.WriteByte('_')
		}
	}
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii.String(), enc.String())
}

// isAttrChar is RFC 5987's attr-char: the bytes that need no percent-encoding.
func isAttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}
