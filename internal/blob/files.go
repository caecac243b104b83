package blob

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// OpenFiles returns the store of files under dir (normally <data>/files), creating it when
// missing: each blob in <dir>/<first two hex digits>/<name>, uploads in progress in <dir>/tmp.
// Folders are created 0700 and blobs 0600: only the server's account reads them.
func OpenFiles(dir string) (Store, error) {
	b, err := openDir(dir)
	if err != nil {
		return nil, err
	}
	return &store{b: b}, nil
}

// files is the local-disk backend.
type files struct {
	dir string
}

func openDir(dir string) (*files, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("create blob directory %s: %w", dir, err)
	}
	// A directory made by an earlier release (0750) is narrowed too.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("blob directory %s: %w", dir, err)
	}
	return &files{dir: dir}, nil
}

func (f *files) String() string { return "files " + f.dir }

// path spreads blobs over 256 folders so no directory grows huge.
func (f *files) path(name string) string { return filepath.Join(f.dir, name[:2], name) }

func (f *files) create(context.Context) (upload, error) {
	tmp, err := os.CreateTemp(filepath.Join(f.dir, "tmp"), "upload-*")
	if err != nil {
		return nil, fmt.Errorf("create temporary upload file: %w", err)
	}
	return &fileUpload{f: f, tmp: tmp}, nil
}

func (f *files) open(_ context.Context, name string) (object, int64, error) {
	file, err := os.Open(f.path(name))
	if err != nil {
		return nil, 0, err
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, 0, err
	}
	return file, st.Size(), nil
}

func (f *files) size(_ context.Context, name string) (int64, error) {
	st, err := os.Stat(f.path(name))
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

func (f *files) remove(_ context.Context, name string) error { return os.Remove(f.path(name)) }

// ready writes, syncs and removes a probe file where uploads go: a read-only or full disk, or a
// directory that vanished, refuses it.
func (f *files) ready(context.Context) error {
	probe, err := os.CreateTemp(filepath.Join(f.dir, "tmp"), "ready-*")
	if err != nil {
		return err
	}
	defer os.Remove(probe.Name())
	_, err = probe.Write([]byte("ready\n"))
	if err == nil {
		err = probe.Sync()
	}
	if cerr := probe.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Remove(probe.Name())
	}
	return err
}

// fileUpload is a temporary file in <dir>/tmp, renamed into place on commit.
type fileUpload struct {
	f      *files
	tmp    *os.File
	placed bool
}

func (u *fileUpload) Write(p []byte) (int, error) { return u.tmp.Write(p) }

func (u *fileUpload) finish() error { return u.tmp.Sync() }

func (u *fileUpload) readerAt(context.Context) (io.ReaderAt, error) { return u.tmp, nil }

func (u *fileUpload) commit(_ context.Context, name string) error {
	final := u.f.path(name)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return fmt.Errorf("create blob folder: %w", err)
	}
	if _, err := os.Stat(final); err == nil {
		return nil // same bytes already stored; the temporary file goes
	}
	if err := os.Chmod(u.tmp.Name(), 0o600); err != nil {
		return fmt.Errorf("chmod upload: %w", err)
	}
	if err := os.Rename(u.tmp.Name(), final); err != nil {
		return err
	}
	u.placed = true
	return nil
}

func (u *fileUpload) discard() {
	u.tmp.Close()
	if !u.placed {
		os.Remove(u.tmp.Name())
	}
}
