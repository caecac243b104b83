package admin

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/idnum"
	"quotacert/internal/scope"
)

// regionTree is the region tree in memory (code → parent): regions are a small dictionary, read
// whole for every scope decision on them.
type regionTree map[string]string

func loadRegions(ctx context.Context, tx Tx) ([]Region, regionTree, error) {
	list, err := tx.Regions(ctx)
	if err != nil {
		return nil, nil, err
	}
	t := regionTree{}
	for _, r := range list {
		t[r.Code] = r.Parent
	}
	return list, t, nil
}

// within reports whether code is ancestor or lies below it; the walk is bounded against cycles.
func (t regionTree) within(code, ancestor string) bool {
	for range 64 {
		if code == "" {
			return false
		}
		if code == ancestor {
			return true
		}
		code = t[code]
	}
	return false
}

// covers: a region of the actor's jurisdiction (its office's region included): where its tax
// offices and its offices' regions may lie, and under which its regions may hang.
func (t regionTree) covers(sc scope.Admin, code string) bool {
	return sc.Province() || t.within(code, sc.Office.Region)
}

// below: a region the actor edits, strictly below its office's region (package scope).
func (t regionTree) below(sc scope.Admin, code string) bool {
	return sc.Province() || (code != sc.Office.Region && t.covers(sc, code))
}

