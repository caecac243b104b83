package notice

import (
	"context"
	"fmt"
	"quotacert/internal/readtx"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/scope"
)

// PageSize is how many notices a list page shows.
const PageSize = 20

// Limits keep a notice printable and a search cheap.
const (
	MaxTitle = 200
	MaxBody  = 50000
	MaxQuery = 100
	MaxFiles = 20
)

// List is one page of notices.
type List struct {
	Items []Notice
	Total int
	Page  int // 1-based
	Pages int // at least 1
	Query string
}

// View is an opened notice: the Markdown rendered to safe HTML.
type View struct {
	Notice
	HTML string
}

func requireSignedIn(a actor.Actor) error {
	if !a.Role.Valid() {
		return apperr.New(apperr.Unauthorized, "登录已失效或尚未登录，请先登录")
	}
	return nil
}

// validate checks an administrator's input, returning the cleaned input or per-field Chinese errors.
// The target office defaults to the administrator's own and must lie in its subtree (a 403 beside
// the field otherwise).
func validate(ctx context.Context, tx Tx, sc scope.Admin, in Input) (Input, []FileRef, error) {
	in.Title = strings.TrimSpace(in.Title)
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	in.Office = strings.TrimSpace(in.Office)
	if in.Office == "" {
		in.Office = sc.Office.Code
	}
	fields := map[string]string{}
	switch {
	case in.Title == "":
		fields["title"] = "请填写标题"
	case utf8.RuneCountInString(in.Title) > MaxTitle:
		fields["title"] = fmt.Sprintf("标题不能超过 %d 个字", MaxTitle)
	case strings.ContainsFunc(in.Title, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		fields["title"] = "标题不能包含换行或控制字符"
	}
	switch {
	case in.Body == "":
		fields["body"] = "请填写正文"
	case utf8.RuneCountInString(in.Body) > MaxBody:
		fields["body"] = fmt.Sprintf("正文不能超过 %d 个字", MaxBody)
	}
	if path, err := tx.OfficePath(ctx, in.Office); err != nil {
		return in, nil, err
	} else if len(path) == 0 {
		fields["office"] = "请选择发布范围：本级或下级残联"
	} else if ok, err := sc.Covers(ctx, tx, in.Office); err != nil {
		return in, nil, err
	} else if !ok {
		msg := "只能向本级或下级残联的辖区发布通知"
		return in, nil, &apperr.Error{Code: apperr.Forbidden, Message: msg, Fields: map[string]string{"office": msg}}
	}
	var ids []string
	for _, id := range in.FileIDs {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	in.FileIDs = ids
	var files []FileRef
	if len(ids) > MaxFiles {
		fields["fileIds"] = fmt.Sprintf("附件不能超过 %d 个", MaxFiles)
	} else if len(ids) > 0 {
		var err error
		if files, err = tx.FileRefs(ctx, ids); err != nil {
			return in, nil, err
		}
		if len(files) != len(ids) {
			fields["fileIds"] = "附件不存在，请重新上传"
		}
	}
	if len(fields) > 0 {
		return in, nil, apperr.FieldErrors(fields)
	}
	return in, files, nil
}

// Create saves a new draft notice.
func (s *Service) Create(ctx context.Context, a actor.Actor, in Input) (int64, error) {
	return s.create(ctx, a, in, false, nil)
}

// CreateAndPublish saves a new notice published at once, or from at (nil = now): one transaction,
// so a refused publication leaves no draft behind (CONTRACT.md POST /notices).
func (s *Service) CreateAndPublish(ctx context.Context, a actor.Actor, in Input, at *time.Time) (int64, error) {
	return s.create(ctx, a, in, true, at)
}

func (s *Service) create(ctx context.Context, a actor.Actor, in Input, publish bool, at *time.Time) (int64, error) {
	var id int64
	err := s.run(ctx, func(tx Tx) error {
		sc, err := scope.Resolve(ctx, tx, a)
		if err != nil {
			return err
		}
		in, _, err := validate(ctx, tx, sc, in)
		if err != nil {
			return err
		}
		now := tx.Now()
		n := Notice{Title: in.Title, Body: in.Body, Office: in.Office, CreatedBy: a.UserID, CreatedAt: now, UpdatedAt: now}
		if publish {
			when := now
			if at != nil {
				when = at.UTC()
			}
			n.PublishedAt = &when
		}
		if id, err = tx.Insert(ctx, n); err != nil {
			return err
		}
		if err := tx.SetFiles(ctx, id, in.FileIDs); err != nil {
			return err
		}
		e := entry(a, "notice.create", id, in.Office)
		e.Detail = auditDetail(in)
		if err := tx.AppendAudit(ctx, e); err != nil {
			return err
		}
		if !publish {
			return nil
		}
		e = entry(a, "notice.publish", id, in.Office)
		e.Detail = "publishedAt=" + n.PublishedAt.Format(time.RFC3339)
		return tx.AppendAudit(ctx, e)
	})
	return id, scope.Audited(ctx, s.run, a, "notice.create", "notice", "", err)
}

// entry is the audit entry of an action on a notice, in its target's jurisdiction.
func entry(a actor.Actor, action string, id int64, office string) audit.Entry {
	e := audit.For(a, action, "notice", strconv.FormatInt(id, 10))
	e.Office = office
	return e
}

// managed loads a notice the administrator manages: one targeted at its subtree. Any other is not
// found for it, drafts of other offices included (they are not to be revealed).
func managed(ctx context.Context, tx Tx, a actor.Actor, id int64) (Notice, scope.Admin, error) {
	sc, err := scope.Resolve(ctx, tx, a)
	if err != nil {
		return Notice{}, sc, err
	}
	n, found, err := tx.Notice(ctx, id)
	if err != nil {
		return Notice{}, sc, err
	}
	ok := found
	if found {
		if ok, err = sc.Covers(ctx, tx, n.Office); err != nil {
			return Notice{}, sc, err
		}
	}
	if !ok {
		return Notice{}, sc, apperr.NotFoundf("通知公告")
	}
	return n, sc, nil
}

// Update replaces a notice's title, body, target and attachments; its publication is unchanged.
func (s *Service) Update(ctx context.Context, a actor.Actor, id int64, in Input) error {
	err := s.run(ctx, func(tx Tx) error {
		n, sc, err := managed(ctx, tx, a, id)
		if err != nil {
			return err
		}
		in, _, err := validate(ctx, tx, sc, in)
		if err != nil {
			return err
		}
		n.Title, n.Body, n.Office, n.UpdatedAt = in.Title, in.Body, in.Office, tx.Now()
		if err := tx.Update(ctx, n); err != nil {
			return err
		}
		if err := tx.SetFiles(ctx, id, in.FileIDs); err != nil {
			return err
		}
		e := entry(a, "notice.update", id, in.Office)
		e.Detail = auditDetail(in)
		return tx.AppendAudit(ctx, e)
	})
	return scope.Audited(ctx, s.run, a, "notice.update", "notice", strconv.FormatInt(id, 10), err)
}

// Publish makes a notice visible from at (nil = now). Publishing a published notice again without a
// time keeps its original time, so a double submit changes nothing.
func (s *Service) Publish(ctx context.Context, a actor.Actor, id int64, at *time.Time) error {
	err := s.run(ctx, func(tx Tx) error {
		n, _, err := managed(ctx, tx, a, id)
		if err != nil {
			return err
		}
		when := tx.Now()
		if at != nil {
			when = at.UTC()
		} else if n.PublishedAt != nil {
			return nil // already published: idempotent
		}
		if n.PublishedAt != nil && n.PublishedAt.Equal(when) {
			return nil
		}
		if err := tx.SetPublished(ctx, id, &when, tx.Now()); err != nil {
			return err
		}
		e := entry(a, "notice.publish", id, n.Office)
		e.Detail = "publishedAt=" + when.Format(time.RFC3339)
		return tx.AppendAudit(ctx, e)
	})
	return scope.Audited(ctx, s.run, a, "notice.publish", "notice", strconv.FormatInt(id, 10), err)
}

// Unpublish turns a notice back into a draft; unpublishing a draft changes nothing.
func (s *Service) Unpublish(ctx context.Context, a actor.Actor, id int64) error {
	err := s.run(ctx, func(tx Tx) error {
		n, _, err := managed(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if n.PublishedAt == nil {
			return nil
		}
		if err := tx.SetPublished(ctx, id, nil, tx.Now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, entry(a, "notice.unpublish", id, n.Office))
	})
	return scope.Audited(ctx, s.run, a, "notice.unpublish", "notice", strconv.FormatInt(id, 10), err)
}

// Get opens a notice for a user and marks it read for them. Drafts, scheduled notices and notices
// aimed at another office are "not found" for employers; staff open every published notice, and
// administrators the drafts of their own subtree.
func (s *Service) Get(ctx context.Context, a actor.Actor, id int64) (View, error) {
	if err := requireSignedIn(a); err != nil {
		return View{}, err
	}
	var v View
	err := s.run(ctx, func(tx Tx) error {
		n, found, err := tx.Notice(ctx, id)
		if err != nil {
			return err
		}
		if !found {
			return apperr.NotFoundf("通知公告")
		}
		switch {
		case !n.Published(tx.Now()) && a.Role == actor.Admin:
			if n, _, err = managed(ctx, tx, a, id); err != nil {
				return err
			}
		case !n.Published(tx.Now()):
			return apperr.NotFoundf("通知公告")
		default:
			offices, err := visibleOffices(ctx, tx, a)
			if err != nil {
				return err
			}
			if offices != nil && !slices.Contains(offices, n.Office) {
				return apperr.NotFoundf("通知公告")
			}
		}
		if n.Files, err = tx.Files(ctx, id); err != nil {
			return err
		}
		if a.UserID != 0 && n.Published(tx.Now()) {
			if err := tx.MarkRead(ctx, id, a.UserID, tx.Now()); err != nil {
				return err
			}
			n.Read = true
		}
		v = View{Notice: n, HTML: Render(n.Body)}
		return nil
	})
	return v, err
}

// Edit loads a notice the administrator manages, draft or not, for the console's form.
func (s *Service) Edit(ctx context.Context, a actor.Actor, id int64) (Notice, error) {
	var n Notice
	err := s.run(ctx, func(tx Tx) error {
		var err error
		if n, _, err = managed(ctx, tx, a, id); err != nil {
			return err
		}
		n.Files, err = tx.Files(ctx, id)
		return err
	})
	return n, scope.Audited(ctx, s.run, a, "notice.edit", "notice", strconv.FormatInt(id, 10), err)
}

// List returns one page of the notices the actor may see, newest first, optionally filtered by a
// keyword. manage asks for the administrator's console: the notices targeted at its subtree,
// drafts included (honoured for administrators only).
func (s *Service) List(ctx context.Context, a actor.Actor, query string, page int, manage bool) (List, error) {
	if err := requireSignedIn(a); err != nil {
		return List{}, err
	}
	query = strings.TrimSpace(query)
	if utf8.RuneCountInString(query) > MaxQuery {
		return List{}, apperr.FieldErrors(map[string]string{"q": fmt.Sprintf("关键字不能超过 %d 个字", MaxQuery)})
	}
	page = max(page, 1)
	out := List{Page: page, Query: query}
	err := s.run(readtx.Mark(ctx), func(tx Tx) error {
		offices, err := visibleOffices(ctx, tx, a)
		if err != nil {
			return err
		}
		f := Filter{Query: query, Offices: offices, Now: tx.Now(), UserID: a.UserID, Limit: PageSize, Offset: (page - 1) * PageSize}
		if manage && a.Role == actor.Admin {
			sc, err := scope.Resolve(ctx, tx, a)
			if err != nil {
				return err
			}
			f.IncludeDrafts = true
			if !sc.Province() {
				f.Within = sc.Office.Code
			}
		}
		out.Items, out.Total, err = tx.List(ctx, f)
		return err
	})
	out.Pages = max(1, (out.Total+PageSize-1)/PageSize)
	return out, err
}

// Latest returns the newest n notices the actor may see (the home page).
func (s *Service) Latest(ctx context.Context, a actor.Actor, n int) ([]Notice, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	var items []Notice
	err := s.run(readtx.Mark(ctx), func(tx Tx) error {
		offices, err := visibleOffices(ctx, tx, a)
		if err != nil {
			return err
		}
		items, _, err = tx.List(ctx, Filter{Offices: offices, Now: tx.Now(), UserID: a.UserID, Limit: n})
		return err
	})
	return items, err
}

// visibleOffices is nil (every target) for staff, and for an employer the offices whose notices
// it reads: its federation office and every office above it, or the root's when it has not chosen
// one yet.
func visibleOffices(ctx context.Context, tx Tx, a actor.Actor) ([]string, error) {
	if a.IsStaff() {
		return nil, nil
	}
	if a.Role != actor.Employer || a.EmployerID == 0 {
		return []string{}, nil
	}
	office, err := tx.EmployerOffice(ctx, a.EmployerID)
	if err != nil {
		return nil, err
	}
	if office == "" {
		return tx.RootOffices(ctx)
	}
	path, err := tx.OfficePath(ctx, office)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(path))
	for _, o := range path {
		out = append(out, o.Code)
	}
	return out, nil
}

// auditDetail records what changed without the body (it can be long); the title is public text.
func auditDetail(in Input) string {
	d := "title=" + in.Title + " office=" + in.Office
	if len(in.FileIDs) > 0 {
		d += fmt.Sprintf(" files=%d", len(in.FileIDs))
	}
	return d
}
