package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
)

// ReadyCheck is one condition of GET /readyz: Check returns nil when the condition holds.
type ReadyCheck struct {
	Name  string // short, shown in the answer: "migrations", "schema", "storage", "blobs"
	Check func(ctx context.Context) error
}

// readyCache keeps the last readiness answer for a moment: /readyz is public and the storage
// check writes, so a flood of probes must not become a flood of writes.
type readyCache struct {
	mu     sync.Mutex
	at     time.Time
	failed map[string]string
}

// readyFor is how long one readiness answer is reused.
const readyFor = time.Second

// handleReady answers 200 when every readiness check passes and 503 naming the failed ones
// otherwise, so a load balancer sends no traffic to an instance whose schema is missing or being
// migrated, whose storage refuses writes or whose blob store cannot be reached. /healthz stays the
// liveness answer (the database answers at all).
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	failed := s.readiness(r.Context())
	if len(failed) > 0 {
		httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "not ready", "failed": failed})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) readiness(ctx context.Context) map[string]string {
	s.ready.mu.Lock()
	defer s.ready.mu.Unlock()
	now := time.Now()
	if !s.ready.at.IsZero() && now.Sub(s.ready.at) < readyFor {
		return s.ready.failed
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	checks := s.deps.Ready
	if len(checks) == 0 && s.deps.DB != nil {
		checks = []ReadyCheck{{Name: "database", Check: s.deps.DB.Ping}}
	}
	failed := map[string]string{}
	for _, c := range checks {
		if err := c.Check(ctx); err != nil {
			s.deps.Log.Warn("readiness check failed", "check", c.Name, "err", err)
			failed[c.Name] = readyMessages[c.Name]
			if failed[c.Name] == "" {
				failed[c.Name] = "检查未通过"
			}
		}
	}
	s.ready.at, s.ready.failed = time.Now(), failed
	return failed
}

// readyMessages say in Chinese what a failed check means; the cause goes to the log only.
var readyMessages = map[string]string{
	"migrations": "数据库正在升级（迁移进行中）",
	"schema":     "数据库结构缺失或不是本版本的结构",
	"storage":    "数据库拒绝写入（只读、磁盘已满或写锁长时间被占用）",
	"blobs":      "附件存储无法访问",
	"database":   "数据库无法访问",
	"fonts":      "确认书字体缺失，无法出具认证确认书",
}

// handleMetrics serves /metrics on the public listener unless the figures were moved to their own
// listener (--metrics-addr): then the public one has no such page.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if s.deps.Metrics == nil || !s.deps.MetricsPublic {
		s.renderError(w, r, apperr.NotFoundf("您访问的页面"))
		return
	}
	s.deps.Metrics.Handler().ServeHTTP(w, r)
}
