package employer

import (
	"context"
	"quotacert/internal/readtx"
	"slices"

	"quotacert/internal/apperr"
)

// Regions lists the divisions directly under parent (empty = the top level), for the cascading
// province → city → district selects. Reference data is not personal, so no actor is needed.
func (s *Service) Regions(ctx context.Context, parent string) ([]Region, error) {
	var out []Region
	err := s.run(readtx.Mark(ctx), func(tx Tx) error {
		var err error
		out, err = tx.RegionChildren(ctx, parent)
		return err
	})
	return out, err
}

// RegionPath returns the divisions from the top level down to code (province, city, district),
// so a form can preselect each level. An unknown code gives an empty path.
func (s *Service) RegionPath(ctx context.Context, code string) ([]Region, error) {
	var path []Region
	err := s.run(readtx.Mark(ctx), func(tx Tx) error {
		for code != "" && len(path) < 8 {
			r, ok, err := tx.Region(ctx, code)
			if err != nil || !ok {
				return err
			}
			path = append(path, r)
			code = r.Parent
		}
		return nil
	})
	slices.Reverse(path)
	return path, err
}

// Offices lists the offices of a kind ("federation" or "tax"). With a region, only the offices
// serving that region or a division above it are listed: those are the ones an employer
// registered there may choose (the seed: 残联主管部门为年审认证的办理所在地, 税务主管部门为缴纳残保金的所在地).
func (s *Service) Offices(ctx context.Context, kind, region string) ([]Office, error) {
	if kind != OfficeFederation && kind != OfficeTax {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "kind 应为 federation 或 tax",
			Fields: map[string]string{"kind": "应为 federation 或 tax"}}
	}
	var out []Office
	err := s.run(readtx.Mark(ctx), func(tx Tx) error {
		var chain []string
		if region != "" {
			r, ok, err := tx.Region(ctx, region)
			if err != nil {
				return err
			}
			if !ok {
				return &apperr.Error{Code: apperr.Invalid, Message: "地区代码不存在",
					Fields: map[string]string{"region": "地区代码不存在"}}
			}
			if chain, err = regionChain(ctx, tx, r); err != nil {
				return err
			}
		}
		var err error
		out, err = tx.Offices(ctx, kind, chain)
		return err
	})
	return out, err
}
