// Package audit holds the append-only audit trail's entry type. Entries are written by the store in
// the same transaction as the change they describe, so a change without its record cannot exist.
package audit

import (
	"time"

	"quotacert/internal/actor"
)

// Outcome says whether the audited attempt succeeded.
type Outcome string

// Outcomes.
const (
	Success Outcome = "success"
	Failure Outcome = "failure"
)

// Entry is one audit record. Detail must never hold an unmasked ID or certificate number.
type Entry struct {
	ID         int64
	At         time.Time
	ActorID    int64 // 0 for the system or an anonymous client
	ActorName  string
	Action     string // dotted verb, e.g. "employer.update", "login"
	ObjectType string
	ObjectID   string
	Outcome    Outcome
	ClientAddr string
	Detail     string

	// The jurisdiction of the object, for the administrators' scoped search (scope, DOMAIN.md §7):
	// EmployerID is the employer the object belongs to (For sets it for an employer's own actions),
	// Office the federation office of an object that is not an employer's (a staff account, an
	// office, a notice's target). The store keeps the federation office either names, and the
	// actor's, as of the time of the entry. Neither is shown.
	EmployerID int64
	Office     string
}

// For fills the actor fields of an entry; an employer acts on its own objects.
func For(a actor.Actor, action, objectType, objectID string) Entry {
	e := Entry{ActorID: a.UserID, ActorName: a.Name, Action: action, ObjectType: objectType,
		ObjectID: objectID, Outcome: Success, ClientAddr: a.ClientAddr}
	if a.Role == actor.Employer {
		e.EmployerID = a.EmployerID
	}
	return e
}
