// Package blob keeps attachment bytes (contracts, certificate scans, claim evidence) outside the
// database, content-addressed, behind one interface with two homes: files on the local disk (the
// embedded default, under <data>/files/, outside any folder the web server serves) and an
// S3-compatible object store (MinIO, Ceph RGW, the S3 APIs of the public clouds), so several
// instances can share them. Either can be sealed with the data key (Sealed).
//
// Every store has the same semantics. An upload is streamed — hashed while it is written to a
// temporary object — then checked by content (PDF, JPEG or PNG, whatever its name or declared type
// says) and placed under its name: the hex SHA-256 of the bytes, or for a sealed store an HMAC of
// them under a key derived from the data key. An upload that is interrupted, too large, empty or of
// another type is removed before Put returns: nothing is left behind. Identical uploads share one
// stored copy, so uploading the same file twice is harmless.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"

	"quotacert/internal/apperr"
)

// MaxSize is the largest attachment accepted: 10 MiB, enough for a scanned contract, small enough
// to keep slow uploads and storage in check.
const MaxSize = 10 << 20

// Store is where attachment bytes live. Names are 64 hex digits; an unknown name gives an error
// that matches fs.ErrNotExist. All methods are safe for concurrent use.
type Store interface {
	// Put stores the bytes read from r after checking them. Errors about the content itself are
	// apperr.Invalid with a Chinese message for the "file" field.
	Put(ctx context.Context, r io.Reader) (Info, error)
	// Open returns the stored bytes as a stream that can seek (for HTTP range requests); the
	// caller closes it. A sealed store fails a read rather than return altered bytes.
	Open(ctx context.Context, name string) (io.ReadSeekCloser, error)
	// Stat returns the Name and Size of stored bytes.
	Stat(ctx context.Context, name string) (Info, error)
	// Remove deletes stored bytes; removing an absent name is not an error.
	Remove(ctx context.Context, name string) error
	// Ready reports whether the store is reachable and accepts writes (it writes and removes a
	// small probe), for /readyz.
	Ready(ctx context.Context) error
}

// Info describes stored bytes.
type Info struct {
	Name        string // the address: hex SHA-256, or hex HMAC-SHA256 for a sealed store
	Size        int64  // bytes of content (before sealing)
	ContentType string // TypePDF, TypeJPEG or TypePNG, checked by content (Put only)
	SHA256      string // hex SHA-256 of the content (Put only; equals Name when not sealed)
}

// backend keeps raw bytes under names: the local disk or an S3 bucket. store adds everything
// else (limits, the content check, naming, sealing) once for both.
type backend interface {
	create(ctx context.Context) (upload, error)
	open(ctx context.Context, name string) (object, int64, error)
	size(ctx context.Context, name string) (int64, error)
	remove(ctx context.Context, name string) error
	ready(ctx context.Context) error
	String() string
}

// upload is a temporary object being written.
type upload interface {
	io.Writer
	// finish completes the temporary object.
	finish() error
	// readerAt reads the finished temporary object back.
	readerAt(ctx context.Context) (io.ReaderAt, error)
	// commit places the finished object under name; an object already there is kept.
	commit(ctx context.Context, name string) error
	// discard removes what the upload left behind; after commit it only tidies up.
	discard()
}

// object is stored bytes opened for reading.
type object interface {
	io.ReadSeekCloser
	io.ReaderAt
}

// store is the one implementation of Store: a backend, plus a sealer when sealed.
type store struct {
	b    backend
	seal *sealer
}

func (s *store) String() string {
	if s.seal != nil {
		return "sealed " + s.b.String()
	}
	return s.b.String()
}

