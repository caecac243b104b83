// Package attachment records uploaded files (contracts, dispatch agreements, certificate images,
// claim evidence) and decides who may read them: the employer that uploaded a file, and federation
// staff whose office subtree contains that employer's federation office. Anyone else is told the
// file does not exist, so ids cannot be probed. The bytes live in a Blobs store; this package keeps
// the metadata and the rules.
package attachment

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
)

// File is an attachment's metadata. EmployerID is 0 for files uploaded by staff (notice
// attachments), which every signed-in user may read.
type File struct {
	ID          string
	EmployerID  int64
	UploadedBy  int64
	Name        string
	Size        int64
	Blob        string // the bytes' name in the blob store: a keyed hash of them
	ContentType string
	CreatedAt   time.Time
	// SHA256 is the SHA-256 of the bytes, known only to the upload that computed it (Upload) and
	// never stored: beside the bytes sealed under a keyed name, a plain digest in the database
	// would tell anyone holding a copy of a known scan that this system has it.
	SHA256 string
}

// Stored describes bytes just stored (blob.Info).
type Stored struct {
	Name        string // the blob's name, recorded as File.Blob
	Size        int64
	ContentType string // checked by content
	SHA256      string // of the bytes as uploaded
}

// Blobs keeps the bytes (package blob: files or S3, sealed with the data key). Put checks the
// content and leaves nothing behind when it refuses it.
type Blobs interface {
	Put(ctx context.Context, r io.Reader) (Stored, error)
	Open(ctx context.Context, name string) (io.ReadSeekCloser, error)
	Remove(ctx context.Context, name string) error
	// Ready reports whether the store is reachable and accepts writes.
	Ready(ctx context.Context) error
}

// Tx is what this package needs from the store.
type Tx interface {
	InsertFile(ctx context.Context, f File) error
	// File loads a file's metadata; found is false for an unknown id.
	File(ctx context.Context, id string) (f File, found bool, err error)
	// Files loads the metadata of the files among ids, in any order; unknown ids are left out.
	Files(ctx context.Context, ids []string) ([]File, error)
	// BlobInUse reports whether any file row refers to the blob of that name.
	BlobInUse(ctx context.Context, name string) (bool, error)
	// EmployerFederationOffice returns the federation office of an employer (empty when not chosen).
	EmployerFederationOffice(ctx context.Context, employerID int64) (string, error)
	// OfficeWithin reports whether office is ancestor or lies below it in the federation tree.
	OfficeWithin(ctx context.Context, office, ancestor string) (bool, error)
	Now() time.Time
	AppendAudit(ctx context.Context, e audit.Entry) error
}

// Service runs the attachment use cases.
type Service struct {
	run   func(ctx context.Context, fn func(Tx) error) error
	blobs Blobs
}

// NewService returns the service; run executes one transaction per use case.
func NewService(run func(ctx context.Context, fn func(Tx) error) error, blobs Blobs) *Service {
	return &Service{run: run, blobs: blobs}
}

// Upload stores an attachment for the acting employer (or, for staff, a file of no employer).
// The bytes are checked and stored first; if the metadata cannot be recorded the bytes are removed
// again unless another file shares them, so a failed upload leaves nothing behind.
func (s *Service) Upload(ctx context.Context, a actor.Actor, name string, r io.Reader) (File, error) {
	if a.Role != actor.Employer && !a.IsStaff() {
		return File{}, apperr.New(apperr.Forbidden, "您的账号无权上传附件")
	}
	if a.Role == actor.Employer && a.EmployerID == 0 {
		return File{}, apperr.New(apperr.Forbidden, "您的账号无权上传附件")
	}
	st, err := s.blobs.Put(ctx, r)
	if err != nil {
		return File{}, err
	}
	f := File{ID: newID(), EmployerID: a.EmployerID, UploadedBy: a.UserID, Name: SanitizeName(name),
		Size: st.Size, Blob: st.Name, ContentType: st.ContentType, SHA256: st.SHA256}
	err = s.run(ctx, func(tx Tx) error {
		f.CreatedAt = tx.Now()
		if err := tx.InsertFile(ctx, f); err != nil {
			return err
		}
		e := audit.For(a, "file.upload", "file", f.ID)
		// The name may hold a person's name; size and type are enough to trace the upload.
		e.Detail = fmt.Sprintf("type=%s size=%d", f.ContentType, f.Size)
		return tx.AppendAudit(ctx, e)
	})
	if err != nil {
		s.dropUnused(ctx, f.Blob)
		return File{}, err
	}
	return f, nil
}

