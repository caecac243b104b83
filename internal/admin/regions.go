package admin

import (
	"context"
	"fmt"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
)

// Regions lists every region, by code.
func (s *Service) Regions(ctx context.Context, a actor.Actor) ([]Region, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	var out []Region
	err := s.run(ctx, func(tx Tx) (err error) { out, err = tx.Regions(ctx); return err })
	return out, err
}

// SaveRegion creates a region (create) or renames / re-parents an existing one. The code is the
// key that employers and offices refer to, so it is fixed once created. The parent must exist and
// must not be the region itself or one of its descendants.
func (s *Service) SaveRegion(ctx context.Context, a actor.Actor, in Region, create bool) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	return s.run(ctx, func(tx Tx) error {
		fields := map[string]string{}
		in.Code, in.Parent = strings.TrimSpace(in.Code), strings.TrimSpace(in.Parent)
		in.Name = checkName(fields, "name", "名称", in.Name, 50)
		if !regionCode.MatchString(in.Code) {
			fields["code"] = "行政区划代码应为 6 位数字（GB/T 2260）"
		}
		old, exists, err := tx.Region(ctx, in.Code)
		if err != nil {
			return err
		}
		switch {
		case create && exists:
			fields["code"] = "该行政区划代码已存在"
		case !create && !exists:
			return apperr.NotFoundf("行政区划")
		}
		if in.Parent != "" && fields["code"] == "" {
			msg, err := checkParent(in.Code, in.Parent, func(c string) (string, bool, error) {
				r, ok, err := tx.Region(ctx, c)
				return r.Parent, ok, err
			})
			if err != nil {
				return err
			}
			if msg != "" {
				fields["parent"] = msg
			}
		}
		if len(fields) > 0 {
			return apperr.FieldErrors(fields)
		}
		e := audit.For(a, "region.update", "region", in.Code)
		if create {
			e.Action = "region.create"
			err = tx.InsertRegion(ctx, in)
		} else {
			err = tx.UpdateRegion(ctx, in)
		}
		if err != nil {
			return err
		}
		e.Detail = change("name", old.Name, in.Name) + change("parent", old.Parent, in.Parent)
		return tx.AppendAudit(ctx, e)
	})
}

// Offices lists the federation or tax offices, by code.
func (s *Service) Offices(ctx context.Context, a actor.Actor, kind string) ([]Office, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	if kind != Federation && kind != Tax {
		return nil, apperr.NotFoundf("机构类型")
	}
	var out []Office
	err := s.run(ctx, func(tx Tx) (err error) { out, err = tx.Offices(ctx, kind); return err })
	return out, err
}

// SaveOffice creates or edits a federation office or a tax office. A federation office's parent is
// the office that reviews above it: it must exist and the tree must stay a tree (no office may end
// up above itself), because staff scopes and review routing walk it upwards.
func (s *Service) SaveOffice(ctx context.Context, a actor.Actor, kind string, in Office, create bool) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	if kind != Federation && kind != Tax {
		return apperr.NotFoundf("机构类型")
	}
	return s.run(ctx, func(tx Tx) error {
		fields := map[string]string{}
		in.Code, in.Parent, in.Region = strings.TrimSpace(in.Code), strings.TrimSpace(in.Parent), strings.TrimSpace(in.Region)
		in.Name = checkName(fields, "name", "名称", in.Name, 100)
		if kind == Federation && !regionCode.MatchString(in.Code) {
			fields["code"] = "残联机构代码为其所辖行政区划的 6 位代码"
		}
		if kind == Tax {
			in.Parent = ""
			if !taxCode.MatchString(in.Code) {
				fields["code"] = "税务机关代码应为 6 至 20 位数字"
			}
		}
		old, exists, err := tx.Office(ctx, kind, in.Code)
		if err != nil {
			return err
		}
		switch {
		case create && exists:
			fields["code"] = "该机构代码已存在"
		case !create && !exists:
			return apperr.NotFoundf("机构")
		}
		if in.Region == "" {
			fields["region"] = "请选择所辖行政区划"
		} else if _, ok, err := tx.Region(ctx, in.Region); err != nil {
			return err
		} else if !ok {
			fields["region"] = "行政区划不存在"
		}
		if kind == Federation && in.Parent != "" && fields["code"] == "" {
			msg, err := checkParent(in.Code, in.Parent, func(c string) (string, bool, error) {
				o, ok, err := tx.Office(ctx, Federation, c)
				return o.Parent, ok, err
			})
			if err != nil {
				return err
			}
			if msg != "" {
				fields["parent"] = msg
			}
		}
		if len(fields) > 0 {
			return apperr.FieldErrors(fields)
		}
		e := audit.For(a, kind+"_office.update", kind+"_office", in.Code)
		if create {
			e.Action = kind + "_office.create"
			err = tx.InsertOffice(ctx, kind, in)
		} else {
			err = tx.UpdateOffice(ctx, kind, in)
		}
		if err != nil {
			return err
		}
		e.Detail = change("name", old.Name, in.Name) + change("parent", old.Parent, in.Parent) + change("region", old.Region, in.Region)
		return tx.AppendAudit(ctx, e)
	})
}

// checkParent walks up from parent and returns a Chinese message for the parent field when the
// parent does not exist or code is met on the way (a cycle). The walk is bounded so that a cycle
// already in the data cannot hang the request.
func checkParent(code, parent string, up func(string) (string, bool, error)) (string, error) {
	cur := parent
	for range 64 {
		if cur == code {
			return "上级不能是其自身或其下级（会形成循环）", nil
		}
		next, ok, err := up(cur)
		if err != nil {
			return "", fmt.Errorf("walk tree: %w", err)
		}
		if !ok {
			if cur == parent {
				return "上级不存在", nil
			}
			return "", nil
		}
		if next == "" {
			return "", nil
		}
		cur = next
	}
	return "上级层级过深或已存在循环，请检查", nil
}

// change writes "key: old → new; " for the audit detail when the value changed.
func change(key, old, new string) string {
	if old == new {
		return ""
	}
	return fmt.Sprintf("%s: %q → %q; ", key, old, new)
}
