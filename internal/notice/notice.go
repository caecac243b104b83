// Package notice is 通知公告 (DOMAIN.md §9): administrators write notices in Markdown, publish and
// unpublish them, aim each at a federation office's jurisdiction and attach files; every signed-in
// user lists, searches and opens the published ones, and each user's unread notices are marked.
//
// Decisions:
//   - A notice is a draft while published_at is empty; publishing sets it (now or a chosen time, so a
//     notice can be scheduled); unpublishing clears it. Only published notices whose time has come
//     are visible to non-admins; anything else is "not found" for them, never "forbidden".
//   - A notice is targeted at a federation office: the root office's notices are for everyone, a
//     city office's for the employers of that city's subtree. An employer sees the notices targeted
//     at any office on the path from its federation office to the root (an employer that has not
//     chosen an office yet sees the root's). Staff see every published notice: they answer
//     employers' questions about all of them.
//   - Administrators manage the notices targeted at their own subtree (package scope): an admin of a
//     city publishes to the city's office or an office below it (its own office by default), and
//     edits, publishes and unpublishes only those; any other notice is "not found" for its console.
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
	"quotacert/internal/scope"
)

// Notice is one announcement. PublishedAt is nil for a draft.
type Notice struct {
	ID          int64
	Title       string
	Body        string // Markdown
	Office      string // the federation office whose subtree it is for
	OfficeName  string // filled by the store for lists and pages
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

// Input is what an administrator writes. Office (the target; default: the administrator's own
// office) and FileIDs are optional.
type Input struct {
	Title   string   `json:"title"`
	Body    string   `json:"body"`
	Office  string   `json:"office,omitempty"`
	FileIDs []string `json:"fileIds,omitempty"`
}

// Filter selects notices for a list; the service builds it from the actor, never from user input
// alone, so an employer cannot ask for drafts or for other offices' notices.
type Filter struct {
	Query         string   // substring, already trimmed; '' = all
	IncludeDrafts bool     // admins only
	Offices       []string // nil = any target; otherwise the target office IN Offices
	Within        string   // an office: only the notices targeted at its subtree; '' = any
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
	// EmployerOffice is the employer's federation office ('' when not chosen yet).
	EmployerOffice(ctx context.Context, employerID int64) (string, error)
	// RootOffices are the offices without a parent: the notices for everyone are theirs.
	RootOffices(ctx context.Context) ([]string, error)
	// The federation office tree: targets and the administrators' scope.
	scope.Tree

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