// dropUnused removes bytes no file row refers to (best effort: a leftover blob is harmless).
func (s *Service) dropUnused(ctx context.Context, name string) {
	_ = s.run(ctx, func(tx Tx) error {
		used, err := tx.BlobInUse(ctx, name)
		if err != nil || used {
			return err
		}
		return s.blobs.Remove(ctx, name)
	})
}

// Ready reports whether the blob store is reachable and accepts writes (for /readyz).
func (s *Service) Ready(ctx context.Context) error { return s.blobs.Ready(ctx) }

// Open returns a file's metadata and bytes when the actor may read it; the caller closes the
// reader. Staff reads are audited, since they open another organisation's documents.
func (s *Service) Open(ctx context.Context, a actor.Actor, id string) (File, io.ReadSeekCloser, error) {
	var f File
	err := s.run(ctx, func(tx Tx) error {
		var ok bool
		var err error
		f, ok, err = tx.File(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.NotFoundf("附件")
		}
		allowed, err := mayRead(ctx, tx, a, f)
		if err != nil {
			return err
		}
		if !allowed {
			return apperr.NotFoundf("附件")
		}
		if a.IsStaff() && f.EmployerID != 0 {
			e := audit.For(a, "file.download", "file", f.ID)
			e.EmployerID = f.EmployerID
			e.Detail = "employer=" + strconv.FormatInt(f.EmployerID, 10)
			return tx.AppendAudit(ctx, e)
		}
		return nil
	})
	if err != nil {
		return File{}, nil, err
	}
	rc, err := s.blobs.Open(ctx, f.Blob)
	if err != nil {
		return File{}, nil, fmt.Errorf("open file %s: %w", f.ID, err)
	}
	return f, rc, nil
}

// Lookup returns the metadata of the files among ids that the actor may read, in the order of ids;
// unknown ids, repeats and files the actor may not read are left out, as Open would refuse them.
// It reads no bytes and writes no audit entry: a page that shows a file's name beside a contract or
// a claim has not opened the file (the page itself is audited where it shows another organisation's
// data, e.g. placement.view). Reading the bytes goes through Open, whose staff reads are audited.
func (s *Service) Lookup(ctx context.Context, a actor.Actor, ids []string) ([]File, error) {
	var want []string
	for _, id := range ids {
		if id != "" && !slices.Contains(want, id) {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	var out []File
	err := s.run(ctx, func(tx Tx) error {
		out = out[:0]
		found, err := tx.Files(ctx, want)
		if err != nil {
			return err
		}
		byID := make(map[string]File, len(found))
		for _, f := range found {
			byID[f.ID] = f
		}
		// Who may read a file depends only on its employer: decide once per employer.
		allowed := map[int64]bool{}
		for _, id := range want {
			f, ok := byID[id]
			if !ok {
				continue
			}
			may, decided := allowed[f.EmployerID]
			if !decided {
				if may, err = mayRead(ctx, tx, a, f); err != nil {
					return err
				}
				allowed[f.EmployerID] = may
			}
			if may {
				out = append(out, f)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("look up files: %w", err)
	}
	return out, nil
}

func mayRead(ctx context.Context, tx Tx, a actor.Actor, f File) (bool, error) {
	switch {
	case f.EmployerID == 0:
		return a.Role.Valid(), nil
	case a.Role == actor.Employer:
		return a.EmployerID == f.EmployerID, nil
	case a.IsStaff() && a.Office != "":
		office, err := tx.EmployerFederationOffice(ctx, f.EmployerID)
		if err != nil || office == "" {
			return false, err
		}
		return tx.OfficeWithin(ctx, office, a.Office)
	}
	return false, nil
}

// idEncoding writes ids in lower-case base32 without padding: URL-safe and unambiguous to read.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newID returns 128 random bits: file ids appear in URLs and must not be guessable.
func newID() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return idEncoding.EncodeToString(b)
}

// maxNameRunes bounds a stored file name; the extension is kept when a longer name is cut.
const maxNameRunes = 100

// SanitizeName turns a client-supplied file name into one safe to store, show and send back in
// Content-Disposition: no folders, no control or bidirectional-override characters (which can
// disguise "exe.pdf" as "fdp.exe"), none of the characters Windows forbids, at most 100 characters.
func SanitizeName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r),
			strings.ContainsRune(`<>:"|?*`, r):
			return -1
		}
		return r
	}, name)
	name = strings.Trim(name, " .")
	if r := []rune(name); len(r) > maxNameRunes {
		ext := []rune{}
		if i := strings.LastIndexByte(name, '.'); i >= 0 && utf8.RuneCountInString(name[i:]) <= 10 {
			ext = []rune(name[i:])
		}
		name = string(r[:maxNameRunes-len(ext)]) + string(ext)
	}
	if name == "" {
		return "附件"
	}
	return name
}
