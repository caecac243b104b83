package account

import (
	"context"
	"fmt"
)

// Purge deletes what can no longer be used: sessions past their idle or absolute timeout, throttle
// counters whose window has ended, failed-login counts past their window, expired pending logins
// and expired captchas. Expired rows are refused anyway when
// presented; purging keeps the tables from growing and removes stale session hashes from backups.
// The server runs it periodically.
func (s *Service) Purge(ctx context.Context) (sessions, throttles int64, err error) {
	err = s.run(ctx, func(tx Tx) error {
		now := tx.Now()
		var err error
		if sessions, err = tx.PurgeSessions(ctx, now.Add(-s.cfg.IdleTimeout), now.Add(-s.cfg.AbsoluteTimeout)); err != nil {
			return err
		}
		if throttles, err = tx.PurgeThrottles(ctx, now.Add(-max(s.cfg.AddrWindow, s.cfg.PendingTTL)), now.Add(-s.cfg.FailureWindow)); err != nil {
			return err
		}
		return tx.DeleteExpiredCaptchas(ctx, now)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("purge expired sessions: %w", err)
	}
	return sessions, throttles, nil
}
