package employer

import (
	"context"
	"fmt"
	"quotacert/internal/readtx"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/idnum"
	"quotacert/internal/message"
	"quotacert/internal/rules"
)

// maxAffiliateFiles bounds the attachments of one affiliate; real cases need one or two.
const maxAffiliateFiles = 20

// Affiliates lists the acting employer's live affiliates, oldest first.
func (s *Service) Affiliates(ctx context.Context, a actor.Actor) ([]Affiliate, error) {
	id, err := employerOf(a)
	if err != nil {
		return nil, err
	}
	var out []Affiliate
	err = s.run(readtx.Mark(ctx), func(tx Tx) error {
		out, err = tx.Affiliates(ctx, id)
		return err
	})
	return out, err
}

// Affiliate returns one live affiliate of the acting employer; another employer's is not found.
func (s *Service) Affiliate(ctx context.Context, a actor.Actor, affiliateID int64) (Affiliate, error) {
	id, err := employerOf(a)
	if err != nil {
		return Affiliate{}, err
	}
	var out Affiliate
	err = s.run(ctx, func(tx Tx) error {
		var ok bool
		out, ok, err = tx.Affiliate(ctx, id, affiliateID)
		if err != nil {
			return err
		}
		if !ok || out.Deleted {
			return apperr.NotFoundf("关联单位")
		}
		return nil
	})
	return out, err
}

