package web

import (
	"net/http"

	"quotacert/internal/httpx"
)

// registryJSON is CONTRACT.md's GET /registry/persons/{idNumber} answer.
type registryJSON struct {
	Person struct {
		IDNumber  string `json:"idNumber"`
		Name      string `json:"name"`
		Gender    string `json:"gender"`
		BirthDate string `json:"birthDate"`
	} `json:"person"`
	Certificates []registryCertJSON `json:"certificates"`
}

// handleAPIRegistryPerson is GET /api/v1/registry/persons/{idNumber}: the registry's person and
// certificates, for the employer about to add that person (the service throttles and audits it).
func (s *Server) handleAPIRegistryPerson(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	p, err := s.deps.Placements.Registry(r.Context(), a, r.PathValue("idNumber"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var out registryJSON
	out.Person.IDNumber, out.Person.Name, out.Person.Gender, out.Person.BirthDate = p.IDNumber, p.Name, p.Gender, p.BirthDate.String()
	out.Certificates = []registryCertJSON{}
	for _, c := range p.Certificates {
		out.Certificates = append(out.Certificates, toRegistryCertJSON(c))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}
