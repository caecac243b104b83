package testsrv

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// Mailpit is a mail server of a test: it accepts every message on SMTP and shows it on its API.
type Mailpit struct {
	SMTPAddr string // 127.0.0.1:port, plain SMTP; any user name and password are accepted
	APIURL   string // http://127.0.0.1:port

	p *process
}

// StartMailpit starts Mailpit on free loopback ports (SMTP and its HTTP API) with its database in
// a temporary directory, waits until it is ready, and stops it at t.Cleanup.
func StartMailpit(t testing.TB) *Mailpit {
	t.Helper()
	bin := need(t, "QUOTACERT_MAILPIT", "mailpit", MailpitVersion)
	dir := t.TempDir()
	m := &Mailpit{}
	m.p = startWithRetry(t, func() (*process, error) {
		smtpPort, err := freePort()
		if err != nil {
			return nil, err
		}
		httpPort, err := freePort()
		if err != nil {
			return nil, err
		}
		m.SMTPAddr, m.APIURL = hostPort(smtpPort), "http://"+hostPort(httpPort)
		return startProcess("mailpit", bin, []string{
			"--smtp", m.SMTPAddr, "--listen", hostPort(httpPort),
			"--database", filepath.Join(dir, "mailpit.db"),
			"--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
			"--disable-version-check", "--quiet",
		}, nil, m.APIURL+"/readyz")
	})
	t.Cleanup(m.Stop)
	return m
}

// Stop stops the server.
func (m *Mailpit) Stop() { m.p.stop() }

// Address is a mailbox of a message.
type Address struct {
	Name    string
	Address string
}

// Summary is a message as listed, newest first.
type Summary struct {
	ID          string // Mailpit's id, for Message
	MessageID   string // the Message-ID header
	From        Address
	To          []Address
	Subject     string
	Created     time.Time
	Snippet     string
	Attachments int
}

// Message is a message as read.
type Message struct {
	ID          string
	MessageID   string
	From        Address
	To          []Address
	Cc          []Address
	ReplyTo     []Address
	Subject     string
	Date        time.Time
	Text        string
	HTML        string
	Attachments []Attachment
}

// Attachment is a part of a message with a file name.
type Attachment struct {
	PartID      string
	FileName    string
	ContentType string
	Size        int
}

// Messages lists the messages received, newest first.
func (m *Mailpit) Messages(ctx context.Context) ([]Summary, error) {
	var out struct{ Messages []Summary }
	if err := m.getJSON(ctx, "/api/v1/messages?limit=1000", &out); err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// Message reads one message.
func (m *Mailpit) Message(ctx context.Context, id string) (Message, error) {
	var msg Message
	err := m.getJSON(ctx, "/api/v1/message/"+id, &msg)
	return msg, err
}

// Raw returns a message as received (headers and body), to check what a mail client sees.
func (m *Mailpit) Raw(ctx context.Context, id string) ([]byte, error) {
	resp, err := do(ctx, http.MethodGet, m.APIURL+"/api/v1/message/"+id+"/raw")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// DeleteAll removes every message.
func (m *Mailpit) DeleteAll(ctx context.Context) error {
	resp, err := do(ctx, http.MethodDelete, m.APIURL+"/api/v1/messages")
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// WaitMessages waits until at least n messages arrived (mail is often sent in the background)
// and returns them, or fails the test after timeout.
func (m *Mailpit) WaitMessages(t testing.TB, n int, timeout time.Duration) []Summary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		msgs, err := m.Messages(ctx)
		if err == nil && len(msgs) >= n {
			return msgs
		}
		select {
		case <-ctx.Done():
			t.Fatalf("mailpit: %d of %d messages after %s (last error: %v)", len(msgs), n, timeout, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (m *Mailpit) getJSON(ctx context.Context, path string, v any) error {
	resp, err := do(ctx, http.MethodGet, m.APIURL+path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("mailpit %s: %w", path, err)
	}
	return nil
}
