// Package smtpmail delivers the message center's mail over SMTP with the standard library
// (net/smtp): STARTTLS when the server offers it (required unless the server is on loopback or
// Insecure is set), PLAIN authentication when a user is given. It is an adapter: it knows nothing
// of the outbox, only how to hand one mail to a server.
package smtpmail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"quotacert/internal/message"
)

// Config is the SMTP server and the sender (flags --smtp-addr, --smtp-from, --smtp-user and the
// environment QUOTACERT_SMTP_PASSWORD).
type Config struct {
	Addr     string // host:port
	From     string // 残联认证系统 <noreply@example.gov.cn> or a bare address
	User     string
	Password string
	// Insecure allows plain SMTP (and PLAIN authentication) to a server that is not on loopback.
	Insecure bool
	Timeout  time.Duration // per mail; 30 s when zero
	// Domain names the Message-ID's right side; the From address's domain when empty.
	Domain string
}

// Mailer sends mail with a Config.
type Mailer struct {
	cfg  Config
	from *mail.Address
}

// New checks the configuration.
func New(cfg Config) (*Mailer, error) {
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return nil, fmt.Errorf("smtp address %q: want host:port: %w", cfg.Addr, err)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp sender %q: %w", cfg.From, err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Domain == "" {
		cfg.Domain = from.Address[strings.LastIndex(from.Address, "@")+1:]
	}
	return &Mailer{cfg: cfg, from: from}, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send delivers one mail. Its Message-ID is derived from the outbox row, so that a mail client
// would fold two copies into one should an operator ever resend a row by hand.
func (m *Mailer) Send(ctx context.Context, msg message.Mail) error {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	host, _, _ := net.SplitHostPort(m.cfg.Addr)
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtp dial %s: %w", m.cfg.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp hello %s: %w", m.cfg.Addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	} else if !loopback(host) && !m.cfg.Insecure {
		return message.Permanent{Err: fmt.Errorf("smtp server %s offers no STARTTLS (set --smtp-insecure to allow plain SMTP)", m.cfg.Addr)}
	}
	if m.cfg.User != "" {
		auth := smtp.PlainAuth("", m.cfg.User, m.cfg.Password, host)
		if m.cfg.Insecure && !loopback(host) {
			auth = insecurePlain{user: m.cfg.User, password: m.cfg.Password}
		}
		if err := c.Auth(auth); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	to, err := mail.ParseAddress(msg.To)
	if err != nil {
		return message.Permanent{Err: fmt.Errorf("recipient %q: %w", msg.To, err)}
	}
	if err := c.Mail(m.from.Address); err != nil {
		return classify("MAIL FROM", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return classify("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return classify("DATA", err)
	}
	if _, err := w.Write(m.compose(msg, to)); err != nil {
		return fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return classify("end of DATA", err)
	}
	return c.Quit()
}

// classify makes a 5xx reply permanent: the server will not take the mail on a retry.
func classify(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return message.Permanent{Err: fmt.Errorf("smtp %s: %w", step, err)}
	}
	return fmt.Errorf("smtp %s: %w", step, err)
}

// compose writes the mail: UTF-8 text, the subject encoded (RFC 2047), CRLF line ends.
func (m *Mailer) compose(msg message.Mail, to *mail.Address) []byte {
	from := m.from.String() // encodes a Chinese display name
	h := []string{
		"From: " + from,
		"To: " + to.String(),
		"Subject: " + mime.BEncoding.Encode("utf-8", msg.Subject),
		"Date: " + time.Now().UTC().Format(time.RFC1123Z),
		"Message-ID: <outbox-" + strconv.FormatInt(msg.ID, 10) + "@" + m.cfg.Domain + ">",
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=utf-8",
		"Content-Transfer-Encoding: 8bit",
		"Auto-Submitted: auto-generated",
	}
	body := strings.ReplaceAll(strings.ReplaceAll(msg.Body, "\r\n", "\n"), "\n", "\r\n")
	return []byte(strings.Join(h, "\r\n") + "\r\n\r\n" + body)
}

// insecurePlain is PLAIN authentication over a connection without TLS, which net/smtp refuses to
// a remote server; only with Config.Insecure (a relay on a trusted network).
type insecurePlain struct{ user, password string }

func (a insecurePlain) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.password), nil
}

func (a insecurePlain) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("smtp: unexpected server challenge")
	}
	return nil, nil
}
