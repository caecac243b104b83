package blob

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/minio/sio"
)

// A sealed blob is stored as
//
//	"QCB\x01"  4 bytes   format and version
//	key id     8 bytes   which data key sealed it (derived from the key, reveals nothing of it)
//	salt      32 bytes   random; the blob's own encryption key is HKDF(data key, salt)
//	body                 the content in DARE 2.0 (github.com/minio/sio): AES-256-GCM packages of
//	                     64 KiB, each authenticated before a byte of it is returned, numbered so
//	                     they cannot be reordered, the last one marked final so a cut is seen
//	tag       32 bytes   HMAC-SHA256 of header, name and content size: binds the blob to its
//	                     name, so blobs swapped or cut in the store are refused when opened
//
// and named by the HMAC-SHA256 of its content under a key derived from the data key: equal files
// still share one copy, but without the key a name says nothing about the file (a plain hash of
// a known certificate scan would confirm who has one). A fresh key per blob is what DARE requires
// ("the key must be unique for every stream"); deriving it from a random salt avoids a key store.
const (
	sealMagic    = "QCB\x01"
	keyIDSize    = 8
	saltSize     = 32
	sealHeader   = 4 + keyIDSize + saltSize // magic, key id, salt
	sealTag      = 32                       // HMAC-SHA256
	sealOverhead = sealHeader + sealTag

	darePayload = 64 << 10         // plaintext bytes per DARE package
	darePackage = darePayload + 32 // the same package sealed: 16 bytes header, 16 bytes tag
)

var (
	// ErrNotSealed: the bytes under a name of a sealed store are not a sealed blob (e.g. a file
	// stored before sealing was enabled: Copy it from the unsealed store).
	ErrNotSealed = errors.New("blob is not sealed")
	// ErrWrongKey: the blob was sealed under another data key than the store's.
	ErrWrongKey = errors.New("blob was sealed under another data key")
	// ErrDamaged: a sealed blob was altered, cut or swapped in the store; none of the altered
	// bytes are returned.
	ErrDamaged = errors.New("sealed blob is damaged or was altered")
)

// Sealed returns a store keeping the blobs of s sealed under the 32-byte data key (the master key
// of package pii, from which separate sub-keys are derived here): AES-256-GCM streamed in 64 KiB
// packages, so a 10 MiB file is never whole in memory, named by a keyed hash. s must be a plain
// store of this package (OpenURL, OpenFiles).
//
// Re-sealing under a new key (key rotation) is Copy(ctx, Sealed(s, newKey), Sealed(s, oldKey),
// name) for each blob: it streams, and returns the new name to record before the old blob is
// removed.
func Sealed(s Store, key []byte) (Store, error) {
	inner, ok := s.(*store)
	if !ok || inner.seal != nil {
		return nil, errors.New("blob: Sealed needs an unsealed store of package blob")
	}
	sl, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	return &store{b: inner.b, seal: sl}, nil
}

type sealer struct {
	master  []byte
	nameKey []byte
	bindKey []byte
	keyID   []byte
}

func newSealer(master []byte) (*sealer, error) {
	if len(master) != 32 {
		return nil, fmt.Errorf("blob: data key must be 32 bytes, got %d", len(master))
	}
	derive := func(label string, n int) []byte {
		k, err := hkdf.Key(sha256.New, master, nil, label, n)
		if err != nil {
			panic("blob: hkdf: " + err.Error()) // only for lengths over 255 hashes
		}
		return k
	}
	return &sealer{
		master:  master,
		nameKey: derive("quotacert/blob/name/v1", 32),
		bindKey: derive("quotacert/blob/bind/v1", 32),
		keyID:   derive("quotacert/blob/key-id/v1", keyIDSize),
	}, nil
}

// namer hashes content into its name.
func (s *sealer) namer() hash.Hash { return hmac.New(sha256.New, s.nameKey) }

func (s *sealer) config(salt []byte) (sio.Config, error) {
	key, err := hkdf.Key(sha256.New, s.master, salt, "quotacert/blob/object/v1", 32)
	if err != nil {
		return sio.Config{}, err
	}
	return sio.Config{MinVersion: sio.Version20, MaxVersion: sio.Version20,
		CipherSuites: []byte{sio.AES_256_GCM}, Key: key}, nil
}

func (s *sealer) tag(header []byte, name string, size int64) []byte {
	m := hmac.New(sha256.New, s.bindKey)
	m.Write(header)
	m.Write([]byte(name))
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(size)))
	return m.Sum(nil)
}

// plainSize is the content size of a sealed blob of raw bytes.
func (s *sealer) plainSize(raw int64) (int64, error) {
	if raw <= sealOverhead {
		return 0, ErrNotSealed
	}
	n, err := sio.DecryptedSize(uint64(raw - sealOverhead))
	if err != nil {
		return 0, ErrNotSealed
	}
	return int64(n), nil
}

// sealWriter seals what is written to it into an upload.
type sealWriter struct {
	s      *sealer
	dst    io.Writer
	header []byte
	enc    io.WriteCloser
}

func (s *sealer) writer(dst io.Writer) (*sealWriter, error) {
	header := make([]byte, 0, sealHeader)
	header = append(append(header, sealMagic...), s.keyID...)
	salt := make([]byte, saltSize)
	rand.Read(salt) // never fails (crypto/rand)
	header = append(header, salt...)
	cfg, err := s.config(salt)
	if err != nil {
		return nil, err
	}
	if _, err := dst.Write(header); err != nil {
		return nil, err
	}
	// sio closes a destination that is an io.Closer; the upload is finished by Put, not here.
	enc, err := sio.EncryptWriter(struct{ io.Writer }{dst}, cfg)
	if err != nil {
		return nil, err
	}
	return &sealWriter{s: s, dst: dst, header: header, enc: enc}, nil
}

