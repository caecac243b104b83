package admin

import (
	"context"
	"fmt"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/rules"
)

// WageInput is the minimum-wage form: region prefix, first month and the amount in yuan.
type WageInput struct {
	Region string
	From   string
	Amount string // yuan, up to 2 decimals
}

// MinimumWages lists every version, each marked Locked when a submitted year rests on it.
func (s *Service) MinimumWages(ctx context.Context, a actor.Actor) ([]MinimumWage, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	var out []MinimumWage
	err := s.run(ctx, func(tx Tx) error {
		var err error
		if out, err = tx.MinimumWages(ctx); err != nil {
			return err
		}
		lockedTo, err := lockedThrough(ctx, tx)
		if err != nil {
			return err
		}
		for i := range out {
			out[i].Locked = out[i].From <= lockedTo
		}
		return nil
	})
	return out, err
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
	if err := requireAdmin(a); err != nil {
		return err
	}
	return s.run(ctx, func(tx Tx) error {
		m, fields := checkWage(in)
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
}

// UpdateMinimumWage changes the amount of an unlocked version.
func (s *Service) UpdateMinimumWage(ctx context.Context, a actor.Actor, in WageInput) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	return s.run(ctx, func(tx Tx) error {
		m, fields := checkWage(in)
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
}

// DeleteMinimumWage removes an unlocked version (a mistaken entry).
func (s *Service) DeleteMinimumWage(ctx context.Context, a actor.Actor, region, from string) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	return s.run(ctx, func(tx Tx) error {
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
