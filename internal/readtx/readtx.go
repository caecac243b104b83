// Package readtx marks a unit of work as read-only. A domain service that only reads wraps the
// context it hands to its transaction runner with Mark; the store then runs the transaction without
// the write lock (SQLite: a deferred transaction on the read pool; PostgreSQL: READ ONLY). A write
// attempted inside a marked transaction fails loudly in the database instead of being allowed, so a
// wrong mark is a test failure, never a silent serialisation.
//
// The mark is a property of one call, not of a request: services mark the context they pass to the
// runner and keep the caller's context unmarked, so a write that follows a read is not refused.
package readtx

import "context"

type key struct{}

// Mark returns ctx marked read-only.
func Mark(ctx context.Context) context.Context { return context.WithValue(ctx, key{}, true) }

// Marked reports whether ctx carries the read-only mark.
func Marked(ctx context.Context) bool {
	v, _ := ctx.Value(key{}).(bool)
	return v
}
