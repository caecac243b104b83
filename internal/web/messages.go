package web

import (
	"net/http"
	"strconv"
	"strings"

	"quotacert/internal/apperr"
	"quotacert/internal/message"
)

// messagesView is the message center.
type messagesView struct {
	Messages []message.Message
	Unread   int
}

// handleMessages: GET /messages — the employer's messages, newest first.
func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request) {
	if s.deps.Messages == nil {
		s.renderError(w, r, apperr.NotFoundf("消息中心"))
		return
	}
	a, _ := s.actor(r)
	list, unread, err := s.deps.Messages.List(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "messages", Page{Title: "消息中心", Nav: "messages", Data: messagesView{Messages: list, Unread: unread}})
}

// handleMessagesRead: POST /messages/read — marks one message (id) or all (all=1) read; with
// open=1 it then goes where the message points (the page to act on it).
func (s *Server) handleMessagesRead(w http.ResponseWriter, r *http.Request) {
	if s.deps.Messages == nil {
		s.renderError(w, r, apperr.NotFoundf("消息中心"))
		return
	}
	a, _ := s.actor(r)
	var id int64
	if r.PostFormValue("all") != "1" {
		n, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
		if err != nil || n <= 0 {
			s.renderError(w, r, apperr.NotFoundf("消息"))
			return
		}
		id = n
	}
	if err := s.deps.Messages.MarkRead(r.Context(), a, id); err != nil {
		s.renderError(w, r, err)
		return
	}
	if id > 0 && r.PostFormValue("open") == "1" {
		list, _, err := s.deps.Messages.List(r.Context(), a)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, m := range list {
			// Only a same-site path: a message's link is written by the system, but a redirect
			// target is checked anyway.
			if m.ID == id && strings.HasPrefix(m.Link, "/") && !strings.HasPrefix(m.Link, "//") {
				http.Redirect(w, r, m.Link, http.StatusSeeOther)
				return
			}
		}
	}
	http.Redirect(w, r, "/messages?done=messages-read", http.StatusSeeOther)
}
