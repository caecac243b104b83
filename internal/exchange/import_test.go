package exchange_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/exchange"
	"quotacert/internal/rules"
	"quotacert/internal/store"
)

const (
	idMale   = "22010219880712035X" // P01 of the demo registry, male
	idFemale = "220104199011050461" // P02, female
	codeE    = "91220101MA14U8XK2R"
	codeD    = "91220104MA17DPQ346"
	codeX    = "91220105MA13W7KE73"
)

var goodFiles = map[exchange.Kind]string{
	exchange.Certificates: "idNumber,name,gender,certificateNumber,category,level,issued,validUntil,status\n" +
		idMale + ",刘喆,男," + idMale + "43,4,3,2019-03-18,2029-03-17,有效\n" +
		idFemale + ",孙雅琴,女," + idFemale + "12,1,2,2018-06-01,,有效\n" +
		idFemale + ",孙雅琴,女," + idFemale + "12B1,1,2,2024-06-01,,注销\n",
	exchange.Wages: "idNumber,creditCode,month,amount\n" +
		idMale + "," + codeE + ",2025-01,2600.00\n" +
		idMale + "," + codeE + ",2025-02,2600.5\n" +
		idMale + "," + codeD + ",2025-02,100\n" +
		strings.ToLower(idMale) + "," + strings.ToLower(codeX) + ",2025-03,0\n",
	exchange.Social: "idNumber,creditCode,month\n" +
		idMale + "," + codeE + ",2025-01\n" + idMale + "," + codeX + ",2025-02\n",
	exchange.Medical: "idNumber,creditCode,month\n" +
		idFemale + "," + codeE + ",2025-12\n",
	exchange.MinWage: "region,from,amount\n22,2024-10,1780\n2201,2024-10,2120.00\n220102,2025-01,2200\n",
}

var tableOf = map[exchange.Kind]string{
	exchange.Certificates: "registry_certificates", exchange.Wages: "registry_wages",
	exchange.Social: "registry_social", exchange.Medical: "registry_medical", exchange.MinWage: "minimum_wages",
}

func dataRows(s string) int { return strings.Count(strings.TrimRight(s, "\n"), "\n") }

