package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"quotacert/internal/admin"
	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
	"quotacert/internal/notice"
)

// noticeFormData is the new/edit form, with an optional preview of the rendered body.
type noticeFormData struct {
	ID      int64 // 0 = new
	In      notice.Input
	FileIDs string // one per line, as typed
	Files   []notice.FileRef
	Fields  map[string]string
	Error   string
	Preview string // sanitised HTML, shown only when asked for
	Publish string // optional publication time (YYYY-MM-DDTHH:MM, China time), new notices only
	Status  string
	// Offices are the targets the admin may choose: its own office and those below it.
	Offices []admin.Office
}

// noticeForm renders the new/edit form with the admin's choice of targets.
func (s *Server) noticeForm(w http.ResponseWriter, r *http.Request, status int, title string, d noticeFormData) {
	offices, err := s.deps.Admin.Offices(r.Context(), adminActor(s, r), admin.Federation)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if d.In.Office == "" { // a new notice: the admin's own jurisdiction
		sc, err := s.adminScope(r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		d.In.Office = sc.Office.Code
	}
	d.Offices = offices
	s.render(w, r, status, "admin_notice_form", Page{Title: title, Nav: "admin", Data: d})
}

// handleAdminNotices lists every notice, drafts included.
func (s *Server) handleAdminNotices(w http.ResponseWriter, r *http.Request) {
	s.noticeList(w, r, true, "admin_notices", "admin", "通知公告管理")
}

func (s *Server) handleAdminNoticeNew(w http.ResponseWriter, r *http.Request) {
	s.noticeForm(w, r, http.StatusOK, "发布通知公告", noticeFormData{})
}

func (s *Server) handleAdminNoticeEdit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "通知公告")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	a, _ := s.actor(r)
	n, err := s.deps.Notices.Edit(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := noticeFormData{ID: id, In: notice.Input{Title: n.Title, Body: n.Body, Office: n.Office}, Files: n.Files, Status: "草稿"}
	var ids []string
	for _, f := range n.Files {
		ids = append(ids, f.ID)
	}
	d.FileIDs = strings.Join(ids, "\n")
	if n.PublishedAt != nil {
		d.Status = "已发布（" + n.PublishedAt.In(cst).Format("2006-01-02 15:04") + "）"
	}
	s.noticeForm(w, r, http.StatusOK, "编辑通知公告", d)
}

// handleAdminNoticeSave creates (POST /admin/notices) or updates (POST /admin/notices/{id}) a
// notice; the "preview" button renders the body without saving.
func (s *Server) handleAdminNoticeSave(w http.ResponseWriter, r *http.Request) {
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r, "通知公告"); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	// The form is multipart: chosen attachments are uploaded (checked by content) as it streams in.
	values, uploadErrs, err := s.readUploadForm(w, r, maxNoticeForm)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	ids := append(strings.Fields(values.Get("fileIds")), values["attachment.fileIds"]...)
	d := noticeFormData{ID: id, FileIDs: strings.Join(ids, "\n"), Publish: strings.TrimSpace(values.Get("publishAt")),
		In: notice.Input{Title: values.Get("title"), Body: values.Get("body"), Office: values.Get("office"), FileIDs: ids}}
	title := "发布通知公告"
	if id != 0 {
		title = "编辑通知公告"
	}
	if len(uploadErrs) > 0 {
		d.Fields, d.Error = uploadErrs, "附件上传失败，请按提示修改"
		s.noticeForm(w, r, http.StatusUnprocessableEntity, title, d)
		return
	}
	if values.Get("preview") != "" {
		d.Preview = notice.Render(d.In.Body)
		s.noticeForm(w, r, http.StatusOK, title, d)
		return
	}
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	var at *time.Time
	if id == 0 && d.Publish != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", d.Publish, cst)
		if err != nil {
			d.Fields = map[string]string{"publishAt": "发布时间格式应为 年-月-日 时:分"}
			d.Error = "有 1 项填写有误，请按提示修改"
			s.noticeForm(w, r, http.StatusUnprocessableEntity, title, d)
			return
		}
		at = &t
	}
	// The form saves a draft unless a publication time is given; publishing now is the list's
	// 发布 action, behind its confirmation.
	switch {
	case id == 0 && at != nil:
		_, err = s.deps.Notices.CreateAndPublish(r.Context(), a, d.In, at)
	case id == 0:
		_, err = s.deps.Notices.Create(r.Context(), a, d.In)
	default:
		err = s.deps.Notices.Update(r.Context(), a, id, d.In)
	}
	if err != nil {
		if !onForm(err) {
			s.renderError(w, r, err)
			return
		}
		refusalRecorded(w, err)
		e := apperr.As(err)
		d.Fields, d.Error = e.Fields, e.Message
		s.noticeForm(w, r, httpx.Status(e.Code), title, d)
		return
	}
	http.Redirect(w, r, "/admin/notices?done=notice-saved", http.StatusSeeOther)
}

// noticeConfirmData is the publish/unpublish confirmation page.
type noticeConfirmData struct {
	Notice notice.Notice
	Action string // publish | unpublish
	Verb   string
}

func confirmAction(r *http.Request) (string, string, error) {
	switch r.PathValue("action") {
	case "publish":
		return "publish", "发布", nil
	case "unpublish":
		return "unpublish", "撤回", nil
	}
	return "", "", apperr.NotFoundf("您访问的页面")
}

// handleAdminNoticeConfirm asks before publishing or unpublishing: both change what every user sees.
func (s *Server) handleAdminNoticeConfirm(w http.ResponseWriter, r *http.Request) {
	action, verb, err := confirmAction(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	id, err := pathID(r, "通知公告")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	a, _ := s.actor(r)
	n, err := s.deps.Notices.Edit(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_notice_confirm", Page{Title: verb + "通知公告", Nav: "admin",
		Data: noticeConfirmData{Notice: n, Action: action, Verb: verb}})
}

// handleAdminNoticePublish publishes or unpublishes after confirmation; doing it twice is harmless.
func (s *Server) handleAdminNoticePublish(w http.ResponseWriter, r *http.Request) {
	action, _, err := confirmAction(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	id, err := pathID(r, "通知公告")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	done := "notice-published"
	if action == "publish" {
		err = s.deps.Notices.Publish(r.Context(), a, id, nil)
	} else {
		err = s.deps.Notices.Unpublish(r.Context(), a, id)
		done = "notice-unpublished"
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/notices?done="+done+"#notice-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
