// Package message is the employers' message center (消息中心): what happened to their items — a
// review decision, a returned placement, a reopen decision, an affiliate request, a deadline
// coming — one message each, read by every account of the employer, with an unread count in the
// page header. A message is posted by the use case that decides, in its transaction; when the
// employer gave a contact e-mail the same transaction queues the mail in the outbox, and the
// Sender (sender.go) mails it in the background, at most once.
package message

import (
	"context"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/readtx"
)

// Kind is what a message is about.
type Kind string

// The kinds of messages (messages.kind).
const (
	KindReview    Kind = "review"    // a decision on a claim or a manual certificate
	KindReturn    Kind = "return"    // a placement returned (退回)
	KindReopen    Kind = "reopen"    // a decision on a reopen request (年审认证反馈)
	KindAffiliate Kind = "affiliate" // an affiliate request: decided, or naming this unit
	KindDeadline  Kind = "deadline"  // 申报期将于…截止
)

// Label is the kind's Chinese name.
func (k Kind) Label() string {
	switch k {
	case KindReview:
		return "审核结果"
	case KindReturn:
		return "人员退回"
	case KindReopen:
		return "年审认证反馈"
	case KindAffiliate:
		return "关联单位"
	case KindDeadline:
		return "截止提醒"
	}
	return string(k)
}

// Message is one message of an employer.
type Message struct {
	ID         int64
	EmployerID int64
	Kind       Kind
	Title      string
	Body       string
	Link       string // a same-site path where the employer acts on it ("" for none)
	CreatedAt  time.Time
	ReadAt     time.Time // zero: unread
}

// Unread reports whether nobody of the employer has opened the message.
func (m Message) Unread() bool { return m.ReadAt.IsZero() }

// New is a message to post. Dedupe, when not empty, names the message so that posting it again
// (a reminder generated on several instances) adds nothing.
type New struct {
	EmployerID int64
	Kind       Kind
	Title      string
	Body       string
	Link       string
	Dedupe     string
}

// Tx is the message center's port over one transaction.
type Tx interface {
	Now() time.Time
	// Messages lists an employer's messages, newest first, at most limit.
	Messages(ctx context.Context, employerID int64, limit int) ([]Message, error)
	// Message loads one message of the employer; found is false when it has none of that id.
	Message(ctx context.Context, employerID, id int64) (m Message, found bool, err error)
	// UnreadMessages counts an employer's unread messages.
	UnreadMessages(ctx context.Context, employerID int64) (int, error)
	// MarkRead marks one message of the employer (id 0: every one) read at; it returns how many
	// were unread.
	MarkRead(ctx context.Context, employerID, id int64, at time.Time) (int, error)
}

// Service runs the message center's use cases.
type Service struct {
	run func(ctx context.Context, fn func(Tx) error) error
}

// NewService wires the service to the store's transaction runner.
func NewService(run func(ctx context.Context, fn func(Tx) error) error) *Service {
	return &Service{run: run}
}

// MaxList bounds the messages a page lists.
const MaxList = 200

func employerOf(a actor.Actor) (int64, error) {
	if a.Role != actor.Employer || a.EmployerID == 0 {
		return 0, apperr.New(apperr.Forbidden, "只有用人单位账号有消息中心")
	}
	return a.EmployerID, nil
}

// List returns the acting employer's messages, newest first, and how many are unread.
func (s *Service) List(ctx context.Context, a actor.Actor) (list []Message, unread int, err error) {
	id, err := employerOf(a)
	if err != nil {
		return nil, 0, err
	}
	err = s.run(ctx, func(tx Tx) error {
		if list, err = tx.Messages(ctx, id, MaxList); err != nil {
			return err
		}
		unread, err = tx.UnreadMessages(ctx, id)
		return err
	})
	return list, unread, err
}

// Unread counts the acting employer's unread messages, for the header; staff have none.
func (s *Service) Unread(ctx context.Context, a actor.Actor) (int, error) {
	if a.Role != actor.Employer || a.EmployerID == 0 {
		return 0, nil
	}
	var n int
	// Every employer page counts them for its header: a read, never on the writer.
	err := s.run(readtx.Mark(ctx), func(tx Tx) error {
		var err error
		n, err = tx.UnreadMessages(ctx, a.EmployerID)
		return err
	})
	return n, err
}

// MarkRead marks one message (id > 0) or all of them (id 0) read. Another employer's message does
// not exist for the actor; marking a read message again changes nothing (a double submit). Reading
// is not audited: a message holds nothing the employer may not see, and it changes no decision.
func (s *Service) MarkRead(ctx context.Context, a actor.Actor, id int64) error {
	emp, err := employerOf(a)
	if err != nil {
		return err
	}
	if id < 0 {
		return apperr.NotFoundf("消息")
	}
	return s.run(ctx, func(tx Tx) error {
		if id > 0 {
			if _, found, err := tx.Message(ctx, emp, id); err != nil {
				return err
			} else if !found {
				return apperr.NotFoundf("消息")
			}
		}
		_, err := tx.MarkRead(ctx, emp, id, tx.Now())
		return err
	})
}
