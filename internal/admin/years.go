package admin

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/rules"
	"quotacert/internal/scope"
)

// MaxPledge bounds the pledge text (it is printed on the submission page).
const MaxPledge = 5000

// YearView is a business year with its current pledge text, for the console.
type YearView struct {
	rules.BusinessYear
	Pledge string
}

// Years lists the business years, newest first.
func (s *Service) Years(ctx context.Context, a actor.Actor) ([]YearView, error) {
	var out []YearView
	err := s.run(ctx, func(tx Tx) error {
		if _, err := scope.Resolve(ctx, tx, a); err != nil {
			return err
		}
		out = nil
		ys, err := tx.Years(ctx)
		if err != nil {
			return err
		}
		for _, y := range ys {
			p, _, err := tx.Pledge(ctx, y.PledgeVersion)
			if err != nil {
				return err
			}
			out = append(out, YearView{BusinessYear: y, Pledge: p.Body})
		}
		return nil
	})
	return out, err
}

// Pledges lists every pledge version, kept for the declarations that accepted them.
func (s *Service) Pledges(ctx context.Context, a actor.Actor) ([]Pledge, error) {
	var out []Pledge
	err := s.run(ctx, func(tx Tx) error {
		if _, err := scope.Resolve(ctx, tx, a); err != nil {
			return err
		}
		var err error
		out, err = tx.Pledges(ctx)
		return err
	})
	return out, err
}

// yearsWhat names the province-wide settings of this file in refusals.
const yearsWhat = "业务年度、申报期和承诺书"

// requireProvince resolves the actor's scope and refuses anyone but the root office's admins and
// the command line: province-wide settings (package scope).
func requireProvince(ctx context.Context, tx Tx, a actor.Actor, what string) error {
	sc, err := scope.Resolve(ctx, tx, a)
	if err != nil {
		return err
	}
	if !sc.Province() {
		return sc.ProvinceOnly(what)
	}
	return nil
}

// AddYear opens a new business year with the default window (03-01 to 10-31 of the following year,
// DOMAIN.md §7) and the pledge of the latest year. Adding an existing year changes nothing.
func (s *Service) AddYear(ctx context.Context, a actor.Actor, yearText string) (int, error) {
	year, err := strconv.Atoi(strings.TrimSpace(yearText))
	bad := err != nil || year < 2000 || year > 2100
	err = s.run(ctx, func(tx Tx) error {
		if err := requireProvince(ctx, tx, a, yearsWhat); err != nil {
			return err
		}
		if bad {
			return apperr.FieldErrors(map[string]string{"year": "请填写 2000 至 2100 之间的年度"})
		}
		if _, exists, err := tx.Year(ctx, year); err != nil || exists {
			return err
		}
		ys, err := tx.Years(ctx)
		if err != nil {
			return err
		}
		if len(ys) == 0 {
			return apperr.New(apperr.Conflict, "尚无承诺书版本，请先导入基础数据")
		}
		y := rules.BusinessYear{Year: year, PledgeVersion: ys[0].PledgeVersion}
		y.WindowOpen, y.WindowClose = rules.DefaultWindow(year)
		if err := tx.InsertYear(ctx, y); err != nil {
			return err
		}
		e := audit.For(a, "business_year.create", "business_year", strconv.Itoa(year))
		e.Detail = fmt.Sprintf("window=%s..%s pledge=%s", y.WindowOpen, y.WindowClose, y.PledgeVersion)
		return tx.AppendAudit(ctx, e)
	})
	return year, s.audited(ctx, a, "business_year.create", "business_year", strings.TrimSpace(yearText), err)
}

// YearInput changes a business year; nil fields are left as they are (the API sets only the window).
type YearInput struct {
	WindowOpen            *string `json:"windowOpen"`
	WindowClose           *string `json:"windowClose"`
	CertValidAtSubmission *bool   `json:"certValidAtSubmission,omitempty"`
	// Pledge, when it differs from the year's current text, becomes a new pledge version.
	Pledge *string `json:"pledge,omitempty"`
}

