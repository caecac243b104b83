package web

import (
	"html/template"

	"quotacert/internal/placement"
)

// keptPages bounds the pages kept (keptPage): a grid or a page of the list is some tens of KB.
const keptPages = 512

// keptPage is the content of an employer's page as rendered at a stamp (placement.Stamp): a
// placement's grid, or a page of the list under one filter. Loading and verifying a placement and
// rendering its 6×12 grid, or counting and rendering the list, is most of what these pages cost,
// and a clerk going back to a person or to the list, or refreshing, asks for the same page again.
// One short read of the stamp tells whether anything the page was computed from has been written
// since; while nothing has, the kept content is the page. Each instance keeps its own: the stamp
// is read from the database, so a write through another instance is seen here too. The layout
// around the content (the header's unread count, a flash message) is rendered on every request.
//
// The API's list is kept the same way (keptJSON): an integration polling it asks for the same
// page again and again, and counting the year's summary is most of what it costs.
type keptPage struct {
	stamp placement.Stamp
	body  template.HTML
	json  []byte // an API answer (keptJSON) instead of a page's content
}

// keptBody returns the content kept under key when it was rendered at stamp.
func (s *Server) keptBody(key string, stamp placement.Stamp) (template.HTML, bool) {
	k, ok := s.kept.Get(key)
	if !ok || k.stamp != stamp {
		return "", false
	}
	return k.body, true
}

// keep keeps a page's content rendered at stamp under key.
func (s *Server) keep(key string, stamp placement.Stamp, body template.HTML) {
	s.kept.Add(key, keptPage{stamp: stamp, body: body})
}

// keptJSON returns the API answer kept under key when it was encoded at stamp.
func (s *Server) keptJSON(key string, stamp placement.Stamp) ([]byte, bool) {
	k, ok := s.kept.Get(key)
	if !ok || k.stamp != stamp || k.json == nil {
		return nil, false
	}
	return k.json, true
}

// keepJSON keeps an API answer encoded at stamp under key.
func (s *Server) keepJSON(key string, stamp placement.Stamp, body []byte) {
	s.kept.Add(key, keptPage{stamp: stamp, json: body})
}
