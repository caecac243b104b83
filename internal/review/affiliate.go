package review

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/message"
	"quotacert/internal/rules"
)

// The other side of an affiliate request (DOMAIN.md §6): when the credit code an employer asks to
// count as its affiliate belongs to another registered employer, that employer sees the request and
// may object. An objection rejects the request as a reviewer's rejection would, so the affiliate's
// records never count for the asking employer, and the asking employer sees the reason.

// AffiliateRequests lists the requests naming the acting employer as another employer's affiliate,
// newest first (pending and decided; withdrawn ones are gone).
func (s *Service) AffiliateRequests(ctx context.Context, a actor.Actor) ([]Item, error) {
	if err := affiliateViewer(a); err != nil {
		return nil, err
	}
	var out []Item
	err := s.run(ctx, func(tx Tx) error {
		var err error
		out, err = tx.AffiliateRequests(ctx, a.EmployerID)
		return err
	})
	return out, err
}

// AffiliateRequest is one of AffiliateRequests; any other item is not found.
func (s *Service) AffiliateRequest(ctx context.Context, a actor.Actor, id int64) (Item, error) {
	if err := affiliateViewer(a); err != nil {
		return Item{}, err
	}
	var it Item
	err := s.run(ctx, func(tx Tx) error {
		var err error
		it, err = affiliateRequest(ctx, tx, a, id)
		return err
	})
	return it, err
}

// Object rejects a pending request naming the acting employer, with its reason (异议). Objecting
// twice is harmless; a request the federation decided already cannot be changed by the unit (it is
// told to contact the federation). The objection is audited and shown to the asking employer.
func (s *Service) Object(ctx context.Context, a actor.Actor, id int64, reason string) error {
	if a.Role != actor.Employer {
		return apperr.New(apperr.Forbidden, "只有用人单位可以对关联单位申请提出异议")
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return apperr.FieldErrors(map[string]string{"reason": "请填写异议理由"})
	case len([]rune(reason)) > maxComment:
		return apperr.FieldErrors(map[string]string{"reason": fmt.Sprintf("异议理由不能超过%d个字", maxComment)})
	}
	return s.run(ctx, func(tx Tx) error {
		it, err := affiliateRequest(ctx, tx, a, id)
		if err != nil {
			return err
		}
		// An objection is a decision on the asking employer's item: like a reviewer's, it takes
		// that employer's year first (issue 13) and reads the item again as the lock leaves it,
		// so it never interleaves with the employer's submission or a reviewer's decision.
		if err := tx.LockYear(ctx, it.EmployerID, it.Year); err != nil {
			return err
		}
		if it, err = affiliateRequest(ctx, tx, a, id); err != nil {
			return err
		}
		if it.Status != rules.ReviewPending {
			if it.Objected {
				return nil // objected already: a double submit changes nothing
			}
			return apperr.New(apperr.Conflict, "该申请已由残联审核（"+it.Status.Label()+"），不能再提出异议；如有异议，请联系残联")
		}
		ok, err := tx.Object(ctx, id, a.UserID, reason)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "该申请刚刚已被审核，请刷新后查看")
		}
		if err := tx.SetAffiliateReview(ctx, it.AffiliateID, rules.ReviewRejected); err != nil {
			return err
		}
		// The requesting employer learns of it: its affiliate will not count.
		if err := tx.PostMessage(ctx, message.New{EmployerID: it.EmployerID, Kind: message.KindAffiliate,
			Title: "关联单位申请被对方单位提出异议：" + it.AffiliateName,
			Body: fmt.Sprintf("贵单位添加的关联单位 %s（%s）已由该单位提出异议，申请不予通过，其记录不计入贵单位。异议理由：%s",
				it.AffiliateName, it.AffiliateCode, reason),
			Link: "/employer"}); err != nil {
			return err
		}
		e := audit.For(a, "review.object", "review_item", fmt.Sprint(id))
		e.Detail = fmt.Sprintf("kind=%s affiliate=%d employer=%s", it.Kind, it.AffiliateID, it.EmployerCode)
		return tx.AppendAudit(ctx, e)
	})
}

// affiliateViewer refuses anyone but an employer the requests naming it.
func affiliateViewer(a actor.Actor) error {
	if a.Role != actor.Employer {
		return apperr.New(apperr.Forbidden, "只有用人单位可以查看关联单位申请")
	}
	return nil
}

// affiliateRequest is the request id among those naming the acting employer, inside tx.
func affiliateRequest(ctx context.Context, tx Tx, a actor.Actor, id int64) (Item, error) {
	list, err := tx.AffiliateRequests(ctx, a.EmployerID)
	if err != nil {
		return Item{}, err
	}
	if i := slices.IndexFunc(list, func(it Item) bool { return it.ID == id }); i >= 0 {
		return list[i], nil
	}
	return Item{}, apperr.NotFoundf("关联单位申请")
}
