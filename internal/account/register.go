package account

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/employer"
	"quotacert/internal/idnum"
)

// RegisterInput is an employer's self-registration (CONTRACT.md POST /register).
type RegisterInput struct {
	CreditCode   string
	Name         string
	ContactName  string
	ContactPhone string
	Password     string
	Password2    string // the HTML form's confirmation; the API may leave it empty
	CaptchaID    string
	Captcha      string
	ClientAddr   string
}

// Register creates the employer and its login in one transaction. The captcha is consumed first;
// every other field is checked and reported together.
func (s *Service) Register(ctx context.Context, in RegisterInput) (actor.Actor, error) {
	if !s.cfg.LocalRegister {
		err := s.run(ctx, func(tx Tx) error {
			a := actor.Actor{Name: safeName(strings.TrimSpace(in.CreditCode)), ClientAddr: in.ClientAddr}
			return s.auditFailure(ctx, tx, a, "register", "local registration is off (--local-register off)")
		})
		if err != nil {
			return actor.Actor{}, fmt.Errorf("register: %w", err)
		}
		return actor.Actor{}, apperr.New(apperr.Forbidden, MsgLocalRegisterOff)
	}
	fields := map[string]string{}
	code, err := idnum.ParseCreditCode(strings.TrimSpace(in.CreditCode))
	switch {
	case strings.TrimSpace(in.CreditCode) == "":
		fields["creditCode"] = "请输入统一社会信用代码"
	case err != nil:
		fields["creditCode"] = err.Error()
	}
	in.Name = strings.TrimSpace(in.Name)
	in.ContactName = strings.TrimSpace(in.ContactName)
	in.ContactPhone = strings.TrimSpace(in.ContactPhone)
	checkText(fields, "name", in.Name, "单位名称", 2, 100)
	checkText(fields, "contactName", in.ContactName, "经办人姓名", 2, 30)
	if in.ContactPhone == "" {
		fields["contactPhone"] = "请输入经办人电话"
	} else if !employer.ValidPhone(in.ContactPhone) {
		fields["contactPhone"] = "请输入 11 位手机号或带区号的固定电话，如 0431-88886666"
	}
	if in.Password == "" {
		fields["password"] = "请输入密码"
	} else if why := s.policy.Check(in.Password, code, in.Name, in.ContactName); why != "" {
		fields["password"] = why
	} else if in.Password2 != "" && in.Password2 != in.Password {
		fields["password2"] = "两次输入的密码不一致"
	}
	if s.cfg.CaptchaRequired && strings.TrimSpace(in.Captcha) == "" {
		fields["captcha"] = "请输入验证码"
	}
	attempt := actor.Actor{Name: safeName(code), ClientAddr: in.ClientAddr}
	if code == "" {
		attempt.Name = safeName(strings.TrimSpace(in.CreditCode))
	}

	var refused error
	err = s.run(ctx, func(tx Tx) error {
		refused = nil
		now := tx.Now()
		bucket := addrBucket("login", AddrPrefix(in.ClientAddr)) // shares the network limit with logins
		n, err := tx.ThrottleCount(ctx, bucket, now.Add(-s.cfg.AddrWindow))
		if err != nil {
			return err
		}
		if n >= s.cfg.AddrMaxFailures {
			refused = apperr.Throttledf(MsgThrottled, s.cfg.AddrWindow)
			return nil
		}
		if s.cfg.CaptchaRequired && fields["captcha"] == "" {
			ok, err := s.takeCaptcha(ctx, tx, in.CaptchaID, in.Captcha)
			if err != nil {
				return err
			}
			if !ok {
				fields["captcha"] = MsgCaptcha
			}
		}
		// Whether a code is registered is revealed only to a solved captcha, so it cannot be
		// harvested by a script.
		if fields["creditCode"] == "" && fields["captcha"] == "" {
			u, err := tx.UserByUsername(ctx, code)
			if err == nil {
				fields["creditCode"] = "该统一社会信用代码已注册，请直接登录；如忘记密码请联系所在地残联"
				if s.cfg.Platform {
					// The platform vouched for this code's employer: nobody registers it here.
					linked, err := tx.PlatformLinked(ctx, u.ID)
					if err != nil {
						return err
					}
					if linked {
						fields["creditCode"] = MsgPlatformKnown
					}
				}
			} else if !isNotFound(err) {
				return err
			}
		}
		if len(fields) > 0 {
			refused = apperr.FieldErrors(fields)
			if _, err := tx.ThrottleHit(ctx, bucket, now, now.Add(-s.cfg.AddrWindow)); err != nil {
				return err
			}
			return s.auditFailure(ctx, tx, attempt, "register", "invalid input: "+fieldNames(fields))
		}
		return nil
	})
	if err != nil {
		return actor.Actor{}, fmt.Errorf("register phase 1: %w", err)
	}
	if refused != nil {
		return actor.Actor{}, refused
	}
	hash, err := s.hasher.HashAs(ctx, code, AddrPrefix(in.ClientAddr), in.Password)
	if err != nil {
		return actor.Actor{}, err
	}
	var created actor.Actor
	err = s.run(ctx, func(tx Tx) error {
		eid, err := tx.InsertEmployer(ctx, NewEmployer{CreditCode: code, Name: in.Name, ContactName: in.ContactName, ContactPhone: in.ContactPhone})
		if err != nil {
			return err
		}
		now := tx.Now()
		uid, err := tx.InsertUser(ctx, User{Username: code, Role: actor.Employer, EmployerID: eid, PasswordHash: hash, CreatedAt: now})
		if err != nil {
			return err
		}
		created = actor.Actor{UserID: uid, Name: code, Role: actor.Employer, EmployerID: eid, ClientAddr: in.ClientAddr}
		e := audit.For(created, "register", "employer", fmt.Sprint(eid))
		e.Detail = safeName(in.Name)
		return tx.AppendAudit(ctx, e)
	})
	if err != nil {
		if s.isUnique(err) { // a double submit or a race with another registration of the same code
			return actor.Actor{}, &apperr.Error{Code: apperr.Conflict, Message: "该统一社会信用代码已注册，请直接登录",
				Fields: map[string]string{"creditCode": "该统一社会信用代码已注册"}}
		}
		return actor.Actor{}, fmt.Errorf("register %s: %w", code, err)
	}
	return created, nil
}

func checkText(fields map[string]string, key, v, label string, min, max int) {
	n := utf8.RuneCountInString(v)
	switch {
	case n == 0:
		fields[key] = "请输入" + label
	case n < min || n > max:
		fields[key] = fmt.Sprintf("%s应为 %d 到 %d 个字", label, min, max)
	case strings.ContainsAny(v, "<>\x00\r\n"):
		fields[key] = label + "含有不允许的字符"
	case idnum.ContainsIDLike(v):
		// A resident ID number has no place here, and it would end up unmasked in lists and logs.
		fields[key] = label + "不能包含身份证号"
	}
}

func fieldNames(fields map[string]string) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	// sorted for stable audit details
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	return strings.Join(names, ",")
}
