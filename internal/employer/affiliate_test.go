package employer_test

import (
	"context"
	"strings"
	"testing"

	"quotacert/internal/apperr"
	"quotacert/internal/employer"
)

func TestAffiliateLifecycle(t *testing.T) {
	setup(t, func(t *testing.T, e env) {
		ctx := context.Background()
		insertFile(t, e.db, "f1", e.emp.EmployerID)
		insertFile(t, e.db, "f2", e.emp.EmployerID)
		insertFile(t, e.db, "theirs", e.otherEmp)

		in := employer.AffiliateInput{CreditCode: strings.ToLower(otherCode), Name: "福州派遣服务有限公司",
			Kind: employer.KindDispatch, FileIDs: []string{"f1"}}
		a, err := e.svc.AddAffiliate(ctx, e.emp, in)
		if err != nil {
			t.Fatal(err)
		}
		if a.CreditCode != otherCode || len(a.Files) != 1 || a.Files[0].Name != "f1.pdf" {
			t.Errorf("added = %+v", a)
		}
		// A double submit returns the same affiliate and writes nothing more.
		again, err := e.svc.AddAffiliate(ctx, e.emp, in)
		if err != nil || again.ID != a.ID {
			t.Errorf("double add = %+v, %v", again, err)
		}
		if n := auditCount(t, e.db, "affiliate.create"); n != 1 {
			t.Errorf("create audits = %d", n)
		}
		// The same code with different details is a duplicate.
		dup := in
		dup.Name = "别的名字"
		if f := fieldsOf(t, errOf(e.svc.AddAffiliate(ctx, e.emp, dup))); f["creditCode"] == "" {
			t.Errorf("duplicate fields = %v", f)
		}

		// Edit: new name and a second file, then drop the first file.
		in.Name, in.FileIDs = "福州派遣服务有限公司（更名）", []string{"f1", "f2"}
		if a, err = e.svc.UpdateAffiliate(ctx, e.emp, a.ID, in); err != nil || len(a.Files) != 2 {
			t.Fatalf("update = %+v, %v", a, err)
		}
		in.FileIDs = []string{"f2"}
		if a, err = e.svc.UpdateAffiliate(ctx, e.emp, a.ID, in); err != nil || len(a.Files) != 1 || a.Files[0].ID != "f2" {
			t.Fatalf("update = %+v, %v", a, err)
		}
		list, err := e.svc.Affiliates(ctx, e.emp)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Name != in.Name || len(list[0].Files) != 1 {
			t.Errorf("list = %+v", list)
		}
		// Another employer sees nothing and cannot edit or delete it.
		if l, err := e.svc.Affiliates(ctx, e.other); err != nil || len(l) != 0 {
			t.Errorf("other employer sees %v (%v)", l, err)
		}
		if _, err := e.svc.UpdateAffiliate(ctx, e.other, a.ID, in); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("other's update: %v", err)
		}
		if err := e.svc.DeleteAffiliate(ctx, e.other, a.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("other's delete: %v", err)
		}
		// Delete twice: both succeed, one audit entry, the row stays (soft delete).
		for i := 0; i < 2; i++ {
			if err := e.svc.DeleteAffiliate(ctx, e.emp, a.ID); err != nil {
				t.Fatalf("delete %d: %v", i, err)
			}
		}
		if n := auditCount(t, e.db, "affiliate.delete"); n != 1 {
			t.Errorf("delete audits = %d", n)
		}
		if l, err := e.svc.Affiliates(ctx, e.emp); err != nil || len(l) != 0 {
			t.Errorf("deleted affiliate still listed (%v)", err)
		}
		if _, err := e.svc.Affiliate(ctx, e.emp, a.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("deleted affiliate: %v", err)
		}
		var rows int
		if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM affiliates WHERE deleted_at IS NOT NULL`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 1 {
			t.Errorf("soft-deleted rows = %d", rows)
		}
		// After deletion the code is free again.
		if _, err := e.svc.AddAffiliate(ctx, e.emp, in); err != nil {
			t.Errorf("re-add after delete: %v", err)
		}
	})
}

func errOf(_ employer.Affiliate, err error) error { return err }

func TestAffiliateValidation(t *testing.T) {
	cases := []struct {
		name  string
		field string
		set   func(*employer.AffiliateInput)
	}{
		{"own credit code", "creditCode", func(in *employer.AffiliateInput) { in.CreditCode = ownCode }},
		{"own credit code lower case", "creditCode", func(in *employer.AffiliateInput) { in.CreditCode = strings.ToLower(ownCode) }},
		{"bad checksum", "creditCode", func(in *employer.AffiliateInput) { in.CreditCode = "91350100M000100Y44" }},
		{"missing code", "creditCode", func(in *employer.AffiliateInput) { in.CreditCode = "" }},
		{"missing name", "name", func(in *employer.AffiliateInput) { in.Name = " " }},
		{"bad kind", "kind", func(in *employer.AffiliateInput) { in.Kind = "partner" }},
		{"no attachment", "fileIds", func(in *employer.AffiliateInput) { in.FileIDs = nil }},
		{"unknown attachment", "fileIds", func(in *employer.AffiliateInput) { in.FileIDs = []string{"nope"} }},
		{"another employer's attachment", "fileIds", func(in *employer.AffiliateInput) { in.FileIDs = []string{"theirs"} }},
	}
	setup(t, func(t *testing.T, e env) {
		insertFile(t, e.db, "f1", e.emp.EmployerID)
		insertFile(t, e.db, "theirs", e.otherEmp)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := employer.AffiliateInput{CreditCode: otherCode, Name: "子公司", Kind: employer.KindSubsidiary, FileIDs: []string{"f1"}}
				c.set(&in)
				f := fieldsOf(t, errOf(e.svc.AddAffiliate(context.Background(), e.emp, in)))
				if len(f) != 1 || f[c.field] == "" {
					t.Errorf("fields = %v, want %s", f, c.field)
				}
			})
		}
		if n := auditCount(t, e.db, "affiliate.create"); n != 0 {
			t.Errorf("refused adds wrote %d audits", n)
		}
		var n int
		if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM affiliates`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("refused adds left %d rows", n)
		}
	})
}

