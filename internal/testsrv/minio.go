package testsrv

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// MinIO is an S3 server of a test, with a bucket made at start.
type MinIO struct {
	Endpoint  string // 127.0.0.1:port, plain HTTP
	Region    string
	AccessKey string
	SecretKey string
	Bucket    string
	Client    *minio.Client // signed in as the root user

	p *process
}

// Fixed test credentials: the server lives only on loopback for one test.
const (
	minioUser     = "quotacert-test"
	minioPassword = "quotacert-test-secret"
)

// StartMinIO starts MinIO on a free loopback port with its data in a temporary directory, waits
// until it is ready, creates a bucket, and stops the server at t.Cleanup. Ready is
// /minio/health/cluster: /minio/health/live answers 200 as soon as the listener is up, while the
// object layer, the bucket metadata and IAM may still be loading (S3 calls then fail with "Server
// not initialized yet"); the cluster probe answers 503 until all three are up.
func StartMinIO(t testing.TB) *MinIO {
	t.Helper()
	bin := need(t, "QUOTACERT_MINIO", "minio", MinIOVersion)
	dir := t.TempDir()
	m := &MinIO{Region: "us-east-1", AccessKey: minioUser, SecretKey: minioPassword}
	m.p = startWithRetry(t, func() (*process, error) {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		m.Endpoint = hostPort(port)
		return startProcess("minio", bin,
			[]string{"server", filepath.Join(dir, "data"), "--address", m.Endpoint, "--quiet"},
			[]string{"MINIO_ROOT_USER=" + minioUser, "MINIO_ROOT_PASSWORD=" + minioPassword,
				"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_REGION=" + m.Region},
			"http://"+m.Endpoint+"/minio/health/cluster")
	})
	t.Cleanup(m.Stop)
	c, err := minio.New(m.Endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(minioUser, minioPassword, ""), Region: m.Region})
	if err != nil {
		t.Fatalf("minio client: %v", err)
	}
	m.Client = c
	m.Bucket = m.NewBucket(t)
	return m
}

// NewBucket creates a bucket of a fresh name. A server that says it is not initialized (it may
// still be loading a subsystem after its probe answered, on a loaded machine) is asked again for up
// to a minute; any other error fails the test.
func (m *MinIO) NewBucket(t testing.TB) string {
	t.Helper()
	name := "test-" + strings.ToLower(rand.Text())
	deadline := time.Now().Add(time.Minute)
	for {
		err := m.Client.MakeBucket(context.Background(), name, minio.MakeBucketOptions{Region: m.Region})
		if err == nil {
			return name
		}
		if minio.ToErrorResponse(err).Code != "XMinioServerNotInitialized" || time.Now().After(deadline) {
			t.Fatalf("create bucket %s: %v", name, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// URL is the blob store URL of a bucket (see blob.OpenURL); the credentials go in the environment
// (SetEnv).
func (m *MinIO) URL(bucket string) string {
	return fmt.Sprintf("s3://%s?endpoint=%s&region=%s&secure=false&path-style=true", bucket, m.Endpoint, m.Region)
}

// SetEnv puts the server's credentials where blob.OpenURL looks for them, for this test.
func (m *MinIO) SetEnv(t testing.TB) {
	t.Setenv("QUOTACERT_S3_ACCESS_KEY", m.AccessKey)
	t.Setenv("QUOTACERT_S3_SECRET_KEY", m.SecretKey)
}

// Objects lists the keys in a bucket (all of them, temporary uploads included).
func (m *MinIO) Objects(t testing.TB, bucket string) []string {
	t.Helper()
	var keys []string
	for obj := range m.Client.ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			t.Fatalf("list %s: %v", bucket, obj.Err)
		}
		keys = append(keys, obj.Key)
	}
	return keys
}

// IncompleteUploads lists the multipart uploads begun in a bucket and neither completed nor
// aborted.
func (m *MinIO) IncompleteUploads(t testing.TB, bucket string) []string {
	t.Helper()
	var keys []string
	for up := range m.Client.ListIncompleteUploads(context.Background(), bucket, "", true) {
		if up.Err != nil {
			t.Fatalf("list uploads of %s: %v", bucket, up.Err)
		}
		keys = append(keys, up.Key)
	}
	return keys
}

// Stop stops the server (a test of what happens when storage goes away may call it early).
func (m *MinIO) Stop() { m.p.stop() }
