package account

import (
	"context"
	"fmt"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
)

// SessionView is one signed-in device on the sessions page.
type SessionView struct {
	ID         string // the token hash: names the session in forms, grants nothing (the cookie holds the token)
	CreatedAt  time.Time
	LastSeenAt time.Time
	Prefix     string // the client network, not the full address
	Browser    string
	Current    bool
}

// Security is the account security page: the signed-in devices and the recent failed logins.
type Security struct {
	Sessions []SessionView
	Failures []LoginFailure // of the last FailureWindow, newest first
	MFA      MFAStatus
	// MaxSessions is the limit of concurrent sessions (0: none).
	MaxSessions int
}

// Security lists the actor's live sessions, its recent failed logins and its second factor.
func (s *Service) Security(ctx context.Context, a actor.Actor) (Security, error) {
	var out Security
	err := s.run(ctx, func(tx Tx) error {
		out = Security{MaxSessions: s.cfg.MaxSessions}
		now := tx.Now()
		u, err := tx.UserByID(ctx, a.UserID)
		if err != nil {
			return err
		}
		out.MFA = MFAStatus{Enabled: u.TOTPEnabled, Required: s.cfg.StaffMFARequired && u.Role != actor.Employer}
		sessions, err := tx.ListSessions(ctx, a.UserID)
		if err != nil {
			return err
		}
		for i := len(sessions) - 1; i >= 0; i-- { // newest first
			x := sessions[i]
			if now.Sub(x.LastSeenAt) >= s.cfg.IdleTimeout || now.Sub(x.CreatedAt) >= s.cfg.AbsoluteTimeout {
				continue
			}
			out.Sessions = append(out.Sessions, SessionView{ID: x.TokenHash, CreatedAt: x.CreatedAt, LastSeenAt: x.LastSeenAt,
				Prefix: AddrPrefix(x.ClientAddr), Browser: x.Browser, Current: x.TokenHash == a.Session})
		}
		fails, err := tx.LoginFailures(ctx, a.UserID)
		if err != nil {
			return err
		}
		for _, f := range fails {
			if f.LastAt.After(now.Add(-s.cfg.FailureWindow)) {
				out.Failures = append(out.Failures, f)
			}
		}
		return nil
	})
	if err != nil {
		return Security{}, fmt.Errorf("account security of user %d: %w", a.UserID, err)
	}
	return out, nil
}

// EndSession signs one of the actor's own sessions out; another user's session is "not found".
func (s *Service) EndSession(ctx context.Context, a actor.Actor, id string) error {
	return s.run(ctx, func(tx Tx) error {
		sess, _, err := tx.SessionByHash(ctx, id)
		if isNotFound(err) || (err == nil && sess.UserID != a.UserID) {
			return apperr.NotFoundf("登录设备")
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteSession(ctx, id); err != nil {
			return err
		}
		e := audit.For(a, "session.end", "user", fmt.Sprint(a.UserID))
		e.Detail = "a session from " + AddrPrefix(sess.ClientAddr)
		return tx.AppendAudit(ctx, e)
	})
}

// EndOtherSessions signs every session of the actor out but the current one (退出其他设备).
func (s *Service) EndOtherSessions(ctx context.Context, a actor.Actor) (int, error) {
	n := 0
	err := s.run(ctx, func(tx Tx) error {
		n = 0
		sessions, err := tx.ListSessions(ctx, a.UserID)
		if err != nil {
			return err
		}
		for _, x := range sessions {
			if x.TokenHash == a.Session {
				continue
			}
			if err := tx.DeleteSession(ctx, x.TokenHash); err != nil {
				return err
			}
			n++
		}
		e := audit.For(a, "session.end-others", "user", fmt.Sprint(a.UserID))
		e.Detail = fmt.Sprintf("%d session(s) ended", n)
		return tx.AppendAudit(ctx, e)
	})
	return n, err
}
