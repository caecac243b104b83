package exchange_test

import (
	"strings"
	"testing"

	"quotacert/internal/apperr"
	"quotacert/internal/exchange"
	"quotacert/internal/rules"
	"quotacert/internal/store"
)

// certsWithKind is a certificates file with the optional columns kind and grade (CONTRACT.md): a
// 残疾人证 row with kind empty, one with kind disability, and 残疾军人证 rows giving the grade in
// level, in grade, or in both; two persons hold the same free-text veteran number.
const certsWithKind = "idNumber,name,gender,certificateNumber,category,level,issued,validUntil,status,kind,grade\n" +
	idMale + ",刘喆,男," + idMale + "43,4,3,2019-03-18,2029-03-17,有效,,\n" +
	idMale + ",刘喆,男,吉军残字第012345号,,3,2012-01-01,2025-06-30,有效,veteran,\n" +
	idFemale + ",孙雅琴,女," + idFemale + "12,1,2,2018-06-01,,有效,disability,\n" +
	idFemale + ",孙雅琴,女,吉军残字第012345号,,,2015-01-01,,有效,veteran,7\n" +
	idFemale + ",孙雅琴,女,JL-0042,,10,2016-01-01,,注销,veteran,10\n"

// TestVeteranCertificatesImport: a certificates file with kind and grade imports 残疾军人证 keyed
// by (person, kind, number); the Source reads them back with their kind and grade; re-importing
// changes nothing; the masked copy in the table hides the free-text number.
func TestVeteranCertificatesImport(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		res := mustImport(t, svc, exchange.Certificates, certsWithKind)
		if res.Rows != 5 {
			t.Fatalf("rows %d", res.Rows)
		}
		male := certificatesOf(t, svc, idMale)
		if len(male) != 2 {
			t.Fatalf("male certificates %+v", male)
		}
		vet := male[0] // oldest issue first
		if vet.Kind != rules.VeteranCertificate || vet.Grade != 3 || vet.Category != 0 || vet.Level != 0 ||
			vet.Number != "吉军残字第012345号" || vet.ValidUntil != (rules.Date{Year: 2025, Month: 6, Day: 30}) {
			t.Errorf("veteran certificate %+v", vet)
		}
		if r := vet.Rule(); r.Kind != rules.VeteranCertificate || r.Grade != 3 || !r.Severe() || !r.Active {
			t.Errorf("rule %+v", r)
		}
		if dis := male[1]; dis.Kind != rules.DisabilityCertificate || dis.Category != 4 || dis.Level != 3 || dis.Grade != 0 {
			t.Errorf("disability certificate %+v", dis)
		}
		female := certificatesOf(t, svc, idFemale)
		if len(female) != 3 {
			t.Fatalf("female certificates %+v", female)
		}
		grades := map[string]int{}
		for _, c := range female {
			grades[c.Number] = c.Grade
		}
		if grades["吉军残字第012345号"] != 7 || grades["JL-0042"] != 10 {
			t.Errorf("female grades %v", grades)
		}
		for _, row := range dump(t, db, "registry_certificates") {
			if strings.Contains(row, "012345") || strings.Contains(row, "JL-0042") || strings.Contains(row, idMale) {
				t.Errorf("a number in clear in the table: %s", row)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM registry_certificates WHERE kind = 'veteran' AND category IS NULL AND level IS NULL AND grade IS NOT NULL`); n != 3 {
			t.Errorf("%d veteran rows stored without category and level", n)
		}
		before := snapshot(t, db)
		mustImport(t, svc.WithBatchSize(1), exchange.Certificates, certsWithKind)
		sameState(t, snapshot(t, db), withAccepted(before, 1))

		// A corrected grade updates the row in place (same key), no second row.
		mustImport(t, svc, exchange.Certificates, strings.Replace(certsWithKind, ",veteran,7\n", ",veteran,6\n", 1))
		if n := count(t, db, `SELECT COUNT(*) FROM registry_certificates`); n != 5 {
			t.Errorf("%d rows after the correction", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM registry_certificates WHERE grade = 6`); n != 1 {
			t.Errorf("grade not updated: %d", n)
		}

		// The nine columns of CONTRACT.md still import as they always did.
		mustImport(t, svc, exchange.Certificates, goodFiles[exchange.Certificates])
	})
}

