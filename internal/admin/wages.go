package admin

import (
	"context"
	"fmt"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/rules"
	"quotacert/internal/scope"
)

// WageInput is the minimum-wage form: region prefix, first month and the amount in yuan.
type WageInput struct {
	Region string
	From   string
	Amount string // yuan, up to 2 decimals
}

// MinimumWages lists the versions that apply in the actor's jurisdiction (every version for root
// admins), each marked Locked when a submitted year rests on it and Managed when the actor may
// change it: below the root, the rows of its own regions are its own, the rows that reach it from
// above (the province's, its city's) are shown read-only.
func (s *Service) MinimumWages(ctx context.Context, a actor.Actor) ([]MinimumWage, error) {
	var out []MinimumWage
	err := s.run(ctx, func(tx Tx) error {
		sc, err := scope.Resolve(ctx, tx, a)
		if err != nil {
			return err
		}
		all, err := tx.MinimumWages(ctx)
		if err != nil {
			return err
		}
		lockedTo, err := lockedThrough(ctx, tx)
		if err != nil {
			return err
		}
		out = nil
		for _, m := range all {
			m.Managed = sc.WagePrefix(m.Region)
			if !m.Managed && !strings.HasPrefix(scope.Significant(sc.Office.Region), m.Region) {
				continue // another subtree's row
			}
			m.Locked = m.From <= lockedTo
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// wageInScope refuses a version outside the actor's jurisdiction (scope.Admin.WagePrefix).
func wageInScope(sc scope.Admin, region string) error {
	switch {
	case sc.WagePrefix(region):
		return nil
	case len(region) == 2:
		return sc.ProvinceOnly("全省最低工资标准")
	}
	return &apperr.Error{Code: apperr.Forbidden, Message: sc.Outside("地区 " + region + " 的最低工资标准").Message,
		Fields: map[string]string{"region": "只能维护本级辖区内地区的最低工资标准（代码以 " + scope.Significant(sc.Office.Region) + " 开头）"}}
}

// lockedThrough is the last month ("YYYY-12") of the latest submitted year (a declaration locked
// by 完成申报, rules.DeclarationStatus.Locked), or "" when nothing is submitted; rows starting on or
// before it are locked.
func lockedThrough(ctx context.Context, tx Tx) (string, error) {
	var locked []rules.DeclarationStatus
	for _, s := range rules.DeclarationStatuses() {
		if s.Locked() {
			locked = append(locked, s)
		}
	}
	y, ok, err := tx.LatestDeclaredYear(ctx, locked)
	if err != nil || !ok {
		return "", err
	}
	return fmt.Sprintf("%04d-12", y), nil
}

func checkWage(in WageInput) (MinimumWage, map[string]string) {
	fields := map[string]string{}
	m := MinimumWage{Region: strings.TrimSpace(in.Region), From: strings.TrimSpace(in.From)}
	if !wagePrefix.MatchString(m.Region) {
		fields["region"] = "地区应为 2、4 或 6 位行政区划代码前缀（如 22 表示全省，2201 表示长春市）"
	}
	if !monthRe.MatchString(m.From) {
		fields["from"] = "起始月份格式应为 YYYY-MM，如 2024-10"
	}
	fen, ok := parseYuan(in.Amount)
	if !ok || fen <= 0 {
		fields["amount"] = "月最低工资应为大于 0 的金额（元），最多两位小数"
	}
	m.AmountFen = fen
	return m, fields
}

// AddMinimumWage adds a version. A version may not start in a month a submitted year has already
// been checked against, and a (region, month) pair exists once.
func (s *Service) AddMinimumWage(ctx context.Context, a actor.Actor, in WageInput) error {
	m, fields := checkWage(in)
	err := s.run(ctx, func(tx Tx) error {
		if err := scopedWage(ctx, tx, a, m.Region, fields["region"] == ""); err != nil {
			return err
		}
		if len(fields) > 0 {
			return apperr.FieldErrors(fields)
		}
		lockedTo, err := lockedThrough(ctx, tx)
		if err != nil {
			return err
		}
		if m.From <= lockedTo {
			return apperr.FieldErrors(map[string]string{"from": fmt.Sprintf(
				"%s 年度已有单位完成申报，新标准的起始月份须晚于 %s", lockedTo[:4], lockedTo)})
		}
		if _, exists, err := tx.MinimumWage(ctx, m.Region, m.From); err != nil {
			return err
		} else if exists {
			return apperr.FieldErrors(map[string]string{"from": "该地区该月份起的标准已存在，如需调整请修改金额"})
		}
		if err := tx.InsertMinimumWage(ctx, m); err != nil {
			return err
		}
		e := audit.For(a, "minimum_wage.create", "minimum_wage", m.Region+"@"+m.From)
		e.Detail = "amount=" + FormatYuan(m.AmountFen)
		return tx.AppendAudit(ctx, e)
	})
	return s.audited(ctx, a, "minimum_wage.create", "minimum_wage", m.Region+"@"+m.From, err)
}

// scopedWage resolves the actor's scope and refuses a region prefix outside it; a prefix that is not
// well-formed (check false) is left to the field message.
func scopedWage(ctx context.Context, tx Tx, a actor.Actor, region string, check bool) error {
	sc, err := scope.Resolve(ctx, tx, a)
	if err != nil || !check {
		return err
	}
	return wageInScope(sc, region)
}

// UpdateMinimumWage changes the amount of an unlocked version.
func (s *Service) UpdateMinimumWage(ctx context.Context, a actor.Actor, in WageInput) error {
	m, fields := checkWage(in)
	err := s.run(ctx, func(tx Tx) error {
		if err := scopedWage(ctx, tx, a, m.Region, fields["region"] == ""); err != nil {
			return err
		}
		if len(fields) > 0 {
			return apperr.FieldErrors(fields)
		}
		old, err := unlockedWage(ctx, tx, m.Region, m.From)
		if err != nil {
			return err
		}
		if old.AmountFen == m.AmountFen {
			return nil
		}
		if err := tx.UpdateMinimumWage(ctx, m); err != nil {
			return err
		}
		e := audit.For(a, "minimum_wage.update", "minimum_wage", m.Region+"@"+m.From)
		e.Detail = "amount: " + FormatYuan(old.AmountFen) + " → " + FormatYuan(m.AmountFen)
		return tx.AppendAudit(ctx, e)
	})
	return s.audited(ctx, a, "minimum_wage.update", "minimum_wage", m.Region+"@"+m.From, err)
}

// DeleteMinimumWage removes an unlocked version (a mistaken entry).
func (s *Service) DeleteMinimumWage(ctx context.Context, a actor.Actor, region, from string) error {
	region, from = strings.TrimSpace(region), strings.TrimSpace(from)
	err := s.run(ctx, func(tx Tx) error {
		if err := scopedWage(ctx, tx, a, region, true); err != nil {
			return err
		}
		old, err := unlockedWage(ctx, tx, region, from)
		if err != nil {
			return err
		}
		if err := tx.DeleteMinimumWage(ctx, region, from); err != nil {
			return err
		}
		e := audit.For(a, "minimum_wage.delete", "minimum_wage", region+"@"+from)
		e.Detail = "amount=" + FormatYuan(old.AmountFen)
		return tx.AppendAudit(ctx, e)
	})
	return s.audited(ctx, a, "minimum_wage.delete", "minimum_wage", region+"@"+from, err)
}

func unlockedWage(ctx context.Context, tx Tx, region, from string) (MinimumWage, error) {
	old, exists, err := tx.MinimumWage(ctx, region, from)
	if err != nil {
		return old, err
	}
	if !exists {
		return old, apperr.NotFoundf("最低工资标准")
	}
	lockedTo, err := lockedThrough(ctx, tx)
	if err != nil {
		return old, err
	}
	if old.From <= lockedTo {
		return old, apperr.New(apperr.Conflict, fmt.Sprintf(
			"%s 年度已有单位完成申报，%s 起的最低工资标准已被使用，不能修改或删除；如标准调整，请新增一条起始月份晚于 %s 的标准",
			lockedTo[:4], old.From, lockedTo))
	}
	return old, nil
}