func (w *sealWriter) Write(p []byte) (int, error) { return w.enc.Write(p) }

// finish writes the last package and the tag that binds the blob to its name.
func (w *sealWriter) finish(name string, size int64) error {
	if err := w.enc.Close(); err != nil {
		return err
	}
	_, err := w.dst.Write(w.s.tag(w.header, name, size))
	return err
}

// check reads the header and tag of a stored blob and returns the DARE configuration of its body
// and its content size.
func (s *sealer) check(ra io.ReaderAt, raw int64, name string) (sio.Config, int64, error) {
	size, err := s.plainSize(raw)
	if err != nil {
		return sio.Config{}, 0, err
	}
	header := make([]byte, sealHeader)
	if _, err := ra.ReadAt(header, 0); err != nil {
		return sio.Config{}, 0, fmt.Errorf("read seal header: %w", err)
	}
	if string(header[:len(sealMagic)]) != sealMagic {
		return sio.Config{}, 0, ErrNotSealed
	}
	if id := header[len(sealMagic) : len(sealMagic)+keyIDSize]; !hmac.Equal(id, s.keyID) {
		return sio.Config{}, 0, fmt.Errorf("%w (key id %s; the configured key has %s)", ErrWrongKey,
			hex.EncodeToString(id), hex.EncodeToString(s.keyID))
	}
	tag := make([]byte, sealTag)
	if _, err := ra.ReadAt(tag, raw-sealTag); err != nil && !(err == io.EOF && len(tag) == sealTag) {
		return sio.Config{}, 0, fmt.Errorf("read seal tag: %w", err)
	}
	if !hmac.Equal(tag, s.tag(header, name, size)) {
		return sio.Config{}, 0, ErrDamaged
	}
	cfg, err := s.config(header[sealHeader-saltSize:])
	return cfg, size, err
}

// open checks a stored blob and returns its content as a seekable stream.
func (s *sealer) open(obj object, raw int64, name string) (io.ReadSeekCloser, error) {
	cfg, size, err := s.check(obj, raw, name)
	if err != nil {
		return nil, err
	}
	return &sealedReader{obj: obj, cfg: cfg, size: size, body: raw - sealOverhead}, nil
}

// plainReaderAt reads the content of an upload just sealed (for the content check).
func (s *sealer) plainReaderAt(ra io.ReaderAt, size int64) (io.ReaderAt, error) {
	salt := make([]byte, saltSize)
	if _, err := ra.ReadAt(salt, sealHeader-saltSize); err != nil {
		return nil, err
	}
	cfg, err := s.config(salt)
	if err != nil {
		return nil, err
	}
	body, err := sio.EncryptedSize(uint64(size))
	if err != nil {
		return nil, err
	}
	dec, err := sio.DecryptReaderAt(io.NewSectionReader(ra, int64(sealHeader), int64(body)), cfg)
	if err != nil {
		return nil, err
	}
	return damagedReaderAt{dec}, nil
}

// sealedReader decrypts a sealed blob as a stream. Reads go on sequentially through one stream of
// the stored object; a Seek restarts decryption at the package holding the new offset.
type sealedReader struct {
	obj  object
	cfg  sio.Config
	size int64 // content bytes
	body int64 // DARE bytes after the header

	pos    int64     // where the caller is
	dec    io.Reader // decrypting from decPos
	decPos int64
	err    error
}

func (r *sealedReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if r.dec == nil || r.decPos != r.pos {
		if err := r.restart(); err != nil {
			r.err = damaged(err)
			return 0, r.err
		}
	}
	n, err := r.dec.Read(p)
	r.pos += int64(n)
	r.decPos = r.pos
	if err == io.EOF && r.pos < r.size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil && err != io.EOF {
		r.err = damaged(err)
		err = r.err
	}
	return n, err
}

func (r *sealedReader) restart() error {
	pkg := r.pos / darePayload
	off := pkg * darePackage
	if _, err := r.obj.Seek(int64(sealHeader)+off, io.SeekStart); err != nil {
		return err
	}
	cfg := r.cfg
	cfg.SequenceNumber = uint32(pkg)
	dec, err := sio.DecryptReader(io.LimitReader(r.obj, r.body-off), cfg)
	if err != nil {
		return err
	}
	if skip := r.pos - pkg*darePayload; skip > 0 {
		if _, err := io.CopyN(io.Discard, dec, skip); err != nil {
			return err
		}
	}
	r.dec, r.decPos = dec, r.pos
	return nil
}

func (r *sealedReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	}
	if offset < 0 {
		return 0, errors.New("blob: seek before start")
	}
	r.pos = offset
	return offset, nil
}

func (r *sealedReader) Close() error { return r.obj.Close() }

// damaged marks an authentication failure of DARE as ErrDamaged; other errors (the network, the
// disk) stay as they are.
func damaged(err error) error {
	var se sio.Error
	if errors.As(err, &se) {
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return err
}

type damagedReaderAt struct{ r io.ReaderAt }

func (d damagedReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := d.r.ReadAt(p, off)
	if err != nil && err != io.EOF {
		err = damaged(err)
	}
	return n, err
}

// SealedFiles opens the files under dir (OpenFiles) sealed with the data key (Sealed): the
// embedded default of serve.
func SealedFiles(dir string, key []byte) (Store, error) {
	s, err := OpenFiles(dir)
	if err != nil {
		return nil, err
	}
	return Sealed(s, key)
}