// AddAffiliate records a new affiliate with its attachments. Posting the same affiliate twice (a
// double submit) returns the first one unchanged instead of failing or duplicating it.
func (s *Service) AddAffiliate(ctx context.Context, a actor.Actor, in AffiliateInput) (Affiliate, error) {
	empID, err := employerOf(a)
	if err != nil {
		return Affiliate{}, err
	}
	var out Affiliate
	err = s.run(ctx, func(tx Tx) error {
		next, files, fields, err := validateAffiliate(ctx, tx, empID, in)
		if err != nil {
			return err
		}
		if _, bad := fields["creditCode"]; !bad {
			dup, ok, err := tx.LiveAffiliateByCode(ctx, empID, next.CreditCode)
			if err != nil {
				return err
			}
			if ok {
				if len(fields) == 0 && sameAffiliate(dup, next, files) {
					out = dup
					return nil
				}
				fields["creditCode"] = "该统一社会信用代码的关联单位已添加，请编辑已有记录"
			}
		}
		if len(fields) > 0 {
			return apperr.FieldErrors(fields)
		}
		now := tx.Now()
		next.EmployerID, next.CreatedAt, next.UpdatedAt, next.Review = empID, now, now, rules.ReviewPending
		if next.ID, err = tx.InsertAffiliate(ctx, next); err != nil {
			return err
		}
		if err := tx.SetAffiliateFiles(ctx, next.ID, fileIDs(files)); err != nil {
			return err
		}
		next.Files = files
		// Its records count only once the federation approves it (DOMAIN.md §6).
		if err := tx.OpenAffiliateReview(ctx, next, requestYear(now)); err != nil {
			return err
		}
		if err := tellRegistered(ctx, tx, empID, next); err != nil {
			return err
		}
		e := audit.For(a, "affiliate.create", "affiliate", strconv.FormatInt(next.ID, 10))
		e.Detail = fmt.Sprintf("kind=%s files=%d review=%s", next.Kind, len(files), next.Review)
		if err := tx.AppendAudit(ctx, e); err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}

// UpdateAffiliate changes an affiliate. A locked affiliate (used by a submitted declaration) keeps
// its credit code and every attachment it had; new attachments may still be added.
func (s *Service) UpdateAffiliate(ctx context.Context, a actor.Actor, affiliateID int64, in AffiliateInput) (Affiliate, error) {
	empID, err := employerOf(a)
	if err != nil {
		return Affiliate{}, err
	}
	var out Affiliate
	err = s.run(ctx, func(tx Tx) error {
		cur, ok, err := tx.Affiliate(ctx, empID, affiliateID)
		if err != nil {
			return err
		}
		if !ok || cur.Deleted {
			return apperr.NotFoundf("关联单位")
		}
		next, files, fields, err := validateAffiliate(ctx, tx, empID, in)
		if err != nil {
			return err
		}
		if _, bad := fields["creditCode"]; !bad && next.CreditCode != cur.CreditCode {
			if cur.Locked {
				fields["creditCode"] = "该关联单位已用于已完成的申报，统一社会信用代码不能修改"
			} else if _, dup, err := tx.LiveAffiliateByCode(ctx, empID, next.CreditCode); err != nil {
				return err
			} else if dup {
				fields["creditCode"] = "该统一社会信用代码的关联单位已添加"
			}
		}
		if cur.Locked {
			var kept []string
			for _, f := range cur.Files {
				if !slices.ContainsFunc(files, func(n FileRef) bool { return n.ID == f.ID }) {
					kept = append(kept, f.Name)
				}
			}
			if len(kept) > 0 {
				fields["fileIds"] = "该关联单位已用于已完成的申报，附件只能新增不能删除：" + strings.Join(kept, "、")
			}
		}
		if len(fields) > 0 {
			return apperr.FieldErrors(fields)
		}
		if sameAffiliate(cur, next, files) {
			out = cur
			return nil
		}
		next.ID, next.EmployerID, next.Locked, next.CreatedAt = cur.ID, empID, cur.Locked, cur.CreatedAt
		next.UpdatedAt = tx.Now()
		next.Review, next.Decision = cur.Review, cur.Decision
		reopen := reopensReview(cur, next)
		if reopen {
			// The request names the credit code and kind it is for: a pending one for the old
			// code is withdrawn, and the reviewer decides on what the affiliate is now.
			if _, err := tx.WithdrawAffiliateReview(ctx, cur.ID); err != nil {
				return err
			}
			next.Review, next.Decision = rules.ReviewPending, AffiliateDecision{}
		}
		if err := tx.UpdateAffiliate(ctx, next); err != nil {
			return err
		}
		if err := tx.SetAffiliateFiles(ctx, next.ID, fileIDs(files)); err != nil {
			return err
		}
		next.Files = files
		if reopen {
			if err := tx.OpenAffiliateReview(ctx, next, requestYear(next.UpdatedAt)); err != nil {
				return err
			}
			if err := tellRegistered(ctx, tx, empID, next); err != nil {
				return err
			}
		}
		e := audit.For(a, "affiliate.update", "affiliate", strconv.FormatInt(next.ID, 10))
		e.Detail = fmt.Sprintf("kind=%s files=%d review=%s", next.Kind, len(files), next.Review)
		if reopen {
			e.Detail += " reopened"
		}
		if err := tx.AppendAudit(ctx, e); err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}

// DeleteAffiliate soft-deletes an affiliate: placements that referred to it keep their history.
// Deleting one already deleted succeeds without change (a double submit is harmless); a locked
// affiliate cannot be deleted, since a certified result rests on it.
func (s *Service) DeleteAffiliate(ctx context.Context, a actor.Actor, affiliateID int64) error {
	empID, err := employerOf(a)
	if err != nil {
		return err
	}
	return s.run(ctx, func(tx Tx) error {
		cur, ok, err := tx.Affiliate(ctx, empID, affiliateID)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			return apperr.NotFoundf("关联单位")
		case cur.Deleted:
			return nil
		case cur.Locked:
			return apperr.New(apperr.Conflict, "该关联单位已用于已完成的申报，不能删除")
		}
		if err := tx.DeleteAffiliate(ctx, empID, affiliateID); err != nil {
			return err
		}
		// A request still waiting is withdrawn with it: there is nothing left to decide.
		n, err := tx.WithdrawAffiliateReview(ctx, affiliateID)
		if err != nil {
			return err
		}
		e := audit.For(a, "affiliate.delete", "affiliate", strconv.FormatInt(affiliateID, 10))
		e.Detail = fmt.Sprintf("withdrawn=%d", n)
		return tx.AppendAudit(ctx, e)
	})
}

// reopensReview reports whether saving next over cur is a new request for review: a changed credit
// code (a different unit) or kind (a dispatch agreement is not proof of a subsidiary), or any change
// of an affiliate whose review was rejected (new proof for a second look). An approved or pending
// affiliate keeps its review when only the name or the attachments change: a pending request
// shows the reviewer the attachments as they are.
func reopensReview(cur, next Affiliate) bool {
	return cur.CreditCode != next.CreditCode || cur.Kind != next.Kind || cur.Review == rules.ReviewRejected
}

// requestYear is the business year a request is counted in: the one being declared at now (the
// year before, in China).
func requestYear(now time.Time) int { return rules.ChinaDate(now).Year - 1 }

// validateAffiliate checks an affiliate input against the employer's own data and files.
func validateAffiliate(ctx context.Context, tx Tx, empID int64, in AffiliateInput) (Affiliate, []FileRef, map[string]string, error) {
	fields := map[string]string{}
	next := Affiliate{Name: strings.TrimSpace(in.Name), Kind: in.Kind}
	code := strings.TrimSpace(in.CreditCode)
	if code == "" {
		fields["creditCode"] = "请填写关联单位的统一社会信用代码"
	} else if c, err := idnum.ParseCreditCode(code); err != nil {
		fields["creditCode"] = err.Error()
	} else {
		next.CreditCode = c
		own, err := tx.Profile(ctx, empID)
		if err != nil {
			return next, nil, nil, err
		}
		if c == own.CreditCode {
			fields["creditCode"] = "关联单位不能是本单位，请填写子公司或劳务派遣单位的统一社会信用代码"
		}
	}
	switch {
	case next.Name == "":
		fields["name"] = "请填写关联单位名称"
	case utf8.RuneCountInString(next.Name) > maxName:
		fields["name"] = fmt.Sprintf("关联单位名称不能超过 %d 个字", maxName)
	case strings.ContainsFunc(next.Name, isControl):
		fields["name"] = "关联单位名称含有不可见的控制字符"
	}
	if next.Kind != KindSubsidiary && next.Kind != KindDispatch {
		fields["kind"] = "请选择关联类型：子公司或劳务派遣单位"
	}
	var ids []string
	for _, id := range in.FileIDs {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	var files []FileRef
	switch {
	case len(ids) == 0:
		fields["fileIds"] = "请上传至少一个附件（劳务派遣协议或关联关系证明材料）"
	case len(ids) > maxAffiliateFiles:
		fields["fileIds"] = fmt.Sprintf("附件不能超过 %d 个", maxAffiliateFiles)
	default:
		var err error
		if files, err = tx.OwnedFiles(ctx, empID, ids); err != nil {
			return next, nil, nil, err
		}
		if len(files) != len(ids) {
			fields["fileIds"] = "附件不存在或无权使用，请重新上传"
		}
	}
	return next, files, fields, nil
}

// sameAffiliate reports whether saving next with files would change nothing.
func sameAffiliate(cur, next Affiliate, files []FileRef) bool {
	if cur.CreditCode != next.CreditCode || cur.Name != next.Name || cur.Kind != next.Kind || len(cur.Files) != len(files) {
		return false
	}
	for _, f := range files {
		if !slices.ContainsFunc(cur.Files, func(c FileRef) bool { return c.ID == f.ID }) {
			return false
		}
	}
	return true
}

func fileIDs(files []FileRef) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.ID
	}
	return out
}

// tellRegistered posts a message to the registered unit whose credit code an affiliate request
// names: it may object (DOMAIN.md §6), so it must learn of the request.
func tellRegistered(ctx context.Context, tx Tx, requester int64, af Affiliate) error {
	id, found, err := tx.EmployerByCode(ctx, af.CreditCode)
	if err != nil || !found || id == requester {
		return err
	}
	own, err := tx.Profile(ctx, requester)
	if err != nil {
		return err
	}
	return tx.PostMessage(ctx, message.New{EmployerID: id, Kind: message.KindAffiliate,
		Title: "有单位申请将贵单位登记为其关联单位：" + own.Name,
		Body: fmt.Sprintf("%s（%s）申请将贵单位登记为其%s，贵单位的工资和社保记录将计入该单位。如有异议，请在残联审核前提出。",
			own.Name, own.CreditCode, KindLabel(af.Kind)),
		Link: "/"}) // the home page lists the requests naming the unit, with the objection
}
