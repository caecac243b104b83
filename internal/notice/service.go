package notice

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
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

func requireAdmin(a actor.Actor) error {
	switch {
	case !a.Role.Valid():
		return apperr.New(apperr.Unauthorized, "登录已失效或尚未登录，请先登录")
	case a.Role != actor.Admin:
		return apperr.New(apperr.Forbidden, "只有系统管理员可以维护通知公告")
	}
	return nil
}

func requireSignedIn(a actor.Actor) error {
	if !a.Role.Valid() {
		return apperr.New(apperr.Unauthorized, "登录已失效或尚未登录，请先登录")
	}
	return nil
}

// validate checks an administrator's input, returning the cleaned input or per-field Chinese errors.
func validate(ctx context.Context, tx Tx, in Input) (Input, []FileRef, error) {
	in.Title = strings.TrimSpace(in.Title)
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	in.Region = strings.TrimSpace(in.Region)
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
	if in.Region != "" {
		ok, err := tx.RegionExists(ctx, in.Region)
		if err != nil {
			return in, nil, err
		}
		if !ok {
			fields["region"] = "请选择有效的行政区划，或留空表示面向全部单位"
		}
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

// Create saves a new draft notice (CONTRACT.md POST /notices).
func (s *Service) Create(ctx context.Context, a actor.Actor, in Input) (int64, error) {
	if err := requireAdmin(a); err != nil {
		return 0, err
	}
	var id int64
	err := s.run(ctx, func(tx Tx) error {
		in, _, err := validate(ctx, tx, in)
		if err != nil {
			return err
		}
		now := tx.Now()
		id, err = tx.Insert(ctx, Notice{Title: in.Title, Body: in.Body, Region: in.Region,
			CreatedBy: a.UserID, CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return err
		}
		if err := tx.SetFiles(ctx, id, in.FileIDs); err != nil {
			return err
		}
		e := audit.For(a, "notice.create", "notice", strconv.FormatInt(id, 10))
		e.Detail = auditDetail(in)
		return tx.AppendAudit(ctx, e)
	})
	return id, err
}

// Update replaces a notice's title, body, region and attachments; its publication is unchanged.
func (s *Service) Update(ctx context.Context, a actor.Actor, id int64, in Input) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	return s.run(ctx, func(tx Tx) error {
		n, found, err := tx.Notice(ctx, id)
		if err != nil {
			return err
		}
		if !found {
			return apperr.NotFoundf("通知公告")
		}
		in, _, err := validate(ctx, tx, in)
		if err != nil {
			return err
		}
		n.Title, n.Body, n.Region, n.UpdatedAt = in.Title, in.Body, in.Region, tx.Now()
		if err := tx.Update(ctx, n); err != nil {
			return err
		}
		if err := tx.SetFiles(ctx, id, in.FileIDs); err != nil {
			return err
		}
		e := audit.For(a, "notice.update", "notice", strconv.FormatInt(id, 10))
		e.Detail = auditDetail(in)
		return tx.AppendAudit(ctx, e)
	})
}

// Publish makes a notice visible from at (nil = now). Publishing a published notice again without a
// time keeps its original time, so a double submit changes nothing.
func (s *Service) Publish(ctx context.Context, a actor.Actor, id int64, at *time.Time) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	return s.run(ctx, func(tx Tx) error {
		n, found, err := tx.Notice(ctx, id)
		if err != nil {
			return err
		}
		if !found {
			return apperr.NotFoundf("通知公告")
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
		e := audit.For(a, "notice.publish", "notice", strconv.FormatInt(id, 10))
		e.Detail = "publishedAt=" + when.Format(time.RFC3339)
		return tx.AppendAudit(ctx, e)
	})
}

// Unpublish turns a notice back into a draft; unpublishing a draft changes nothing.
func (s *Service) Unpublish(ctx context.Context, a actor.Actor, id int64) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	return s.run(ctx, func(tx Tx) error {
		n, found, err := tx.Notice(ctx, id)
		if err != nil {
			return err
		}
		if !found {
			return apperr.NotFoundf("通知公告")
		}
		if n.PublishedAt == nil {
			return nil
		}
		if err := tx.SetPublished(ctx, id, nil, tx.Now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.For(a, "notice.unpublish", "notice", strconv.FormatInt(id, 10)))
	})
}

// Get opens a notice for a user and marks it read for them. Drafts, scheduled notices and notices
// aimed at another region are "not found" for everyone but administrators.
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
		if a.Role != actor.Admin {
			if !n.Published(tx.Now()) {
				return apperr.NotFoundf("通知公告")
			}
			regions, err := visibleRegions(ctx, tx, a)
			if err != nil {
				return err
			}
			if regions != nil && n.Region != "" && !slices.Contains(regions, n.Region) {
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

// Edit loads a notice, draft or not, for the administrator's form.
func (s *Service) Edit(ctx context.Context, a actor.Actor, id int64) (Notice, error) {
	if err := requireAdmin(a); err != nil {
		return Notice{}, err
	}
	var n Notice
	err := s.run(ctx, func(tx Tx) error {
		var found bool
		var err error
		if n, found, err = tx.Notice(ctx, id); err != nil {
			return err
		}
		if !found {
			return apperr.NotFoundf("通知公告")
		}
		n.Files, err = tx.Files(ctx, id)
		return err
	})
	return n, err
}

// List returns one page of the notices the actor may see, newest first, optionally filtered by a
// keyword. drafts asks for unpublished notices too and is honoured for administrators only.
func (s *Service) List(ctx context.Context, a actor.Actor, query string, page int, drafts bool) (List, error) {
	if err := requireSignedIn(a); err != nil {
		return List{}, err
	}
	query = strings.TrimSpace(query)
	if utf8.RuneCountInString(query) > MaxQuery {
		return List{}, apperr.FieldErrors(map[string]string{"q": fmt.Sprintf("关键字不能超过 %d 个字", MaxQuery)})
	}
	page = max(page, 1)
	out := List{Page: page, Query: query}
	err := s.run(ctx, func(tx Tx) error {
		regions, err := visibleRegions(ctx, tx, a)
		if err != nil {
			return err
		}
		f := Filter{Query: query, IncludeDrafts: drafts && a.Role == actor.Admin, Regions: regions,
			Now: tx.Now(), UserID: a.UserID, Limit: PageSize, Offset: (page - 1) * PageSize}
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
	err := s.run(ctx, func(tx Tx) error {
		regions, err := visibleRegions(ctx, tx, a)
		if err != nil {
			return err
		}
		items, _, err = tx.List(ctx, Filter{Regions: regions, Now: tx.Now(), UserID: a.UserID, Limit: n})
		return err
	})
	return items, err
}

// visibleRegions is nil (every region) for staff, and for an employer its district and the
// district's ancestors: GB/T 2260 codes nest by zeroing the trailing pairs (220102 → 220100 → 220000).
func visibleRegions(ctx context.Context, tx Tx, a actor.Actor) ([]string, error) {
	if a.IsStaff() {
		return nil, nil
	}
	if a.Role != actor.Employer || a.EmployerID == 0 {
		return []string{}, nil
	}
	d, err := tx.EmployerDistrict(ctx, a.EmployerID)
	if err != nil {
		return nil, err
	}
	return Ancestors(d), nil
}

// Ancestors returns a 6-digit region code and the codes of its city and province, most specific
// first (duplicates removed: 220100 → [220100 220000]). Anything else gives an empty list.
func Ancestors(code string) []string {
	if len(code) != 6 {
		return []string{}
	}
	out := []string{code}
	for _, c := range []string{code[:4] + "00", code[:2] + "0000"} {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// auditDetail records what changed without the body (it can be long); the title is public text.
func auditDetail(in Input) string {
	d := "title=" + in.Title
	if in.Region != "" {
		d += " region=" + in.Region
	}
	if len(in.FileIDs) > 0 {
		d += fmt.Sprintf(" files=%d", len(in.FileIDs))
	}
	return d
}