func (s *store) Put(ctx context.Context, r io.Reader) (Info, error) {
	up, err := s.b.create(ctx)
	if err != nil {
		return Info{}, fmt.Errorf("blob store %s: begin upload: %w", s, err)
	}
	defer up.discard()

	var w io.Writer = up
	var sw *sealWriter
	var namer hash.Hash
	if s.seal != nil {
		if sw, err = s.seal.writer(up); err != nil {
			return Info{}, fmt.Errorf("blob store %s: %w", s, err)
		}
		w, namer = sw, s.seal.namer()
	}
	sum := sha256.New()
	capt := newCapture()
	src := &readErr{r: ctxReader{ctx, r}}
	dst := []io.Writer{w, sum, capt}
	if namer != nil {
		dst = append(dst, namer)
	}
	size, err := io.Copy(io.MultiWriter(dst...), io.LimitReader(src, MaxSize+1))
	switch {
	case src.err != nil:
		return Info{}, invalidOr(src.err, fmt.Errorf("receive upload: %w", src.err))
	case err != nil:
		return Info{}, fmt.Errorf("blob store %s: write upload: %w", s, err)
	case size > MaxSize:
		return Info{}, fileError("文件不能超过 10 MB，请压缩或拆分后上传")
	case size == 0:
		return Info{}, fileError("文件是空的（0 字节），请重新选择文件")
	}
	info := Info{Size: size, SHA256: hex.EncodeToString(sum.Sum(nil))}
	info.Name = info.SHA256
	if namer != nil {
		info.Name = hex.EncodeToString(namer.Sum(nil))
		if err := sw.finish(info.Name, size); err != nil {
			return Info{}, fmt.Errorf("blob store %s: seal upload: %w", s, err)
		}
	}
	if err := up.finish(); err != nil {
		return Info{}, fmt.Errorf("blob store %s: finish upload: %w", s, err)
	}
	// The check reads what it needs from the captured head and tail of the content; only an
	// unusual file (a JPEG with more than 64 KiB of metadata before its frame) is read back.
	capt.rest = func() (io.ReaderAt, error) {
		ra, err := up.readerAt(ctx)
		if err != nil || s.seal == nil {
			return ra, err
		}
		return s.seal.plainReaderAt(ra, size)
	}
	if info.ContentType, err = Detect(capt, size); err != nil {
		return Info{}, err
	}
	if err := up.commit(ctx, info.Name); err != nil {
		return Info{}, fmt.Errorf("blob store %s: place upload: %w", s, err)
	}
	return info, nil
}

func (s *store) Open(ctx context.Context, name string) (io.ReadSeekCloser, error) {
	if !validName(name) {
		return nil, fmt.Errorf("invalid blob name %q", name)
	}
	obj, size, err := s.b.open(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("blob store %s: open %s: %w", s, name, err)
	}
	if s.seal == nil {
		return obj, nil
	}
	rc, err := s.seal.open(obj, size, name)
	if err != nil {
		obj.Close()
		return nil, fmt.Errorf("blob store %s: open %s: %w", s, name, err)
	}
	return rc, nil
}

func (s *store) Stat(ctx context.Context, name string) (Info, error) {
	if !validName(name) {
		return Info{}, fmt.Errorf("invalid blob name %q", name)
	}
	size, err := s.b.size(ctx, name)
	if err == nil && s.seal != nil {
		size, err = s.seal.plainSize(size)
	}
	if err != nil {
		return Info{}, fmt.Errorf("blob store %s: stat %s: %w", s, name, err)
	}
	return Info{Name: name, Size: size}, nil
}

func (s *store) Remove(ctx context.Context, name string) error {
	if !validName(name) {
		return fmt.Errorf("invalid blob name %q", name)
	}
	if err := s.b.remove(ctx, name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob store %s: remove %s: %w", s, name, err)
	}
	return nil
}

func (s *store) Ready(ctx context.Context) error {
	if err := s.b.ready(ctx); err != nil {
		return fmt.Errorf("blob store %s not ready: %w", s, err)
	}
	return nil
}

// Copy streams the blob name of src into dst and returns its Info in dst (the name changes when
// the naming key does). It is how blobs move between stores and keys: sealing the files of an
// unsealed store, moving them to object storage, or re-sealing them under a new data key (see
// Sealed). The content is checked again on the way in. The source is left as it is: the caller
// removes it once the references to the new name are committed.
func Copy(ctx context.Context, dst, src Store, name string) (Info, error) {
	rc, err := src.Open(ctx, name)
	if err != nil {
		return Info{}, err
	}
	defer rc.Close()
	info, err := dst.Put(ctx, rc)
	if err != nil {
		return Info{}, fmt.Errorf("copy blob %s: %w", name, err)
	}
	return info, nil
}

func validName(name string) bool {
	if len(name) != 64 {
		return false
	}
	_, err := hex.DecodeString(name)
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

// readErr remembers a failure of the upload's reader, so that the client's fault (a dropped
// connection: retry) is told apart from the store's (a full disk, an unreachable bucket).
type readErr struct {
	r   io.Reader
	err error
}

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}