func TestVeteranCertificateBadRows(t *testing.T) {
	header := "idNumber,name,gender,certificateNumber,category,level,issued,validUntil,status,kind,grade\n"
	vet := idMale + ",刘喆,男,吉军残字第012345号,,3,2012-01-01,,有效,veteran,"
	cases := []struct {
		name, file string
		want       []string
	}{
		{"unknown kind", header + strings.Replace(vet, "veteran", "army", 1) + "\n", []string{"row 2: kind: 应为空、disability"}},
		{"veteran with a category", header + strings.Replace(vet, ",,3,", ",4,3,", 1) + "\n", []string{"row 2: category: 残疾军人证没有残疾类别"}},
		{"veteran without grade", header + strings.Replace(vet, ",,3,", ",,,", 1) + "\n", []string{"row 2: grade: 残疾军人证须填写伤残等级"}},
		{"veteran grade 11", header + strings.Replace(vet, ",,3,", ",,11,", 1) + "\n", []string{"row 2: level: 伤残等级应为 1 到 10 的整数"}},
		{"veteran grade 0 in grade", header + strings.Replace(vet, ",,3,", ",,,", 1) + "0\n", []string{"row 2: grade: 伤残等级应为 1 到 10 的整数"}},
		{"level and grade disagree", header + vet + "4\n", []string{"row 2: grade: 与 level 列的伤残等级不一致"}},
		{"level and grade agree", header + vet + "3\n", nil},
		{"veteran number one character", header + strings.Replace(vet, "吉军残字第012345号", "1", 1) + "\n", []string{"row 2: certificateNumber: 残疾军人证号应为2至32个字符"}},
		{"veteran number empty", header + strings.Replace(vet, "吉军残字第012345号", "", 1) + "\n", []string{"row 2: certificateNumber: 不能为空"}},
		{"disability with a grade", header + idMale + ",刘喆,男," + idMale + "43,4,3,2019-03-18,,有效,,2\n", []string{"row 2: grade: 残疾人证没有伤残等级"}},
		{"disability level 5 still refused", header + idMale + ",刘喆,男," + idMale + "43,4,5,2019-03-18,,有效,disability,\n", []string{"row 2: level: 应为 1 到 4 的整数"}},
		{"same veteran number twice for one person", header + vet + "\n" + strings.Replace(vet, "2012-01-01", "2013-01-01", 1) + "\n", []string{"row 3: certificateNumber: 与第 2 行重复"}},
		{"short row: optional columns empty", "idNumber,name,gender,certificateNumber,category,level,issued,validUntil,status,kind\n" + idMale + ",刘喆,男," + idMale + "43,4,3,2019-03-18,,有效\n", nil},
	}
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res, err := importString(t, svc, exchange.Certificates, "c.csv", c.file)
				if c.want == nil {
					if err != nil {
						t.Fatalf("rejected: %v %v", err, res.Errors)
					}
					return
				}
				if apperr.CodeOf(err) != apperr.Invalid || len(res.Errors) != len(c.want) {
					t.Fatalf("err %v errors %v, want %v", err, res.Errors, c.want)
				}
				for i, w := range c.want {
					if got := res.Errors[i].String(); !strings.HasPrefix(got, w) {
						t.Errorf("error %d = %q, want prefix %q", i, got, w)
					}
					if strings.Contains(res.Errors[i].String(), "012345") {
						t.Errorf("error %d reveals the number", i)
					}
				}
			})
		}
	})
}
