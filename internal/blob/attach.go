package blob

import (
	"context"
	"io"

	"quotacert/internal/attachment"
)

// Attachments adapts a store to the attachment service's port (attachment.Blobs), which cannot
// name this package's types.
func Attachments(s Store) attachment.Blobs { return attachments{s} }

type attachments struct{ s Store }

func (a attachments) Put(ctx context.Context, r io.Reader) (attachment.Stored, error) {
	info, err := a.s.Put(ctx, r)
	return attachment.Stored{Name: info.Name, Size: info.Size, ContentType: info.ContentType, SHA256: info.SHA256}, err
}

func (a attachments) Open(ctx context.Context, name string) (io.ReadSeekCloser, error) {
	return a.s.Open(ctx, name)
}

func (a attachments) Remove(ctx context.Context, name string) error { return a.s.Remove(ctx, name) }

func (a attachments) Ready(ctx context.Context) error { return a.s.Ready(ctx) }
