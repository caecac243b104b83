package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

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
}

// handleAdminNotices lists every notice, drafts included.
func (s *Server) handleAdminNotices(w http.ResponseWriter, r *http.Request) {
	s.noticeList(w, r, true, "admin_notices", "admin", "通知公告管理")
}

func (s *Server) handleAdminNoticeNew(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "admin_notice_form", Page{Title: "发布通知公告", Nav: "admin", Data: noticeFormData{}})
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
	d := noticeFormData{ID: id, In: notice.Input{Title: n.Title, Body: n.Body, Region: n.Region}, Files: n.Files, Status: "草稿"}
	var ids []string
	for _, f := range n.Files {
		ids = append(ids, f.ID)
	}
	d.FileIDs = strings.Join(ids, "\n")
	if n.PublishedAt != nil {
		d.Status = "已发布（" + n.PublishedAt.In(cst).Format("2006-01-02 15:04") + "）"
	}
	s.render(w, r, http.StatusOK, "admin_notice_form", Page{Title: "编辑通知公告", Nav: "admin", Data: d})
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
		In: notice.Input{Title: values.Get("title"), Body: values.Get("body"), Region: values.Get("region"), FileIDs: ids}}
	title := "发布通知公告"
	if id != 0 {
		title = "编辑通知公告"
	}
	if len(uploadErrs) > 0 {
		d.Fields, d.Error = uploadErrs, "附件上传失败，请按提示修改"
		s.render(w, r, http.StatusUnprocessableEntity, "admin_notice_form", Page{Title: title, Nav: "admin", Data: d})
		return
	}
	if values.Get("preview") != "" {
		d.Preview = notice.Render(d.In.Body)
		s.render(w, r, http.StatusOK, "admin_notice_form", Page{Title: title, Nav: "admin", Data: d})
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
			s.render(w, r, http.StatusUnprocessableEntity, "admin_notice_form", Page{Title: title, Nav: "admin", Data: d})
			return
		}
		at = &t
	}
	if id == 0 {
		id, err = s.deps.Notices.Create(r.Context(), a, d.In)
		if err == nil && at != nil {
			err = s.deps.Notices.Publish(r.Context(), a, id, at)
		}
	} else {
		err = s.deps.Notices.Update(r.Context(), a, id, d.In)
	}
	if err != nil {
		e := apperr.As(err)
		if e.Code != apperr.Invalid {
			s.renderError(w, r, err)
			return
		}
		d.Fields, d.Error = e.Fields, e.Message
		s.render(w, r, httpx.Status(e.Code), "admin_notice_form", Page{Title: title, Nav: "admin", Data: d})
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
