package exchange

import (
	"context"

	"quotacert/internal/actor"
)

// History lists the latest imports and rejected attempts, newest first. Admins only: it shows
// file names and who imported what.
func (s *Service) History(ctx context.Context, a actor.Actor, limit int) ([]Import, error) {
	if err := s.requireProvince(ctx, a, "exchange.history", "数据导入记录"); err != nil {
		return nil, err
	}
	var out []Import
	err := s.run(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListImports(ctx, limit)
		return err
	})
	return out, err
}

// Report returns one import with its listed errors (none for an accepted file): the result page
// and the CSV of errors read it.
func (s *Service) Report(ctx context.Context, a actor.Actor, id int64) (Import, []RowError, error) {
	if err := s.requireProvince(ctx, a, "exchange.history", "数据导入记录"); err != nil {
		return Import{}, nil, err
	}
	var imp Import
	var errs []RowError
	err := s.run(ctx, func(tx Tx) error {
		var err error
		if imp, err = tx.GetImport(ctx, id); err != nil {
			return err
		}
		errs, err = tx.ImportErrors(ctx, id)
		return err
	})
	return imp, errs, err
}
