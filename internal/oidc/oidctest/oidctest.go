// Package oidctest is for tests only: an in-process oidc.PendingLogins, and the contract every
// implementation of that port must pass (the store runs it against SQLite and PostgreSQL).
package oidctest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"quotacert/internal/oidc"
)

// Memory is an in-process PendingLogins. It serves one process only: production keeps pending logins
// in the database so that every instance behind a load balancer sees them.
type Memory struct {
	mu   sync.Mutex
	rows map[string]*row
}

type row struct {
	p    oidc.PendingLogin
	used bool
}

// NewMemory returns an empty store.
func NewMemory() *Memory { return &Memory{rows: map[string]*row{}} }

// SavePendingLogin implements oidc.PendingLogins.
func (m *Memory) SavePendingLogin(_ context.Context, p oidc.PendingLogin) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.rows[p.StateHash]; ok {
		return errors.New("oidctest: duplicate state hash")
	}
	m.rows[p.StateHash] = &row{p: p}
	return nil
}

// UsePendingLogin implements oidc.PendingLogins.
func (m *Memory) UsePendingLogin(_ context.Context, stateHash string) (oidc.PendingLogin, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rows[stateHash]
	switch {
	case !ok:
		return oidc.PendingLogin{}, oidc.ErrPendingUnknown
	case r.used:
		return oidc.PendingLogin{}, oidc.ErrPendingUsed
	}
	r.used = true
	return r.p, nil
}

// Contract checks an implementation of oidc.PendingLogins; fresh returns an empty store.
func Contract(t *testing.T, fresh func(t *testing.T) oidc.PendingLogins) {
	ctx := context.Background()
	created := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	login := func(state string) oidc.PendingLogin {
		return oidc.PendingLogin{StateHash: oidc.StateHash(state), Nonce: "nonce-" + state, Verifier: "verifier-" + state,
			ReturnTo: "/years/2026?tab=统计", CreatedAt: created}
	}

	t.Run("round trip, then used", func(t *testing.T) {
		s := fresh(t)
		want := login("a")
		if err := s.SavePendingLogin(ctx, want); err != nil {
			t.Fatal(err)
		}
		if err := s.SavePendingLogin(ctx, login("b")); err != nil {
			t.Fatal(err)
		}
		got, err := s.UsePendingLogin(ctx, want.StateHash)
		if err != nil {
			t.Fatal(err)
		}
		if !got.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, want.CreatedAt)
		}
		got.CreatedAt = want.CreatedAt
		if got != want {
			t.Errorf("UsePendingLogin = %+v, want %+v", got, want)
		}
		if _, err := s.UsePendingLogin(ctx, want.StateHash); !errors.Is(err, oidc.ErrPendingUsed) {
			t.Errorf("second use: err = %v, want ErrPendingUsed", err)
		}
		if got, err := s.UsePendingLogin(ctx, login("b").StateHash); err != nil || got.Nonce != "nonce-b" {
			t.Errorf("other login: %+v, %v", got, err)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		s := fresh(t)
		if _, err := s.UsePendingLogin(ctx, oidc.StateHash("never")); !errors.Is(err, oidc.ErrPendingUnknown) {
			t.Errorf("err = %v, want ErrPendingUnknown", err)
		}
	})

	t.Run("duplicate state refused", func(t *testing.T) {
		s := fresh(t)
		if err := s.SavePendingLogin(ctx, login("a")); err != nil {
			t.Fatal(err)
		}
		if err := s.SavePendingLogin(ctx, login("a")); err == nil {
			t.Error("a second pending login with the same state hash was stored")
		}
	})

	t.Run("concurrent use succeeds once", func(t *testing.T) {
		s := fresh(t)
		if err := s.SavePendingLogin(ctx, login("race")); err != nil {
			t.Fatal(err)
		}
		const n = 8
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				_, err := s.UsePendingLogin(ctx, login("race").StateHash)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, oidc.ErrPendingUsed):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d of %d concurrent uses succeeded, want 1", ok, n)
		}
	})
}
