package blob

import (
	"context"
	"errors"
	"fmt"
)

// Reseal makes sure the blob name is sealed under the key of to, and returns its name there. to
// and from are Sealed views of one store: from under the key the blob was sealed with, to under
// the key it must be sealed with (the same view twice to seal blobs stored in clear). A blob that
// to already opens is left as it is (a rerun after an interruption: its row points to it already);
// one that from opens is copied; one stored before sealing (ErrNotSealed) is copied from the
// unsealed store under both. The source is not removed: the caller removes it once the rows that
// name the copy are committed. A name absent from the store gives an error matching fs.ErrNotExist.
func Reseal(ctx context.Context, to, from Store, name string) (Info, error) {
	rc, err := to.Open(ctx, name)
	if err == nil {
		rc.Close()
		return Info{Name: name}, nil
	}
	if !errors.Is(err, ErrWrongKey) && !errors.Is(err, ErrNotSealed) {
		return Info{}, err
	}
	src := from
	if errors.Is(err, ErrNotSealed) {
		if src, err = unsealed(from); err != nil {
			return Info{}, err
		}
	}
	info, err := Copy(ctx, to, src, name)
	if err != nil {
		return Info{}, fmt.Errorf("reseal blob %s: %w", name, err)
	}
	return info, nil
}

// unsealed is the store under a sealed view: the bytes as they lie in it.
func unsealed(s Store) (Store, error) {
	inner, ok := s.(*store)
	if !ok || inner.seal == nil {
		return nil, errors.New("blob: Reseal needs sealed stores of package blob")
	}
	return &store{b: inner.b}, nil
}

// Mover moves blobs from one key to another for a key rotation, or seals blobs stored in clear
// (From and To the same sealed view): the blob side of datakey.Blobs.
type Mover struct {
	From, To Store
}

// Move seals the blob name under To's key (Reseal) and returns its name there.
func (m Mover) Move(ctx context.Context, name string) (string, error) {
	info, err := Reseal(ctx, m.To, m.From, name)
	return info.Name, err
}

// Remove deletes the bytes under name, whatever key sealed them.
func (m Mover) Remove(ctx context.Context, name string) error { return m.To.Remove(ctx, name) }
