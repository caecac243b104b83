package placement_test

import (
	"context"
	"strings"
	"testing"

	"quotacert/internal/apperr"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

func importRow(line int, in placement.Input, agency string) placement.ImportRow {
	return placement.ImportRow{Line: line, Input: in, AffiliateCode: agency}
}

// TestImportAllOrNothing: a file with one bad row creates nothing and lists every error as
// `第N行 字段: 原因` (and as fields keyed "row N"); the corrected file creates every draft, whose
// contracts wait for their attachments before the months can be saved.
func TestImportAllOrNothing(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		open := []placement.ContractInput{{Start: "2023-03-01"}}
		vet := placement.Input{IDNumber: "220104199011050461", Name: "孙雅琴", CertificateKind: "veteran", Grade: 3, Dispatched: true,
			FemaleRetirementAge: 55, Contracts: open}
		rows := []placement.ImportRow{
			importRow(3, placement.Input{IDNumber: p01, Name: "刘喆", Category: 4, Level: 3, Contracts: open}, ""),
			importRow(4, vet, "91220104ma17dpq346"),
			importRow(5, placement.Input{IDNumber: "220102198603270621", Name: "吴秀兰", Category: 3, Level: 9, Contracts: open}, ""),
			importRow(6, placement.Input{IDNumber: p01, Name: "刘喆", Category: 4, Level: 3, Contracts: open}, ""),
		}
		res, err := e.svc.Import(ctx, e.emp, 2025, placement.ImportInput{FileName: "名单.xlsx", SHA256: "abc", Rows: rows})
		if apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("bad file: %v", err)
		}
		var got []string
		for _, re := range res.Errors {
			got = append(got, re.String())
		}
		want := []string{"第5行 身份证号: 身份证号校验位错误", "第5行 残疾等级: 请选择残疾等级", "第6行 身份证号: 与第3行是同一人员"}
		if len(got) != len(want) {
			t.Fatalf("errors %q, want %q", got, want)
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("error %d = %q, want %q", i, got[i], want[i])
			}
		}
		f := apperr.As(err).Fields
		if !strings.Contains(f["row 5"], "残疾等级") || !strings.Contains(f["row 5"], "身份证号") || f["row 6"] == "" || f["row 3"] != "" {
			t.Errorf("fields %v", f)
		}
		if _, rows, _ := e.svc.List(ctx, e.emp, 2025); len(rows) != 0 {
			t.Fatalf("a rejected file wrote %d placements", len(rows))
		}
		rec, errs, err := e.svc.ImportErrors(ctx, e.emp, res.ImportID)
		if err != nil || rec.Accepted || rec.ErrorCount != 3 || len(errs) != 3 || errs[0] != res.Errors[0] || rec.FileName != "名单.xlsx" {
			t.Fatalf("kept attempt %+v %v (%v)", rec, errs, err)
		}
		if _, _, err := e.svc.ImportErrors(ctx, e.oth, res.ImportID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("another employer reads the errors: %v", err)
		}

		// Corrected: every row is a draft.
		rows[2].Input.IDNumber, rows[2].Input.Level = p06, 4
		rows = rows[:3]
		res, err = e.svc.Import(ctx, e.emp, 2025, placement.ImportInput{FileName: "名单.xlsx", SHA256: "abd", Rows: rows})
		if err != nil || len(res.Created) != 3 {
			t.Fatalf("good file: %v %+v", err, res)
		}
		v, err := e.svc.Get(ctx, e.emp, res.Created[1])
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != placement.Draft || v.CertificateKind != rules.VeteranCertificate || v.Grade != 3 || !v.Dispatched ||
			v.AffiliateID != e.dispatchD || v.FemaleRetirementAge != 55 || len(v.Contracts) != 1 || len(v.Contracts[0].FileIDs) != 0 {
			t.Fatalf("imported veteran %+v", v.Placement)
		}
		// Its months wait for the contract's attachment.
		_, err = e.svc.SaveMonths(ctx, e.emp, res.Created[0], placement.SaveInput{})
		if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(fieldsOf(err)["contracts"], "尚未上传附件") {
			t.Fatalf("months of an imported placement without attachment: %v", err)
		}
		in := rows[0].Input
		in.Contracts = []placement.ContractInput{{Start: "2023-03-01", FileIDs: []string{"f-1"}}}
		if err := e.svc.Update(ctx, e.emp, res.Created[0], in); err != nil {
			t.Fatal(err)
		}
		if st, err := e.svc.SaveMonths(ctx, e.emp, res.Created[0], placement.SaveInput{}); err != nil || st != placement.Confirmed {
			t.Fatalf("after the attachment: %v %v", st, err)
		}
		// The same file again: every person is registered already, nothing is created.
		_, err = e.svc.Import(ctx, e.emp, 2025, placement.ImportInput{FileName: "名单.xlsx", SHA256: "abd", Rows: rows})
		if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(apperr.As(err).Fields["row 3"], "已登记") {
			t.Fatalf("second import: %v", err)
		}
		if _, all, _ := e.svc.List(ctx, e.emp, 2025); len(all) != 3 {
			t.Fatalf("%d placements after a repeated import", len(all))
		}
		var audits int
		if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'placement.import'`).Scan(&audits); err != nil || audits != 5 {
			t.Errorf("import audits %d (%v): want 3 creations and 2 rejections", audits, err)
		}
	})
}

func TestImportRefusals(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ok := placement.Input{IDNumber: p01, Name: "刘喆", Category: 4, Level: 3, Dispatched: true, Contracts: []placement.ContractInput{{Start: "2023-03-01"}}}
		cases := []struct {
			name string
			in   placement.ImportInput
			want string
		}{
			{"header only", placement.ImportInput{}, "文件没有数据行"},
			{"the reader's errors", placement.ImportInput{Errors: []placement.RowError{{Line: 4, Field: "残疾等级", Reason: "不能使用公式，请直接填写内容"}}},
				"第4行 残疾等级: 不能使用公式"},
			{"unknown agency", placement.ImportInput{Rows: []placement.ImportRow{importRow(2, ok, "91220105MA13W7KE73")}}, "第2行 劳务派遣单位统一社会信用代码: 不是本单位的关联单位"},
			{"a subsidiary as agency", placement.ImportInput{Rows: []placement.ImportRow{importRow(2, ok, "91220106MA15RG8N3X")}}, "须选择劳务派遣单位类型"},
			{"dispatched without agency", placement.ImportInput{Rows: []placement.ImportRow{importRow(2, ok, "")}}, "第2行 劳务派遣单位统一社会信用代码: 劳务派遣人员须选择"},
			{"agency of a non-dispatched person", placement.ImportInput{Rows: []placement.ImportRow{importRow(2,
				placement.Input{IDNumber: p01, Name: "刘喆", Category: 4, Level: 3, Contracts: ok.Contracts}, "91220104MA17DPQ346")}}, "非劳务派遣人员不填写"},
			{"no contract", placement.ImportInput{Rows: []placement.ImportRow{importRow(2, placement.Input{IDNumber: p01, Name: "刘喆", Category: 4, Level: 3}, "")}}, "第2行 劳动合同: 请至少添加一份劳动合同"},
		}
		for _, c := range cases {
			res, err := e.svc.Import(ctx, e.emp, 2025, c.in)
			if apperr.CodeOf(err) != apperr.Invalid || len(res.Errors) == 0 || !strings.HasPrefix(res.Errors[0].String(), c.want) &&
				!strings.Contains(res.Errors[0].String(), c.want) {
				t.Errorf("%s: %v %v, want %q", c.name, err, res.Errors, c.want)
			}
		}
		many := make([]placement.ImportRow, placement.MaxImportRows+1)
		if _, err := e.svc.Import(ctx, e.emp, 2025, placement.ImportInput{Rows: many}); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("too many rows: %v", err)
		}
		if _, err := e.db.SQL().Exec(`INSERT INTO declarations (employer_id, year, status) VALUES (1, 2025, 'submitted')
            ON CONFLICT (employer_id, year) DO UPDATE SET status = 'submitted'`); err != nil {
			t.Fatal(err)
		}
		good := placement.Input{IDNumber: p01, Name: "刘喆", Category: 4, Level: 3, Contracts: ok.Contracts}
		if _, err := e.svc.Import(ctx, e.emp, 2025, placement.ImportInput{Rows: []placement.ImportRow{importRow(2, good, "")}}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("submitted year: %v", err)
		}
		if _, rows, _ := e.svc.List(ctx, e.emp, 2025); len(rows) != 0 {
			t.Errorf("refused imports wrote %d placements", len(rows))
		}
	})
}