// UpdateYear sets a year's declaration window (open ≤ close, YYYY-MM-DD), its certificate switch
// and its pledge text. A changed pledge text becomes a new version "<year>-v<n>"; the old version
// stays for the declarations that accepted it.
func (s *Service) UpdateYear(ctx context.Context, a actor.Actor, year int, in YearInput) (rules.BusinessYear, error) {
	var out rules.BusinessYear
	err := s.run(ctx, func(tx Tx) error {
		if err := requireProvince(ctx, tx, a, yearsWhat); err != nil {
			return err
		}
		y, exists, err := tx.Year(ctx, year)
		if err != nil {
			return err
		}
		if !exists {
			return apperr.NotFoundf(fmt.Sprintf("%d 业务年度", year))
		}
		old := y
		fields := map[string]string{}
		if in.WindowOpen != nil {
			if y.WindowOpen, err = rules.ParseTypedDate(*in.WindowOpen); err != nil {
				fields["windowOpen"] = "开始日期格式应为 YYYY-MM-DD，如 2026-03-01"
			}
		}
		if in.WindowClose != nil {
			if y.WindowClose, err = rules.ParseTypedDate(*in.WindowClose); err != nil {
				fields["windowClose"] = "截止日期格式应为 YYYY-MM-DD，如 2026-10-31"
			}
		}
		if fields["windowOpen"] == "" && fields["windowClose"] == "" && y.WindowClose.Before(y.WindowOpen) {
			fields["windowClose"] = "截止日期不能早于开始日期"
		}
		var pledge string
		if in.Pledge != nil {
			pledge = strings.TrimSpace(strings.ReplaceAll(*in.Pledge, "\r\n", "\n"))
			switch {
			case pledge == "":
				fields["pledge"] = "请填写承诺书内容"
			case utf8.RuneCountInString(pledge) > MaxPledge:
				fields["pledge"] = fmt.Sprintf("承诺书不能超过 %d 个字", MaxPledge)
			}
		}
		if len(fields) > 0 {
			return apperr.FieldErrors(fields)
		}
		if in.CertValidAtSubmission != nil {
			y.CertValidAtSubmission = *in.CertValidAtSubmission
		}
		if in.Pledge != nil {
			cur, _, err := tx.Pledge(ctx, y.PledgeVersion)
			if err != nil {
				return err
			}
			if cur.Body != pledge {
				if y.PledgeVersion, err = newPledgeVersion(ctx, tx, year); err != nil {
					return err
				}
				if err := tx.InsertPledge(ctx, Pledge{Version: y.PledgeVersion, Body: pledge, CreatedAt: tx.Now()}); err != nil {
					return err
				}
			}
		}
		out = y
		if y == old {
			return nil // nothing changed: a double submit writes nothing
		}
		if err := tx.UpdateYear(ctx, y); err != nil {
			return err
		}
		e := audit.For(a, "business_year.update", "business_year", strconv.Itoa(year))
		e.Detail = change("windowOpen", old.WindowOpen.String(), y.WindowOpen.String()) +
			change("windowClose", old.WindowClose.String(), y.WindowClose.String()) +
			change("certValidAtSubmission", strconv.FormatBool(old.CertValidAtSubmission), strconv.FormatBool(y.CertValidAtSubmission)) +
			change("pledgeVersion", old.PledgeVersion, y.PledgeVersion)
		return tx.AppendAudit(ctx, e)
	})
	return out, s.audited(ctx, a, "business_year.update", "business_year", strconv.Itoa(year), err)
}

func newPledgeVersion(ctx context.Context, tx Tx, year int) (string, error) {
	for n := 1; n < 1000; n++ {
		v := fmt.Sprintf("%d-v%d", year, n)
		_, exists, err := tx.Pledge(ctx, v)
		if err != nil {
			return "", err
		}
		if !exists {
			return v, nil
		}
	}
	return "", fmt.Errorf("no free pledge version for %d", year)
}
