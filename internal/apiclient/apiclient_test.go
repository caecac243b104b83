package apiclient_test

import (
	"context"
	"testing"

	"quotacert/internal/actor"
	"quotacert/internal/apiclient"
	"quotacert/internal/apperr"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestScope: an administrator of 吉林市残联 registers and manages clients of the tax offices in its
// region only, never a province-wide one; the root administrator manages all. Refusals are 403 (or
// 404 for a client outside the jurisdiction, whose existence is not revealed) and audited.
func TestScope(t *testing.T) {
	storetest.Each(t, storetest.Options{Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := apiclient.NewService(store.APIClientRunner(db))
		root := actor.Actor{Name: "root", Role: actor.Admin, Office: "220000"}
		city := actor.Actor{Name: "jladmin", Role: actor.Admin, Office: "220200"}
		reviewer := actor.Actor{Name: "rev", Role: actor.Reviewer, Office: "220000"}

		cc, _, err := svc.Register(ctx, root, apiclient.Input{Name: "长春市税务局", TaxOffice: "12201000000"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Register(ctx, city, apiclient.Input{Name: "省税务局"}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("city admin registers a province client: %v", err)
		}
		if _, _, err := svc.Register(ctx, city, apiclient.Input{Name: "长春", TaxOffice: "12201020000"}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("city admin registers another city's client: %v", err)
		}
		if _, _, err := svc.Register(ctx, reviewer, apiclient.Input{Name: "x", TaxOffice: "12201020000"}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("reviewer registers: %v", err)
		}
		own, token, err := svc.Register(ctx, city, apiclient.Input{Name: "昌邑区税务局", TaxOffice: "12202020000"})
		if err != nil || own.Office != "220200" {
			t.Fatalf("city admin's own client: %+v %v", own, err)
		}
		if _, _, err := svc.Register(ctx, city, apiclient.Input{Name: " ", TaxOffice: "nope"}); len(apperr.As(err).Fields) != 2 {
			t.Fatalf("bad input: %v", err)
		}
		list, err := svc.List(ctx, city)
		if err != nil || len(list) != 1 || list[0].ID != own.ID {
			t.Fatalf("city list: %+v %v", list, err)
		}
		if list, _ := svc.List(ctx, root); len(list) != 2 {
			t.Fatalf("root list: %+v", list)
		}
		if _, _, err := svc.Rotate(ctx, city, cc.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("city admin rotates another city's client: %v", err)
		}
		if err := svc.Revoke(ctx, city, cc.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("city admin revokes another city's client: %v", err)
		}
		var refused int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action LIKE 'apiclient.%' AND outcome = 'failure'`).Scan(&refused); err != nil || refused != 5 {
			t.Fatalf("%d audited refusals (%v), want 5", refused, err)
		}

		// The token resolves to the client's actor, with its scope; a rotation ends the old token.
		a, err := svc.Authenticate(ctx, token, "10.9.9.9")
		if err != nil || a.Role != actor.APIClient || a.Client != own.ID || a.TaxOffice != "12202020000" || a.Office != "220200" || a.Role.Valid() {
			t.Fatalf("authenticate: %+v %v", a, err)
		}
		_, rotated, err := svc.Rotate(ctx, city, own.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, token, ""); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Fatalf("old token: %v", err)
		}
		if c, err := svc.Get(ctx, city, own.ID); err != nil || c.LastUsedAddr != "10.9.9.9" || c.RotatedAt.IsZero() {
			t.Fatalf("client after use and rotation: %+v %v", c, err)
		}
		if err := svc.Revoke(ctx, city, own.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, rotated, ""); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Fatalf("revoked token: %v", err)
		}
		// The name is free again once revoked.
		if _, _, err := svc.Register(ctx, city, apiclient.Input{Name: "昌邑区税务局", TaxOffice: "12202020000"}); err != nil {
			t.Fatalf("re-register after revocation: %v", err)
		}
	})
}