// TestImportGoodFilesCSVAndXLSX imports every kind as CSV and as XLSX into separate databases'
// tables and checks both give the same rows, the row counts and the history entry.
func TestImportGoodFilesCSVAndXLSX(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		ctx := context.Background()
		for _, kind := range exchange.Kinds() {
			content := goodFiles[kind]
			res := mustImport(t, svc, kind, content)
			if res.Rows != dataRows(content) || !res.Accepted() || res.ImportID == 0 || len(res.SHA256) != 64 {
				t.Fatalf("%s: result %+v", kind, res)
			}
			csvState := dump(t, db, tableOf[kind])
			if len(csvState) != res.Rows {
				t.Fatalf("%s: %d rows in %s, want %d", kind, len(csvState), tableOf[kind], res.Rows)
			}
			if _, err := db.SQL().Exec(`DELETE FROM ` + tableOf[kind]); err != nil {
				t.Fatal(err)
			}
			xres, err := svc.Import(ctx, admin, kind, string(kind)+".XLSX", bytes.NewReader(xlsxOf(t, content)), exchange.Options{})
			if err != nil {
				t.Fatalf("%s xlsx: %v %v", kind, err, xres.Errors)
			}
			if got := dump(t, db, tableOf[kind]); strings.Join(got, "\n") != strings.Join(csvState, "\n") {
				t.Errorf("%s: xlsx state %v differs from csv %v", kind, got, csvState)
			}
		}
		hist, err := svc.History(ctx, admin, 100)
		if err != nil || len(hist) != 2*len(exchange.Kinds()) {
			t.Fatalf("history %d entries, %v", len(hist), err)
		}
		if h := hist[0]; h.Kind != exchange.MinWage || h.FileName != "minwage.XLSX" || h.Actor != "admin" ||
			h.Rows != 3 || !h.Accepted() || !h.CreatedAt.Equal(t0) || len(h.SHA256) != 64 {
			t.Errorf("newest history entry %+v", h)
		}
		// Identifiers are stored sealed and masked, never in clear.
		if n := count(t, db, `SELECT COUNT(*) FROM registry_certificates WHERE cert_masked = $1`, "220102**********5X43"); n != 1 {
			var masks []string
			rows, err := db.SQL().Query(`SELECT cert_masked FROM registry_certificates`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var m string
				if err := rows.Scan(&m); err != nil {
					t.Fatal(err)
				}
				masks = append(masks, m)
			}
			rows.Close()
			t.Errorf("masked certificate numbers %v", masks)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'exchange.import' AND outcome = 'success'`); n != 10 {
			t.Errorf("audit entries %d, want 10", n)
		}
	})
}

// TestSourceReadsImportedRecords checks the Source the checks read through.
func TestSourceReadsImportedRecords(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		for _, kind := range exchange.Kinds() {
			mustImport(t, svc, kind, goodFiles[kind])
		}
		certs := certificatesOf(t, svc, strings.ToLower(idFemale))
		if len(certs) != 2 {
			t.Fatalf("certificates %+v", certs)
		}
		if c := certs[0]; c.Number != idFemale+"12" || c.IDNumber != idFemale || c.Name != "孙雅琴" || c.Gender != "女" ||
			c.Level != 2 || c.Category != 1 || !c.ValidUntil.IsZero() || c.Issued != (rules.Date{Year: 2018, Month: 6, Day: 1}) ||
			!c.Rule().Active {
			t.Errorf("first certificate %+v", c)
		}
		if certs[1].Status != "注销" || certs[1].Rule().Active {
			t.Errorf("reissue %+v", certs[1])
		}
		if none := certificatesOf(t, svc, "220102199003070013"); len(none) != 0 {
			t.Errorf("unknown person: %v", none)
		}
		jan, dec := rules.MonthOf(2025, 1), rules.MonthOf(2025, 12)
		p := paymentsOf(t, svc, idMale, []string{codeE, strings.ToLower(codeD)}, jan, dec)
		wantWages := []rules.Wage{{Month: jan, Amount: 260000}, {Month: jan + 1, Amount: 260050}, {Month: jan + 1, Amount: 10000}}
		if len(p.Wages) != 3 || p.Wages[0] != wantWages[0] || p.Wages[1] != wantWages[1] || p.Wages[2] != wantWages[2] {
			t.Errorf("wages %+v", p.Wages)
		}
		// X's records never count for payers E and D; the social payment of X is excluded.
		if len(p.Social) != 1 || p.Social[0] != jan || len(p.Medical) != 0 {
			t.Errorf("social %v medical %v", p.Social, p.Medical)
		}
		p = paymentsOf(t, svc, idMale, []string{codeE}, jan+1, dec)
		if len(p.Wages) != 1 || len(p.Social) != 0 {
			t.Errorf("from February: %+v", p)
		}
	})
}

// TestBadRows lists one bad row per rule and checks the exact report and that nothing was written.
func TestBadRows(t *testing.T) {
	certHeader := "idNumber,name,gender,certificateNumber,category,level,issued,validUntil,status\n"
	good := idMale + ",刘喆,男," + idMale + "43,4,3,2019-03-18,2029-03-17,有效"
	cases := []struct {
		name string
		kind exchange.Kind
		file string
		want []string
	}{
		{"id checksum", exchange.Wages, "idNumber,creditCode,month,amount\n530102192005080119," + codeE + ",2025-01,1\n",
			[]string{"row 2: idNumber: 身份证号校验位错误"}},
		{"id length", exchange.Social, "idNumber,creditCode,month\n2201," + codeE + ",2025-01\n",
			[]string{"row 2: idNumber: 身份证号应为18位"}},
		{"id birth in future", exchange.Medical, "idNumber,creditCode,month\n110105209912310023," + codeE + ",2025-01\n",
			[]string{"row 2: idNumber: "}},
		{"credit code", exchange.Wages, "idNumber,creditCode,month,amount\n" + idMale + ",91220101MA14U8XK2T,2025-01,1\n",
			[]string{"row 2: creditCode: 统一社会信用代码校验位错误"}},
		{"month", exchange.Wages, "idNumber,creditCode,month,amount\n" + idMale + "," + codeE + ",2025-13,1\n",
			[]string{"row 2: month: 月份格式应为YYYY-MM"}},
		{"amount three decimals and negative", exchange.Wages, "idNumber,creditCode,month,amount\n" +
			idMale + "," + codeE + ",2025-01,1.234\n" + idMale + "," + codeE + ",2025-02,-5\n",
			[]string{"row 2: amount: 金额格式错误（以元为单位，最多两位小数）", "row 3: amount: 金额不能为负数"}},
		{"empty fields", exchange.Social, "idNumber,creditCode,month\n,,\n" + idMale + "," + codeE + ",2025-01\n",
			nil}, // a wholly blank line is skipped, not an error
		{"blank field", exchange.Social, "idNumber,creditCode,month\n" + idMale + ",,2025-01\n",
			[]string{"row 2: creditCode: 不能为空"}},
		{"gender", exchange.Certificates, certHeader + strings.Replace(good, ",男,", ",女,", 1) + "\n" + strings.Replace(good, ",男,", ",M,", 1) + "\n",
			[]string{"row 2: gender: 与身份证号中的性别不一致", "row 3: gender: 应为“男”或“女”"}},
		{"certificate owner", exchange.Certificates, certHeader + idMale + ",刘喆,男," + idFemale + "43,4,3,2019-03-18,,有效\n",
			[]string{"row 2: certificateNumber: 残疾证号前18位与身份证号不一致"}},
		{"certificate format", exchange.Certificates, certHeader + idMale + ",刘喆,男," + idMale + "83,4,3,2019-03-18,,有效\n",
			[]string{"row 2: certificateNumber: 残疾证号格式错误"}},
		{"category and level", exchange.Certificates, certHeader + idMale + ",刘喆,男," + idMale + "43,5,9,2019-03-18,,有效\n",
			[]string{"row 2: category: 与残疾证号中的类别不一致", "row 2: level: 应为 1 到 4 的整数"}},
		{"dates and status", exchange.Certificates, certHeader + idMale + ",刘喆,男," + idMale + "43,4,3,2019-02-30,2018-01-01,作废\n" +
			idMale + ",刘喆,男," + idMale + "43B2,4,3,2019-03-18,2018-01-01,有效\n",
			[]string{"row 2: issued: 日期格式应为YYYY-MM-DD且为真实日期", "row 2: status: 应为“有效”或“注销”",
				"row 3: validUntil: 有效期至早于发证日期"}},
		{"name", exchange.Certificates, certHeader + idMale + ",,男," + idMale + "43,4,3,2019-03-18,,有效\n",
			[]string{"row 2: name: 不能为空"}},
		{"minwage region and amount", exchange.MinWage, "region,from,amount\n221,2024-10,1780\n22,2024-10,0\n",
			[]string{"row 2: region: 应为 2、4 或 6 位行政区划代码前缀", "row 3: amount: 金额应大于 0"}},
		{"missing header columns", exchange.Wages, "idNumber,month,extra\n" + idMale + ",2025-01,x\n",
			[]string{"row 1: creditCode: 表头缺少该列", "row 1: amount: 表头缺少该列"}},
		{"repeated header column", exchange.Social, "idNumber,creditCode,month,IDNUMBER\n",
			[]string{"row 1: idNumber: 表头中该列重复出现"}},
		{"short row", exchange.Wages, "idNumber,creditCode,month,amount\n" + idMale + "," + codeE + "\n",
			[]string{"row 2: month: 缺少该字段", "row 2: amount: 缺少该字段"}},
		{"broken quote", exchange.Social, "idNumber,creditCode,month\n\"" + idMale + "\"x," + codeE + ",2025-01\n" + idMale + "," + codeE + ",2025-02\n",
			[]string{"row 2: CSV格式错误"}},
		{"empty file", exchange.Wages, "", []string{"row 1: 文件为空：缺少表头行"}},
		{"bom only", exchange.Wages, "\ufeff", []string{"row 1: 文件为空：缺少表头行"}},
	}
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		for _, kind := range exchange.Kinds() {
			mustImport(t, svc, kind, goodFiles[kind])
		}
		before := snapshot(t, db)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res, err := importString(t, svc, c.kind, "bad.csv", c.file)
				if c.want == nil {
					if err != nil {
						t.Fatalf("unexpected rejection: %v %v", err, res.Errors)
					}
					return
				}
				if apperr.CodeOf(err) != apperr.Invalid {
					t.Fatalf("err = %v, want invalid", err)
				}
				if res.ErrorCount != len(c.want) || len(res.Errors) != len(c.want) {
					t.Fatalf("errors %v, want %v", res.Errors, c.want)
				}
				for i, w := range c.want {
					if got := res.Errors[i].String(); !strings.HasPrefix(got, w) {
						t.Errorf("error %d = %q, want prefix %q", i, got, w)
					}
					if strings.Contains(res.Errors[i].String(), idMale) {
						t.Errorf("error %d reveals an ID number", i)
					}
				}
				// The attempt is kept with its errors.
				imp, errs, err := svc.Report(context.Background(), admin, res.ImportID)
				if err != nil || imp.Accepted() || imp.ErrorCount != len(c.want) || len(errs) != len(c.want) || errs[0] != res.Errors[0] {
					t.Errorf("report %+v %v %v", imp, errs, err)
				}
			})
		}
		// "empty fields" was accepted (one good social row, already present): same state.
		sameState(t, snapshot(t, db), withAccepted(before, 1))
	})
}

// withAccepted adjusts the expected count of accepted imports.
func withAccepted(s map[string][]string, extra int) map[string][]string {
	out := map[string][]string{}
	for k, v := range s {
		out[k] = v
	}
	var n int
	for _, c := range s["accepted imports"][0] {
		n = n*10 + int(c-'0')
	}
	out["accepted imports"] = []string{itoa(n + extra)}
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// TestEncodingsAndShapes covers a BOM, a GBK file, a header-only file (refused: 文件没有数据行), CRLF line ends, reordered
// and extra columns, and quoted fields.
func TestEncodingsAndShapes(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		ctx := context.Background()
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(goodFiles[exchange.Certificates])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := importString(t, svc, exchange.Certificates, "gbk.csv", gbk); err != nil {
			t.Fatalf("gbk: %v", err)
		}
		certs := certificatesOf(t, svc, idMale)
		if len(certs) != 1 || certs[0].Name != "刘喆" || certs[0].Gender != "男" {
			t.Fatalf("gbk names garbled: %+v", certs)
		}
		bom := "\ufeff" + strings.ReplaceAll(goodFiles[exchange.Social], "\n", "\r\n")
		if res, err := importString(t, svc, exchange.Social, "bom.csv", bom); err != nil || res.Rows != 2 {
			t.Fatalf("bom: %v %+v", err, res)
		}
		res, err := importString(t, svc, exchange.Medical, "header.csv", "idNumber,creditCode,month\n")
		if apperr.CodeOf(err) != apperr.Invalid || len(res.Errors) != 1 || res.Errors[0].String() != "文件没有数据行" {
			t.Fatalf("header-only: %v %+v", err, res)
		}
		shuffled := "note,month,\"amount\",creditCode,idNumber\n\"备注, 含逗号\",2025-04,\"1,000.00\"," + codeE + "," + idMale + "\n"
		res, err = importString(t, svc, exchange.Wages, "w.csv", shuffled)
		if err == nil || res.ErrorCount != 1 || !strings.HasPrefix(res.Errors[0].String(), "row 2: amount: 金额格式错误") {
			t.Fatalf("quoted thousands separator must be an amount error: %+v (%v)", res.Errors, err)
		}
		shuffled = strings.Replace(shuffled, "\"1,000.00\"", " 1000.00 ", 1)
		if res, err := importString(t, svc, exchange.Wages, "w.csv", shuffled); err != nil || res.Rows != 1 {
			t.Fatalf("reordered columns: %v %+v", err, res.Errors)
		}
		p := paymentsOf(t, svc, idMale, []string{codeE}, rules.MonthOf(2025, 4), rules.MonthOf(2025, 4))
		if len(p.Wages) != 1 || p.Wages[0].Amount != 100000 {
			t.Fatalf("wages %+v", p.Wages)
		}
		if _, err := importString(t, svc, exchange.Wages, "w.txt", shuffled); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("unknown extension: %v", err)
		}
		if _, err := importString(t, svc, exchange.Wages, "w.xlsx", "not a zip"); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("broken xlsx: %v", err)
		}
		if _, err := svc.Import(ctx, actorEmployer, exchange.Wages, "w.csv", strings.NewReader(shuffled), exchange.Options{}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("employer import: %v", err)
		}
	})
}

// TestDuplicatesInOneFile finds repeated natural keys inside a batch and across batches.
func TestDuplicatesInOneFile(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		for _, size := range []int{2, 500} {
			small := svc.WithBatchSize(size)
			file := "idNumber,creditCode,month,amount\n" +
				idMale + "," + codeE + ",2025-01,1\n" +
				idMale + "," + codeE + ",2025-02,1\n" +
				idMale + "," + codeE + ",2025-03,1\n" +
				strings.ToLower(idMale) + "," + codeE + ",2025-01,2\n" + // same key after normalising
				idMale + "," + codeD + ",2025-01,1\n"
			res, err := importString(t, small, exchange.Wages, "dup.csv", file)
			if err == nil || res.ErrorCount != 1 || res.Errors[0].Row != 5 || res.Errors[0].Field != "idNumber+creditCode+month" {
				t.Fatalf("batch %d: %v %+v", size, err, res.Errors)
			}
			certs := goodFiles[exchange.Certificates] + idMale + ",刘喆,男," + idMale + "43,4,3,2019-03-18,,有效\n"
			res, err = importString(t, svc.WithBatchSize(size), exchange.Certificates, "c.csv", certs)
			if err == nil || res.ErrorCount != 1 || res.Errors[0].Row != 5 || res.Errors[0].Field != "certificateNumber" {
				t.Fatalf("batch %d certificates: %+v (%v)", size, res.Errors, err)
			}
			mw := goodFiles[exchange.MinWage] + "22,2024-10,1800\n"
			res, err = importString(t, svc.WithBatchSize(size), exchange.MinWage, "m.csv", mw)
			if err == nil || res.ErrorCount != 1 || res.Errors[0].String() != "row 5: region+from: 与第 2 行重复（同一记录出现多次）" {
				t.Fatalf("batch %d minwage: %+v (%v)", size, res.Errors, err)
			}
		}
		for _, table := range registryTables {
			if n := count(t, db, "SELECT COUNT(*) FROM "+table); n != 0 {
				t.Errorf("%s has %d rows after rejected files", table, n)
			}
		}
	})
}

// TestReimportAndUpdate: the same file twice gives the same state; a corrected file updates rows
// in place; a bad file (here cut off mid-row) leaves the previous state intact.
func TestReimportAndUpdate(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		for _, kind := range exchange.Kinds() {
			mustImport(t, svc, kind, goodFiles[kind])
		}
		first := snapshot(t, db)
		for _, kind := range exchange.Kinds() {
			mustImport(t, svc.WithBatchSize(1), kind, goodFiles[kind])
		}
		sameState(t, snapshot(t, db), withAccepted(first, 5))

		changed := strings.Replace(goodFiles[exchange.Wages], "2600.00", "2700.00", 1)
		mustImport(t, svc, exchange.Wages, changed)
		if n := count(t, db, `SELECT COUNT(*) FROM registry_wages WHERE amount_fen = 270000`); n != 1 {
			t.Fatalf("updated amount rows %d", n)
		}
		after := snapshot(t, db)
		cut := changed + idMale + "," + codeE + ",2025-0"
		res, err := importString(t, svc, exchange.Wages, "cut.csv", cut)
		if err == nil || res.ErrorCount != 2 || res.Errors[0].String() != "row 6: month: 月份格式应为YYYY-MM" {
			t.Fatalf("cut-off file: %v %+v", err, res.Errors)
		}
		cut = changed + idMale + "," + codeE
		res, err = importString(t, svc, exchange.Wages, "cut.csv", cut)
		if err == nil || res.ErrorCount != 2 || res.Errors[0].String() != "row 6: month: 缺少该字段（该行列数不足，可能被截断）" {
			t.Fatalf("cut-off file: %+v (%v)", res.Errors, err)
		}
		cut = goodFiles[exchange.Certificates] + idMale + ",\"刘"
		res, err = importString(t, svc, exchange.Certificates, "cut.csv", cut)
		if err == nil || res.ErrorCount != 1 || res.Errors[0].Row != 5 {
			t.Fatalf("cut-off inside quotes: %+v (%v)", res.Errors, err)
		}
		sameState(t, snapshot(t, db), after)
	})
}

// TestDemoRegistryImports loads the demo registry of internal/demo/data through Import.
func TestDemoRegistryImports(t *testing.T) {
	dir := filepath.Join("..", "demo", "data")
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		ctx := context.Background()
		want := map[exchange.Kind]int{exchange.Certificates: 19, exchange.Wages: 215, exchange.Social: 204, exchange.Medical: 201}
		for _, kind := range []exchange.Kind{exchange.Certificates, exchange.Wages, exchange.Social, exchange.Medical} {
			res, err := svc.ImportFile(ctx, system, kind, filepath.Join(dir, string(kind)+".csv"), exchange.Options{})
			if err != nil {
				t.Fatalf("%s: %v %v", kind, err, res.Errors)
			}
			if res.Rows != want[kind] {
				t.Errorf("%s: %d rows, want %d", kind, res.Rows, want[kind])
			}
		}
		// P17 杨堃, the try-me person: certificate level 1, category 4.
		certs := certificatesOf(t, svc, "220102199104210134")
		if len(certs) != 1 || certs[0].Number != "22010219910421013441" || certs[0].Name != "杨堃" {
			t.Fatalf("P17: %+v", certs)
		}
		p := paymentsOf(t, svc, "220102199104210134", []string{codeE, codeD, "91220106MA15RG8N3X"}, rules.MonthOf(2025, 1), rules.MonthOf(2025, 12))
		if len(p.Wages) != 12 || len(p.Social) != 12 || len(p.Medical) != 12 {
			t.Fatalf("P17 payments: %d %d %d", len(p.Wages), len(p.Social), len(p.Medical))
		}
	})
}

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(childMain())
	}
	os.Exit(m.Run())
}

var _ = errors.New

// TestImportsAreProvinceWide: the registry and the minimum wages are province-wide data (package
// scope), so an administrator of a city office may neither import nor read the history; the
// refusals are audited and nothing is written.
func TestImportsAreProvinceWide(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		ctx := context.Background()
		city := actor.Actor{UserID: 2, Name: "cityadmin", Role: actor.Admin, Office: "220100", ClientAddr: "127.0.0.2"}
		_, err := svc.Import(ctx, city, exchange.MinWage, "minwage.csv", strings.NewReader(goodFiles[exchange.MinWage]), exchange.Options{})
		if apperr.CodeOf(err) != apperr.Forbidden || !strings.Contains(apperr.As(err).Message, "吉林省残疾人联合会") {
			t.Fatalf("city admin import: %v", err)
		}
		if _, err := svc.History(ctx, city, 10); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("city admin history: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM minimum_wages`); n != 0 {
			t.Errorf("%d minimum wages written", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM imports`); n != 0 {
			t.Errorf("%d import records written", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE actor_name = 'cityadmin' AND outcome = 'failure'
            AND action IN ('exchange.import', 'exchange.history')`); n != 2 {
			t.Errorf("%d refusals audited, want 2", n)
		}
		mustImport(t, svc, exchange.MinWage, goodFiles[exchange.MinWage])
		if _, err := svc.Import(ctx, admin, exchange.MinWage, "minwage.csv", strings.NewReader(goodFiles[exchange.MinWage]), exchange.Options{}); err != nil {
			t.Errorf("root admin import: %v", err)
		}
	})
}
