package testsrv_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/smtp"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"quotacert/internal/testsrv"
)

func TestMinIO(t *testing.T) {
	m := testsrv.StartMinIO(t)
	ctx := context.Background()
	if ok, err := m.Client.BucketExists(ctx, m.Bucket); err != nil || !ok {
		t.Fatalf("bucket %s exists = %v, %v", m.Bucket, ok, err)
	}
	other := m.NewBucket(t)
	if other == m.Bucket {
		t.Fatal("NewBucket returned the start bucket")
	}
	body := []byte("对象存储")
	if _, err := m.Client.PutObject(ctx, other, "a/b", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	obj, err := m.Client.GetObject(ctx, other, "a/b", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj)
	obj.Close()
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("read back %q, %v", got, err)
	}
	if keys := m.Objects(t, other); len(keys) != 1 || keys[0] != "a/b" {
		t.Errorf("Objects = %v", keys)
	}
	if !strings.HasPrefix(m.URL(other), "s3://"+other+"?") || !strings.Contains(m.URL(other), "endpoint="+m.Endpoint) {
		t.Errorf("URL = %s", m.URL(other))
	}

	m.Stop()
	if resp, err := http.Get("http://" + m.Endpoint + "/minio/health/live"); err == nil {
		resp.Body.Close()
		t.Fatalf("MinIO still answers after Stop: %s", resp.Status)
	}
	m.Stop() // twice is harmless (t.Cleanup calls it again)
}

func TestMailpit(t *testing.T) {
	m := testsrv.StartMailpit(t)
	ctx := context.Background()
	msg := "From: =?UTF-8?B?5Lq656S+5bGA?= <noreply@quotacert.test>\r\n" +
		"To: hr@example.test\r\n" +
		"Subject: =?UTF-8?B?6K6k6K+B6YCa55+l?=\r\n" + // 认证通知
		"Content-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" +
		"您的单位已完成申报。\r\n"
	if err := smtp.SendMail(m.SMTPAddr, nil, "noreply@quotacert.test", []string{"hr@example.test"}, []byte(msg)); err != nil {
		t.Fatalf("send: %v", err)
	}
	// Authenticated senders are accepted too, with any password.
	auth := smtp.PlainAuth("", "user", "password", "127.0.0.1")
	if err := smtp.SendMail(m.SMTPAddr, auth, "noreply@quotacert.test", []string{"b@example.test"}, []byte(msg)); err != nil {
		t.Fatalf("send with auth: %v", err)
	}
	list := m.WaitMessages(t, 2, 10*time.Second)
	if len(list) != 2 {
		t.Fatalf("messages = %d", len(list))
	}
	var first testsrv.Summary
	for _, s := range list {
		if len(s.To) == 1 && s.To[0].Address == "hr@example.test" {
			first = s
		}
	}
	if first.Subject != "认证通知" || first.From.Name != "人社局" || first.Created.IsZero() {
		t.Fatalf("summary = %+v", first)
	}
	full, err := m.Message(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(full.Text, "您的单位已完成申报。") || full.From.Address != "noreply@quotacert.test" {
		t.Errorf("message = %+v", full)
	}
	raw, err := m.Raw(ctx, first.ID)
	if err != nil || !bytes.Contains(raw, []byte("Subject: =?UTF-8?B?6K6k6K+B6YCa55+l?=")) {
		t.Errorf("raw = %q, %v", raw, err)
	}
	if err := m.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	if list, err := m.Messages(ctx); err != nil || len(list) != 0 {
		t.Errorf("after DeleteAll: %d messages, %v", len(list), err)
	}
	if _, err := m.Message(ctx, first.ID); err == nil {
		t.Error("a deleted message is still readable")
	}
}

// TestToolVersions keeps the versions pinned here and built by scripts/tools.sh the same.
func TestToolVersions(t *testing.T) {
	script, err := os.ReadFile("../../scripts/tools.sh")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"minio": testsrv.MinIOVersion, "mailpit": testsrv.MailpitVersion} {
		m := regexp.MustCompile(`(?m)^\s*local ` + name + `_version=(\S+)$`).FindSubmatch(script)
		if m == nil || string(m[1]) != want {
			t.Errorf("scripts/tools.sh builds %s %q, testsrv expects %q", name, m, want)
		}
	}
}

// recorder stands in for a test to see whether a helper skips or fails it.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func run(t *testing.T, fn func(testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); fn(r) }()
	<-done
	return r
}

// TestMissingBinary: one clear line that says how to get the server; a skip locally, a failure
// in CI.
func TestMissingBinary(t *testing.T) {
	t.Setenv("QUOTACERT_MINIO", filepath.Join(t.TempDir(), "minio"))
	t.Setenv("QUOTACERT_MAILPIT", filepath.Join(t.TempDir(), "mailpit"))
	t.Setenv("QUOTACERT_REQUIRE_ALL", "")
	for name, start := range map[string]func(testing.TB){
		"minio":   func(t testing.TB) { testsrv.StartMinIO(t) },
		"mailpit": func(t testing.TB) { testsrv.StartMailpit(t) },
	} {
		t.Setenv("CI", "")
		r := run(t, start)
		if r.failed != "" || !strings.Contains(r.skipped, "scripts/tools.sh") || strings.Contains(r.skipped, "\n") {
			t.Errorf("%s locally: skipped %q, failed %q", name, r.skipped, r.failed)
		}
		t.Setenv("CI", "true")
		r = run(t, start)
		if r.skipped != "" || !strings.Contains(r.failed, "required here (CI)") {
			t.Errorf("%s in CI: skipped %q, failed %q", name, r.skipped, r.failed)
		}
	}
}
