// Package blob keeps attachment bytes on the local filesystem, content-addressed by SHA-256, under
// <data>/files/ — outside any folder the web server serves, so a file is only ever delivered
// through the authorization check of the attachment service.
//
// An upload is written to a temporary file while it is hashed, then checked by content (PDF, JPEG
// or PNG, whatever its name or declared type says) and renamed into place. An upload that is
// interrupted, too large, empty or of another type is removed before Put returns: nothing is left
// behind. Identical uploads share one stored copy.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"quotacert/internal/apperr"
)

// MaxSize is the largest attachment accepted: 10 MiB, enough for a scanned contract, small enough
// to keep slow uploads and storage in check.
const MaxSize = 10 << 20

// Store is a directory of content-addressed files.
type Store struct {
	dir string
}

// Open returns the store rooted at dir (normally <data>/files), creating it when missing.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("create blob directory %s: %w", dir, err)
	}
	return &Store{dir: dir}, nil
}

// Put stores the bytes read from r and returns their SHA-256 (hex), size and checked content type.
// Errors about the content itself are apperr.Invalid with a Chinese message for the "file" field.
func (s *Store) Put(ctx context.Context, r io.Reader) (sum string, size int64, contentType string, err error) {
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "upload-*")
	if err != nil {
		return "", 0, "", fmt.Errorf("create temporary upload file: %w", err)
	}
	placed := false
	defer func() {
		tmp.Close()
		if !placed {
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(tmp, h), io.LimitReader(ctxReader{ctx, r}, MaxSize+1))
	if err != nil {
		return "", 0, "", invalidOr(err, fmt.Errorf("receive upload: %w", err))
	}
	if size > MaxSize {
		return "", 0, "", fileError("文件不能超过 10 MB，请压缩或拆分后上传")
	}
	if size == 0 {
		return "", 0, "", fileError("文件是空的（0 字节），请重新选择文件")
	}
	if contentType, err = Detect(tmp, size); err != nil {
		return "", 0, "", err
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, "", fmt.Errorf("sync upload: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	final := s.path(sum)
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return "", 0, "", fmt.Errorf("create blob folder: %w", err)
	}
	if _, err := os.Stat(final); err == nil {
		return sum, size, contentType, nil // same bytes already stored; the temp file goes
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return "", 0, "", fmt.Errorf("chmod upload: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", 0, "", fmt.Errorf("place upload: %w", err)
	}
	placed = true
	return sum, size, contentType, nil
}

// Open opens the stored bytes of a SHA-256 sum.
func (s *Store) Open(sum string) (io.ReadSeekCloser, error) {
	if !validSum(sum) {
		return nil, fmt.Errorf("invalid blob name %q", sum)
	}
	f, err := os.Open(s.path(sum))
	if err != nil {
		return nil, fmt.Errorf("open blob %s: %w", sum, err)
	}
	return f, nil
}

// Remove deletes stored bytes; the attachment service calls it when the metadata of a new upload
// could not be recorded and no other file row shares the bytes.
func (s *Store) Remove(sum string) error {
	if !validSum(sum) {
		return fmt.Errorf("invalid blob name %q", sum)
	}
	if err := os.Remove(s.path(sum)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove blob %s: %w", sum, err)
	}
	return nil
}

// path spreads blobs over 256 folders so no directory grows huge.
func (s *Store) path(sum string) string { return filepath.Join(s.dir, sum[:2], sum) }

func validSum(sum string) bool {
	if len(sum) != 64 {
		return false
	}
	_, err := hex.DecodeString(sum)
	return err == nil
}

func fileError(msg string) error {
	return &apperr.Error{Code: apperr.Invalid, Message: msg, Fields: map[string]string{"file": msg}}
}

// invalidOr keeps an apperr from the reader (e.g. the body limit) and wraps anything else as an
// interrupted upload, which the user can simply retry.
func invalidOr(err, wrapped error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	e := apperr.Wrap(apperr.Invalid, "文件上传中断，请重新上传", wrapped)
	e.Fields = map[string]string{"file": e.Message}
	return e
}

// ctxReader stops reading once the request is cancelled (the client went away).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
