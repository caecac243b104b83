package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// S3Config says where an S3-compatible bucket is and how to reach it (see OpenURL for its URL).
type S3Config struct {
	Bucket   string
	Prefix   string // key prefix inside the bucket, "" or ending in "/"
	Endpoint string // host:port
	Region   string // "" lets the client ask the server
	Insecure bool   // plain HTTP (a server on loopback or a private network)
	// PathStyle: "" chooses per endpoint (virtual-hosted for AWS and Aliyun OSS, path-style for
	// others such as MinIO and Ceph); "true" or "false" forces it.
	PathStyle    string
	AccessKey    string
	SecretKey    string
	SessionToken string
}

// s3PartSize is the part size of uploads. Put streams an upload whose size is not known in
// advance; minio-go then buffers one part at a time (16 MiB by default, which would hold a whole
// 10 MiB file), so the part is set to S3's minimum of 5 MiB: the memory an upload takes, whatever
// its size.
const s3PartSize = 5 << 20

// OpenS3 returns the store of a bucket. It does not contact the server: Ready does.
func OpenS3(cfg S3Config) (Store, error) {
	if err := s3utils.CheckValidBucketName(cfg.Bucket); err != nil {
		return nil, fmt.Errorf("blob store: bucket %q: %w", cfg.Bucket, err)
	}
	if cfg.Endpoint == "" {
		return nil, errors.New("blob store: the S3 endpoint (host:port) is missing")
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("blob store: S3 credentials are missing")
	}
	lookup := minio.BucketLookupAuto
	switch cfg.PathStyle {
	case "":
	case "true":
		lookup = minio.BucketLookupPath
	case "false":
		lookup = minio.BucketLookupDNS
	default:
		return nil, fmt.Errorf("blob store: path-style must be true or false, not %q", cfg.PathStyle)
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken),
		Secure:       !cfg.Insecure,
		Region:       cfg.Region,
		BucketLookup: lookup,
		MaxRetries:   3, // a user waits on every request; the default of 10 retries takes ~10 s
	})
	if err != nil {
		return nil, fmt.Errorf("blob store: S3 client for %s: %w", cfg.Endpoint, err)
	}
	scheme := "https"
	if cfg.Insecure {
		scheme = "http"
	}
	return &store{b: &bucket{c: c, bucket: cfg.Bucket, prefix: cfg.Prefix,
		desc: fmt.Sprintf("s3://%s/%s at %s://%s", cfg.Bucket, cfg.Prefix, scheme, cfg.Endpoint)}}, nil
}

// bucket is the S3 backend. A blob is the object <prefix><name>; uploads in progress are
// <prefix>tmp/<random> until they are checked and copied into place (a server-side copy).
type bucket struct {
	c      *minio.Client
	bucket string
	prefix string
	desc   string
}

func (b *bucket) String() string { return b.desc }

func (b *bucket) key(name string) string { return b.prefix + name }

func (b *bucket) tmpKey(kind string) string {
	return b.prefix + "tmp/" + kind + "-" + rand.Text()
}

func notExist(err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return fmt.Errorf("%w: %v", fs.ErrNotExist, err)
	}
	return err
}

func (b *bucket) create(ctx context.Context) (upload, error) {
	pr, pw := io.Pipe()
	u := &s3Upload{b: b, key: b.tmpKey("upload"), pw: pw, done: make(chan struct{})}
	// The upload ends through the pipe: closed when the content is complete, closed with an
	// error when Put gives up (minio-go then aborts the multipart upload). It does not follow
	// the request's context, so that an abort still reaches the server after a cancel.
	putCtx := context.WithoutCancel(ctx)
	go func() {
		defer close(u.done)
		_, u.err = b.c.PutObject(putCtx, b.bucket, u.key, pr, -1, minio.PutObjectOptions{
			PartSize: s3PartSize, ContentType: "application/octet-stream"})
		pr.CloseWithError(u.err) // a Write still waiting gets the server's error
	}()
	return u, nil
}

func (b *bucket) open(ctx context.Context, name string) (object, int64, error) {
	obj, err := b.c.GetObject(ctx, b.bucket, b.key(name), minio.GetObjectOptions{})
	if err != nil {
		return nil, 0, notExist(err)
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, 0, notExist(err)
	}
	return obj, st.Size, nil
}

func (b *bucket) size(ctx context.Context, name string) (int64, error) {
	st, err := b.c.StatObject(ctx, b.bucket, b.key(name), minio.StatObjectOptions{})
	if err != nil {
		return 0, notExist(err)
	}
	return st.Size, nil
}

func (b *bucket) remove(ctx context.Context, name string) error {
	return notExist(b.c.RemoveObject(ctx, b.bucket, b.key(name), minio.RemoveObjectOptions{}))
}

// ready writes and removes a small probe object: the server answers, the credentials are
// accepted, the bucket exists and takes writes.
func (b *bucket) ready(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	key := b.tmpKey("ready")
	probe := []byte("ready\n")
	if _, err := b.c.PutObject(ctx, b.bucket, key, bytes.NewReader(probe), int64(len(probe)),
		minio.PutObjectOptions{ContentType: "text/plain"}); err != nil {
		return err
	}
	return b.c.RemoveObject(ctx, b.bucket, key, minio.RemoveObjectOptions{})
}

// s3Upload streams an upload into a temporary object through a pipe.
type s3Upload struct {
	b    *bucket
	key  string
	pw   *io.PipeWriter
	done chan struct{}
	err  error // of PutObject, once done is closed

	finished bool
	obj      *minio.Object
}

var errDiscarded = errors.New("upload discarded")

func (u *s3Upload) Write(p []byte) (int, error) { return u.pw.Write(p) }

func (u *s3Upload) finish() error {
	u.pw.Close()
	<-u.done
	u.finished = true
	return u.err
}

func (u *s3Upload) readerAt(ctx context.Context) (io.ReaderAt, error) {
	if u.obj == nil {
		obj, err := u.b.c.GetObject(ctx, u.b.bucket, u.key, minio.GetObjectOptions{})
		if err != nil {
			return nil, err
		}
		u.obj = obj
	}
	return u.obj, nil
}

func (u *s3Upload) commit(ctx context.Context, name string) error {
	dst := u.b.key(name)
	if _, err := u.b.c.StatObject(ctx, u.b.bucket, dst, minio.StatObjectOptions{}); err == nil {
		return nil // same content already stored; the temporary object goes
	} else if minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		return err
	}
	_, err := u.b.c.CopyObject(ctx, minio.CopyDestOptions{Bucket: u.b.bucket, Object: dst},
		minio.CopySrcOptions{Bucket: u.b.bucket, Object: u.key})
	return err
}

func (u *s3Upload) discard() {
	if !u.finished {
		u.pw.CloseWithError(errDiscarded)
		<-u.done
		u.finished = true
	}
	if u.obj != nil {
		u.obj.Close()
	}
	if u.err == nil { // the temporary object exists
		// Not the request's context: what a cancelled request began is removed all the same.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = u.b.c.RemoveObject(ctx, u.b.bucket, u.key, minio.RemoveObjectOptions{})
	}
}
