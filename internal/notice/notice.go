// Package notice is 通知公告 (DOMAIN.md §9): administrators write notices in Markdown, publish and
// unpublish them, optionally aim them at a region and attach files; every signed-in user lists,
// searches and opens the published ones, and each user's unread notices are marked.
//
// Decisions:
//   - A notice is a draft while published_at is empty; publishing sets it (now or a chosen time, so a
//     notice can be scheduled); unpublishing clears it. Only published notices whose time has come
//     are visible to non-admins; anything else is "not found" for them, never "forbidden".
//   - Target region: empty = everyone. Otherwise an employer sees the notice when the notice's region
//     is its district or an ancestor of it in the GB/T 2260 tree (220000 province → 220100 city →
//     220102 district). Staff see every notice: they answer employers' questions about all of them.
//     An employer whose district is not yet filled in sees only the notices for everyone.
//   - Search is a substring match (LIKE with %, _ and \ escaped) on title and body, lower-cased on
//     both sides for Latin letters. Chinese has no spaces, so word-based full-text search would miss
//     2-character words such as 申报; a substring match finds them on both databases.
//   - The body is stored as Markdown and rendered on display through goldmark (raw HTML omitted) and
//     then bluemonday's UGC policy, so neither a <script> nor an onerror= nor a javascript: link can
//     reach a page, whatever an administrator pastes.
package notice

import (
	"context"
	"time"

	"quotacert/internal/audit"
)

// Notice is one announcement. PublishedAt is nil for a draft.
type Notice struct {
	ID          int64
	Title       string
	Body        string // Markdown
	Region      string // '' = for everyone
	PublishedAt *time.Time
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Files       []FileRef
	Read        bool // for the user who listed it
}

// Published reports whether the notice is visible (to non-admins) at now.
func (n Notice) Published(now time.Time) bool {
	return n.PublishedAt != nil && !n.PublishedAt.After(now)
}

// FileRef names an attachment without its bytes; downloads go through GET /api/v1/files/{id}.
type FileRef struct {
	ID   string
	Name string
	Size int64
}

// Input is what an administrator writes. Region and FileIDs are optional.
type Input struct {
	Title   string   `json:"title"`
	Body    string   `json:"body"`
	Region  string   `json:"region,omitempty"`
	FileIDs []string `json:"fileIds,omitempty"`
}

// Filter selects notices for a list; the service builds it from the actor, never from user input
// alone, so an employer cannot ask for drafts or for other regions' notices.
type Filter struct {
	Query         string   // substring, already trimmed; '' = all
	IncludeDrafts bool     // admins only
	Regions       []string // nil = any region; otherwise region IS NULL or IN Regions
	Now           time.Time
	UserID        int64 // for the read marks; 0 = nobody
	Limit, Offset int
}

// Tx is what this package needs from the store, inside one transaction.
type Tx interface {
	Insert(ctx context.Context, n Notice) (int64, error)
	Update(ctx context.Context, n Notice) error
	SetPublished(ctx context.Context, id int64, at *time.Time, updated time.Time) error
	// Notice returns found=false for an unknown id.
	Notice(ctx context.Context, id int64) (n Notice, found bool, err error)
	List(ctx context.Context, f Filter) (items []Notice, total int, err error)
	MarkRead(ctx context.Context, noticeID, userID int64, at time.Time) error
	IsRead(ctx context.Context, noticeID, userID int64) (bool, error)
	Files(ctx context.Context, noticeID int64) ([]FileRef, error)
	SetFiles(ctx context.Context, noticeID int64, ids []string) error
	// FileRefs returns those of ids that are staff uploads (never an employer's evidence).
	FileRefs(ctx context.Context, ids []string) ([]FileRef, error)
	// RegionExists reports whether code is a known region.
	RegionExists(ctx context.Context, code string) (bool, error)
	// EmployerDistrict is the employer's district code ('' when not filled in yet).
	EmployerDistrict(ctx context.Context, employerID int64) (string, error)

	Now() time.Time
	AppendAudit(ctx context.Context, e audit.Entry) error
}

// Service runs the notice use cases.
type Service struct {
	run func(ctx context.Context, fn func(Tx) error) error
}

// NewService returns a service that runs each use case through run (one transaction each).
func NewService(run func(ctx context.Context, fn func(Tx) error) error) *Service {
	return &Service{run: run}
}
