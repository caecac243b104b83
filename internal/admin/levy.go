package admin

import (
	"context"
	"strconv"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/scope"
)

// LevyInput is the levy form: the quota ratio in percent ("1.6") and the social average wage in yuan
// a year. They feed only the levy estimate (the tax office computes the real amount), so a year's
// parameters may be corrected at any time; every change is audited with old and new values.
type LevyInput struct {
	Year          string
	QuotaPercent  string
	SocialAvgWage string
}

// Levies lists the province's levy parameters, newest year first.
func (s *Service) Levies(ctx context.Context, a actor.Actor) ([]Levy, error) {
	var out []Levy
	err := s.run(ctx, func(tx Tx) error {
		if _, err := scope.Resolve(ctx, tx, a); err != nil {
			return err
		}
		var err error
		out, err = tx.Levies(ctx)
		return err
	})
	return out, err
}

// SaveLevy creates or replaces the parameters of a year (root admins only: province-wide).
func (s *Service) SaveLevy(ctx context.Context, a actor.Actor, in LevyInput) error {
	fields := map[string]string{}
	year, err := strconv.Atoi(strings.TrimSpace(in.Year))
	if err != nil || year < 2000 || year > 2100 {
		fields["year"] = "请填写 2000 至 2100 之间的年度"
	}
	l := Levy{Province: Province, Year: year}
	if p := strings.TrimSpace(in.QuotaPercent); !percent.MatchString(p) {
		fields["quotaPercent"] = "安置比例应为百分数，最多两位小数，如 1.6"
	} else if bp, _ := parseYuan(p); bp <= 0 || bp > 10000 {
		fields["quotaPercent"] = "安置比例应大于 0 且不超过 100"
	} else {
		l.QuotaBasisPoints = int(bp)
	}
	if fen, ok := parseYuan(in.SocialAvgWage); !ok || fen <= 0 {
		fields["socialAvgWage"] = "社会平均工资应为大于 0 的金额（元/年），最多两位小数"
	} else {
		l.SocialAvgWageFen = fen
	}
	err = s.run(ctx, func(tx Tx) error {
		if err := requireProvince(ctx, tx, a, "残保金参数"); err != nil {
			return err
		}
		if len(fields) > 0 {
			return apperr.FieldErrors(fields)
		}
		old, exists, err := tx.Levy(ctx, Province, year)
		if err != nil {
			return err
		}
		if exists && old == l {
			return nil
		}
		if err := tx.SaveLevy(ctx, l); err != nil {
			return err
		}
		e := audit.For(a, "levy.update", "levy", Province+"/"+strconv.Itoa(year))
		if !exists {
			e.Action = "levy.create"
		}
		e.Detail = change("quotaPercent", FormatPercent(old.QuotaBasisPoints), FormatPercent(l.QuotaBasisPoints)) +
			change("socialAvgWage", FormatYuan(old.SocialAvgWageFen), FormatYuan(l.SocialAvgWageFen))
		return tx.AppendAudit(ctx, e)
	})
	return s.audited(ctx, a, "levy.update", "levy", Province+"/"+strings.TrimSpace(in.Year), err)
}
