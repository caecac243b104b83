package placement_test

import (
	"context"
	"testing"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
	"quotacert/internal/store"
)

// TestCopyLastYear: 复制上年名单 copies the persons of 2024 into 2025 as drafts with their
// certificate, dispatched flag and agency, the affiliate if still there, the contracts still in
// force and the graduate record; skips with a reason what cannot be copied; copies nothing twice;
// and each draft's grid is 2025's.
func TestCopyLastYear(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		const (
			p02 = "220104199011050461"
			p03 = "22010319790223017X"
			p04 = "220105198309140285"
			p05 = "220106197612080512"
		)
		// A second dispatch agency with its agreement, deleted before the copy.
		err := e.db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO affiliates (id, employer_id, credit_code, name, kind, created_at, updated_at)
                VALUES (4, 1, '91220105MA13W7KE73', '另一派遣单位', 'dispatch', $1, $1)`, now); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO affiliate_files (affiliate_id, file_id) VALUES (4, 'f-6')`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		create := func(year int, in placement.Input) int64 {
			t.Helper()
			id, err := e.svc.Create(ctx, e.emp, year, in)
			if err != nil {
				t.Fatalf("create %s in %d: %v", in.IDNumber, year, err)
			}
			return id
		}
		open := placement.ContractInput{Start: "2023-03-01", FileIDs: []string{"f-1"}}
		a := input(p01, "刘喆", 3, open)
		a.Certificates = []placement.CertificateInput{{Number: p01 + "42", Issued: "2020-01-01", FileIDs: []string{"f-4"}}}
		idA := create(2024, a)
		if _, err := e.svc.SaveMonths(ctx, e.emp, idA, placement.SaveInput{}); err != nil {
			t.Fatal(err)
		}
		idB := create(2024, input(p06, "吴秀兰", 4, placement.ContractInput{Start: "2022-01-01", End: "2024-12-31", FileIDs: []string{"f-2"}}))
		c := input(p02, "孙雅琴", 2, placement.ContractInput{Start: "2021-01-01", End: "2023-12-31", FileIDs: []string{"f-2"}},
			placement.ContractInput{Start: "2024-01-01", End: "2026-12-31", FileIDs: []string{"f-3", "f-5"}})
		c.CertificateKind, c.Grade, c.Dispatched, c.AffiliateID, c.FemaleRetirementAge = "veteran", 2, true, e.dispatchD, 55
		c.Graduate = placement.GraduateInput{School: "长春大学", Degree: "本科", Major: "会计", Graduated: "2012-07-01", DiplomaNumber: "1019012012000123"}
		idC := create(2024, c)
		d := input(p03, "赵国强", 4, open)
		d.AffiliateID = 2 // a subsidiary, deleted before the copy
		idD := create(2024, d)
		ee := input(p04, "钱晓梅", 4, open)
		ee.Dispatched, ee.AffiliateID = true, 4
		idE := create(2024, ee)
		idF := create(2024, input(p05, "周志远", 3, open))
		create(2025, input(p05, "周志远", 3, open))
		if _, err := e.db.SQL().Exec(`UPDATE affiliates SET deleted_at = $1 WHERE id IN (2, 4)`, now); err != nil {
			t.Fatal(err)
		}

		cands, err := e.svc.CopyCandidates(ctx, e.emp, 2025, 2024)
		if err != nil {
			t.Fatal(err)
		}
		skips := map[int64]string{}
		for _, c := range cands {
			skips[c.FromID] = c.Skip
		}
		want := map[int64]string{idA: "", idB: "上年的劳动合同在本业务年度均已到期，请添加新合同后手动登记", idC: "", idD: "",
			idE: "原劳务派遣单位已不在关联单位中，请手动登记", idF: "该人员本业务年度已登记"}
		for id, w := range want {
			if got, ok := skips[id]; !ok || got != w {
				t.Errorf("candidate %d: skip %q, want %q", id, got, w)
			}
		}

		res, err := e.svc.Copy(ctx, e.emp, 2025, placement.CopyInput{FromYear: 2024})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Created) != 3 || len(res.Skipped) != 3 {
			t.Fatalf("copy: %+v", res)
		}
		copyOf := map[int64]int64{}
		for _, c := range res.Created {
			copyOf[c.FromID] = c.ID
		}
		for _, sk := range res.Skipped {
			if sk.Reason != want[sk.FromID] {
				t.Errorf("skipped %d: %q, want %q", sk.FromID, sk.Reason, want[sk.FromID])
			}
		}
		vA, err := e.svc.Get(ctx, e.emp, copyOf[idA])
		if err != nil {
			t.Fatal(err)
		}
		if vA.Year != 2025 || vA.Status != placement.Draft || vA.IsSaved() || len(vA.Certificates) != 0 || len(vA.Contracts) != 1 ||
			vA.Contracts[0].FileIDs[0] != "f-1" || vA.Level != 3 || vA.Result.PassedMonths != 12 {
			t.Errorf("copy of A: %+v passed %d", vA.Placement, vA.Result.PassedMonths)
		}
		vC, err := e.svc.Get(ctx, e.emp, copyOf[idC])
		if err != nil {
			t.Fatal(err)
		}
		if vC.CertificateKind != rules.VeteranCertificate || vC.Grade != 2 || !vC.Dispatched || vC.AffiliateID != e.dispatchD ||
			vC.FemaleRetirementAge != 55 || vC.Graduate.School != "长春大学" || vC.Graduate.Graduated.String() != "2012-07-01" ||
			len(vC.Contracts) != 1 || vC.Contracts[0].Start.String() != "2024-01-01" || len(vC.Contracts[0].FileIDs) != 2 {
			t.Errorf("copy of C: %+v", vC.Placement)
		}
		vD, err := e.svc.Get(ctx, e.emp, copyOf[idD])
		if err != nil || vD.AffiliateID != 0 {
			t.Errorf("copy of D keeps a deleted subsidiary: %d (%v)", vD.AffiliateID, err)
		}

		// Nothing is copied twice.
		again, err := e.svc.Copy(ctx, e.emp, 2025, placement.CopyInput{FromYear: 2024})
		if err != nil || len(again.Created) != 0 || len(again.Skipped) != 6 {
			t.Fatalf("second copy: %+v (%v)", again, err)
		}
		if _, rows, err := e.svc.List(ctx, e.emp, 2025); err != nil || len(rows) != 4 {
			t.Fatalf("2025 has %d placements (%v), want 4", len(rows), err)
		}

		// A chosen subset; ids of another employer or another year are "not found", never copied.
		if err := e.svc.Delete(ctx, e.emp, copyOf[idA]); err != nil {
			t.Fatal(err)
		}
		otherID, err := e.svc.Create(ctx, e.oth, 2024, input(p01, "刘喆", 3, placement.ContractInput{Start: "2023-03-01", FileIDs: []string{e.otherFile}}))
		if err != nil {
			t.Fatal(err)
		}
		sub, err := e.svc.Copy(ctx, e.emp, 2025, placement.CopyInput{FromYear: 2024, PlacementIDs: []int64{idA, idA, otherID, copyOf[idC]}})
		if err != nil || len(sub.Created) != 1 || sub.Created[0].FromID != idA || len(sub.Skipped) != 2 {
			t.Fatalf("subset: %+v (%v)", sub, err)
		}
		for _, sk := range sub.Skipped {
			if sk.Reason != "未找到该人员的上年登记" {
				t.Errorf("skipped %d: %q", sk.FromID, sk.Reason)
			}
		}
		var audits int
		if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'placement.copy'`).Scan(&audits); err != nil || audits != 4 {
			t.Errorf("copy audits %d (%v), want 4", audits, err)
		}
	})
}

func TestCopyRefusals(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		if _, err := e.svc.Create(ctx, e.emp, 2024, input(p01, "刘喆", 3)); err != nil {
			t.Fatal(err)
		}
		reviewer := actor.Actor{UserID: 99, Name: "rev", Role: actor.Reviewer, Office: "220000"}
		cases := []struct {
			name string
			a    actor.Actor
			year int
			in   placement.CopyInput
			code apperr.Code
		}{
			{"staff", reviewer, 2025, placement.CopyInput{FromYear: 2024}, apperr.Forbidden},
			{"from the same year", e.emp, 2025, placement.CopyInput{FromYear: 2025}, apperr.Invalid},
			{"from a later year", e.emp, 2024, placement.CopyInput{FromYear: 2025}, apperr.Invalid},
			{"unknown source year", e.emp, 2025, placement.CopyInput{FromYear: 2019}, apperr.NotFound},
			{"unknown target year", e.emp, 2031, placement.CopyInput{FromYear: 2024}, apperr.NotFound},
		}
		for _, c := range cases {
			if _, err := e.svc.Copy(ctx, c.a, c.year, c.in); apperr.CodeOf(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		// Another employer sees none of employer 1's persons.
		if cands, err := e.svc.CopyCandidates(ctx, e.oth, 2025, 2024); err != nil || len(cands) != 0 {
			t.Errorf("other employer's candidates %+v (%v)", cands, err)
		}
		// A submitted target year takes no copies.
		if _, err := e.db.SQL().Exec(`INSERT INTO declarations (employer_id, year, status) VALUES (1, 2025, 'submitted')
            ON CONFLICT (employer_id, year) DO UPDATE SET status = 'submitted'`); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Copy(ctx, e.emp, 2025, placement.CopyInput{FromYear: 2024}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("submitted year: %v", err)
		}
		if _, rows, err := e.svc.List(ctx, e.emp, 2025); err != nil || len(rows) != 0 {
			t.Errorf("refused copies wrote %d placements (%v)", len(rows), err)
		}
	})
}