// Regions lists the regions of the actor's jurisdiction by code (every region for root admins),
// each marked Managed when the actor may edit it.
func (s *Service) Regions(ctx context.Context, a actor.Actor) ([]Region, error) {
	var out []Region
	err := s.run(ctx, func(tx Tx) error {
		sc, err := scope.Resolve(ctx, tx, a)
		if err != nil {
			return err
		}
		list, t, err := loadRegions(ctx, tx)
		if err != nil {
			return err
		}
		out = nil
		for _, r := range list {
			if t.covers(sc, r.Code) {
				r.Managed = t.below(sc, r.Code)
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

// SaveRegion creates a region (create) or renames / re-parents an existing one. The code is the
// key that employers and offices refer to, so it is fixed once created. The parent must exist and
// must not be the region itself or one of its descendants. Below the root, the region must lie
// below the actor's office's region and its parent within it (package scope).
func (s *Service) SaveRegion(ctx context.Context, a actor.Actor, in Region, create bool) error {
	action := "region.update"
	if create {
		action = "region.create"
	}
	in.Code, in.Parent = strings.TrimSpace(in.Code), strings.TrimSpace(in.Parent)
	err := s.run(ctx, func(tx Tx) error {
		sc, err := scope.Resolve(ctx, tx, a)
		if err != nil {
			return err
		}
		fields := map[string]string{}
		in.Name = checkName(fields, "name", "名称", in.Name, 50)
		if !regionCode.MatchString(in.Code) {
			fields["code"] = "行政区划代码应为 6 位数字（GB/T 2260）"
		}
		_, t, err := loadRegions(ctx, tx)
		if err != nil {
			return err
		}
		old, exists, err := tx.Region(ctx, in.Code)
		if err != nil {
			return err
		}
		if exists && !t.below(sc, in.Code) {
			return sc.Outside("行政区划 " + in.Code)
		}
		if in.Parent == "" && !sc.Province() {
			return fieldRefusal(sc, "parent", "省级行政区划", "请填写上级行政区划：须为本级或下级辖区内的区划")
		}
		if !t.covers(sc, in.Parent) {
			return fieldRefusal(sc, "parent", "上级行政区划 "+in.Parent, "上级行政区划须为本级或下级辖区内的区划")
		}
		switch {
		case create && exists:
			fields["code"] = "该行政区划代码已存在"
		case !create && !exists:
			return apperr.NotFoundf("行政区划")
		}
		if in.Parent != "" && fields["code"] == "" {
			msg, err := checkParent(in.Code, in.Parent, func(c string) (string, bool, error) {
				p, ok := t[c]
				return p, ok, nil
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
		e := audit.For(a, action, "region", in.Code)
		if create {
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
	return s.audited(ctx, a, action, "region", in.Code, err)
}

// Offices lists the federation or tax offices of the actor's jurisdiction by code (every office
// for root admins): federation offices of its subtree, tax offices of its regions. Each is marked
// Managed when the actor may edit it.
func (s *Service) Offices(ctx context.Context, a actor.Actor, kind string) ([]Office, error) {
	if kind != Federation && kind != Tax {
		return nil, apperr.NotFoundf("机构类型")
	}
	var out []Office
	err := s.run(ctx, func(tx Tx) error {
		sc, err := scope.Resolve(ctx, tx, a)
		if err != nil {
			return err
		}
		list, err := tx.Offices(ctx, kind)
		if err != nil {
			return err
		}
		_, regions, err := loadRegions(ctx, tx)
		if err != nil {
			return err
		}
		offices := regionTree{} // the federation tree, code → parent
		for _, o := range list {
			offices[o.Code] = o.Parent
		}
		out = nil
		for _, o := range list {
			if kind == Tax {
				o.Managed = regions.covers(sc, o.Region)
				if o.Managed {
					out = append(out, o)
				}
				continue
			}
			if sc.Province() || offices.within(o.Code, sc.Office.Code) {
				o.Managed = sc.Province() || o.Code != sc.Office.Code
				out = append(out, o)
			}
		}
		return nil
	})
	return out, err
}

// SaveOffice creates or edits a federation office or a tax office. A federation office's parent is
// the office that reviews above it: it must exist and the tree must stay a tree (no office may end
// up above itself), because staff scopes and review routing walk it upwards. Below the root
// (package scope), an edited federation office lies strictly below the actor's office and its
// parent within the subtree, so no move takes an office out of the subtree or brings one in; an
// office's region, and a tax office, lie within the actor's region.
func (s *Service) SaveOffice(ctx context.Context, a actor.Actor, kind string, in Office, create bool) error {
	if kind != Federation && kind != Tax {
		return apperr.NotFoundf("机构类型")
	}
	action := kind + "_office.update"
	if create {
		action = kind + "_office.create"
	}
	in.Code, in.Parent, in.Region = strings.TrimSpace(in.Code), strings.TrimSpace(in.Parent), strings.TrimSpace(in.Region)
	err := s.run(ctx, func(tx Tx) error {
		sc, err := scope.Resolve(ctx, tx, a)
		if err != nil {
			return err
		}
		fields := map[string]string{}
		in.Name = checkName(fields, "name", "名称", in.Name, 100)
		if kind == Federation && !regionCode.MatchString(in.Code) {
			fields["code"] = "残联机构代码为其所辖行政区划的 6 位代码"
		}
		if kind == Tax {
			in.Parent = ""
			if !idnum.AllDigits(in.Code) || len(in.Code) < 6 || len(in.Code) > 20 {
				fields["code"] = "税务机关代码应为 6 至 20 位数字"
			}
		}
		old, exists, err := tx.Office(ctx, kind, in.Code)
		if err != nil {
			return err
		}
		if err := s.officeInScope(ctx, tx, sc, kind, old, exists, in); err != nil {
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
		in.Phone, in.Address = strings.TrimSpace(in.Phone), strings.TrimSpace(in.Address)
		if in.Phone != "" && !officePhone.MatchString(in.Phone) {
			fields["phone"] = "联系电话只能包含数字、空格、“-”、“+”、“（）”和“转”，最多 40 个字符，如 0431-88880000"
		}
		if n := utf8.RuneCountInString(in.Address); n > 200 {
			fields["address"] = "办公地址不能超过 200 个字"
		}
		if len(fields) > 0 {
			return apperr.FieldErrors(fields)
		}
		e := audit.For(a, action, kind+"_office", in.Code)
		if kind == Federation {
			e.Office = in.Code
		}
		if create {
			err = tx.InsertOffice(ctx, kind, in)
		} else {
			err = tx.UpdateOffice(ctx, kind, in)
		}
		if err != nil {
			return err
		}
		e.Detail = change("name", old.Name, in.Name) + change("parent", old.Parent, in.Parent) + change("region", old.Region, in.Region) +
			change("phone", old.Phone, in.Phone) + change("address", old.Address, in.Address)
		return tx.AppendAudit(ctx, e)
	})
	return s.audited(ctx, a, action, kind+"_office", in.Code, err)
}

// officeInScope refuses an office edit outside the actor's jurisdiction (package scope): the office
// as it is (when it exists) and as it would be.
func (s *Service) officeInScope(ctx context.Context, tx Tx, sc scope.Admin, kind string, old Office, exists bool, in Office) error {
	if sc.Province() {
		return nil
	}
	_, regions, err := loadRegions(ctx, tx)
	if err != nil {
		return err
	}
	if kind == Tax {
		if exists && !regions.covers(sc, old.Region) {
			return sc.Outside("税务机关 " + old.Name)
		}
		if in.Region != "" && !regions.covers(sc, in.Region) {
			return fieldRefusal(sc, "region", "行政区划 "+in.Region, "所辖行政区划须在本级辖区内")
		}
		return nil
	}
	if exists {
		if ok, err := sc.Below(ctx, tx, old.Code); err != nil {
			return err
		} else if !ok {
			return sc.Outside(old.Name)
		}
	}
	if in.Parent == "" {
		return fieldRefusal(sc, "parent", "省级残联", "请填写上级残联：须为本级或下级残联")
	}
	if ok, err := sc.Covers(ctx, tx, in.Parent); err != nil {
		return err
	} else if !ok {
		return fieldRefusal(sc, "parent", "上级残联 "+in.Parent, "上级残联须为本级或下级残联，不能移出本级辖区")
	}
	if in.Region != "" && !regions.covers(sc, in.Region) {
		return fieldRefusal(sc, "region", "行政区划 "+in.Region, "所辖行政区划须在本级辖区内")
	}
	return nil
}

// fieldRefusal is a 403 that also names the form field it concerns.
func fieldRefusal(sc scope.Admin, field, what, msg string) error {
	return &apperr.Error{Code: apperr.Forbidden, Message: sc.Outside(what).Message, Fields: map[string]string{field: msg}}
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
