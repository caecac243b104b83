// Package overview answers the employer home page's question "where do I stand this year?": the
// business year whose declaration window is open today, its closing date, and the employer's
// placements by status. It only reads; the profile's completeness comes from the employer package
// and the newest notices from the notice package, so each rule keeps one home.
package overview

import (
	"context"
	"quotacert/internal/readtx"
	"slices"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// Status is the year at a glance. Found is false when no declaration window is open today.
type Status struct {
	Found bool
	rules.BusinessYear
	// ByStatus counts the employer's placements of the year: draft, pending, confirmed, rejected.
	ByStatus map[placement.Status]int
	Total    int
}

// Tx is what this package needs from the store.
type Tx interface {
	// Years lists the business years, newest first.
	Years(ctx context.Context) ([]rules.BusinessYear, error)
	PlacementCountsByStatus(ctx context.Context, employerID int64, year int) (map[placement.Status]int, error)
	Now() time.Time
}

// Service runs the read.
type Service struct {
	run func(ctx context.Context, fn func(Tx) error) error
}

// NewService returns a service that runs each read through run (one transaction).
func NewService(run func(ctx context.Context, fn func(Tx) error) error) *Service {
	return &Service{run: run}
}

// Employer returns the status of the signed-in employer's open year.
func (s *Service) Employer(ctx context.Context, a actor.Actor) (Status, error) {
	if a.Role != actor.Employer || a.EmployerID == 0 {
		return Status{}, apperr.New(apperr.Forbidden, "仅用人单位可查看申报概况")
	}
	var st Status
	err := s.run(readtx.Mark(ctx), func(tx Tx) error {
		years, err := tx.Years(ctx)
		if err != nil {
			return err
		}
		today := rules.ChinaDate(tx.Now())
		i := slices.IndexFunc(years, func(y rules.BusinessYear) bool { return y.InWindow(today) })
		if i < 0 {
			return nil
		}
		st = Status{Found: true, BusinessYear: years[i]}
		if st.ByStatus, err = tx.PlacementCountsByStatus(ctx, a.EmployerID, st.Year); err != nil {
			return err
		}
		for _, n := range st.ByStatus {
			st.Total += n
		}
		return nil
	})
	return st, err
}
