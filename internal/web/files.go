package web

import (
	"net/http"
	"slices"
	"strings"

	"quotacert/internal/employer"
	"quotacert/internal/httpx"
)

// Attachments as the pages show them: ids in forms, names beside the inputs.

// idsOnly turns the file ids posted with a form row into references, without blanks or repeats.
func idsOnly(ids []string) []employer.FileRef {
	var out []employer.FileRef
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.ContainsFunc(out, func(f employer.FileRef) bool { return f.ID == id }) {
			out = append(out, employer.FileRef{ID: id})
		}
	}
	return out
}

// fileIDs lists the ids of refs.
func fileIDs(fs []employer.FileRef) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

// namedFiles names the files among ids that the signed-in user may read, for a page that lists
// them beside their form row or claim; the others are left out (the service refuses them anyway).
// It opens no file and writes no audit entry (attachment.Service.Lookup). A failed look-up is
// logged and shows no names: the page still works, and saving re-checks every id.
func (s *Server) namedFiles(r *http.Request, ids []string) []employer.FileRef {
	a, _ := s.actor(r)
	files, err := s.deps.Files.Lookup(r.Context(), a, ids)
	if err != nil {
		s.deps.Log.Error("look up files", "id", httpx.RequestID(r.Context()), "err", err)
		return nil
	}
	out := make([]employer.FileRef, 0, len(files))
	for _, f := range files {
		out = append(out, employer.FileRef{ID: f.ID, Name: f.Name, Size: f.Size})
	}
	return out
}