func TestLockedAffiliate(t *testing.T) {
	setup(t, func(t *testing.T, e env) {
		ctx := context.Background()
		insertFile(t, e.db, "f1", e.emp.EmployerID)
		insertFile(t, e.db, "f2", e.emp.EmployerID)
		in := employer.AffiliateInput{CreditCode: otherCode, Name: "子公司", Kind: employer.KindSubsidiary, FileIDs: []string{"f1"}}
		a, err := e.svc.AddAffiliate(ctx, e.emp, in)
		if err != nil {
			t.Fatal(err)
		}
		// A submitted declaration used it (set by the declaration package).
		if _, err := e.db.SQL().Exec(`UPDATE affiliates SET locked = TRUE WHERE id = $1`, a.ID); err != nil {
			t.Fatal(err)
		}
		changeCode := in
		changeCode.CreditCode = thirdCode
		if f := fieldsOf(t, errOf(e.svc.UpdateAffiliate(ctx, e.emp, a.ID, changeCode))); !strings.Contains(f["creditCode"], "不能修改") {
			t.Errorf("code change on locked: %v", f)
		}
		removeFile := in
		removeFile.FileIDs = []string{"f2"}
		if f := fieldsOf(t, errOf(e.svc.UpdateAffiliate(ctx, e.emp, a.ID, removeFile))); !strings.Contains(f["fileIds"], "f1.pdf") {
			t.Errorf("file removal on locked: %v", f)
		}
		addFile := in
		addFile.FileIDs, addFile.Name = []string{"f1", "f2"}, "子公司（新名称）"
		got, err := e.svc.UpdateAffiliate(ctx, e.emp, a.ID, addFile)
		if err != nil || len(got.Files) != 2 || !got.Locked || got.Name != addFile.Name {
			t.Errorf("adding a file to locked = %+v, %v", got, err)
		}
		if err := e.svc.DeleteAffiliate(ctx, e.emp, a.ID); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("delete locked: %v", err)
		}
		if l, err := e.svc.Affiliates(ctx, e.emp); err != nil || len(l) != 1 || len(l[0].Files) != 2 || l[0].CreditCode != otherCode {
			t.Errorf("locked affiliate after refused changes = %+v (%v)", l, err)
		}
	})
}
