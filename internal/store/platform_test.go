package store_test

import (
	"testing"

	"quotacert/internal/oidc"
	"quotacert/internal/oidc/oidctest"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestPendingPlatformLogins runs the relying party's contract for pending sign-ins on both databases:
// round trip, used once, unknown told from replayed, and one winner among concurrent callbacks.
func TestPendingPlatformLogins(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		oidctest.Contract(t, func(t *testing.T) oidc.PendingLogins {
			return store.NewPendingLogins(storetest.SQLite(t, storetest.Options{}))
		})
	})
	t.Run("postgres", func(t *testing.T) {
		oidctest.Contract(t, func(t *testing.T) oidc.PendingLogins {
			return store.NewPendingLogins(storetest.Postgres(t, storetest.Options{}))
		})
	})
}
