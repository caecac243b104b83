package verifycase

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"quotacert/internal/rules"
)

// validCase is a minimal valid case that tests edit with one change.
const validCase = `{
  "year": 2025,
  "region": "220102",
  "minimumWages": [{"region": "22", "from": "2024-01", "amount": 1880}],
  "person": {"idNumber": "220102198001010012", "femaleRetirementAge": 50},
  "dispatched": false,
  "certificates": [{"issued": "2019-05-10", "validUntil": "2029-05-10", "status": "有效", "source": "registry"}],
  "contracts": [{"start": "2024-07-01", "end": null}],
  "wages": [{"month": "2025-01", "amount": 2100}, {"month": "2025-02", "amount": 2100}, {"month": "2025-03", "amount": 2100}],
  "socialInsurance": ["2025-01"],
  "medicalInsurance": ["2025-01"]
}`

// edit replaces old with new in validCase, failing loudly if old is absent
// so a table row cannot silently test the unedited case.
func edit(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(validCase, old) {
		t.Fatalf("validCase lacks %q", old)
	}
	return strings.Replace(validCase, old, new, 1)
}

func TestDecodeValid(t *testing.T) {
	c, err := Decode(strings.NewReader(validCase), today)
	if err != nil {
		t.Fatal(err)
	}
	want := rules.Case{
		Year:         2025,
		Region:       "220102",
		MinimumWages: []rules.MinimumWage{{Region: "22", From: rules.MonthOf(2024, 1), Amount: 188000}},
		Person:       rules.Person{IDNumber: "220102198001010012", BirthDate: rules.Date{Year: 1980, Month: 1, Day: 1}, FemaleRetirementAge: 50},
		Certificates: []rules.Certificate{{Issued: rules.Date{Year: 2019, Month: 5, Day: 10}, ValidUntil: rules.Date{Year: 2029, Month: 5, Day: 10}, Active: true}},
		Contracts:    []rules.Contract{{Start: rules.Date{Year: 2024, Month: 7, Day: 1}}},
		Wages: []rules.Wage{
			{Month: rules.MonthOf(2025, 1), Amount: 210000}, {Month: rules.MonthOf(2025, 2), Amount: 210000}, {Month: rules.MonthOf(2025, 3), Amount: 210000},
		},
		SocialInsurance:  []rules.Month{rules.MonthOf(2025, 1)},
		MedicalInsurance: []rules.Month{rules.MonthOf(2025, 1)},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Decode =\n%+v\nwant\n%+v", c, want)
	}
}

func TestDecodeOptionalsAndDefaults(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		check func(rules.Case) bool
	}{
		{"female age defaults to 50", edit(t, `, "femaleRetirementAge": 50`, ``), func(c rules.Case) bool { return c.Person.FemaleRetirementAge == 50 }},
		{"female age null is the default", edit(t, `"femaleRetirementAge": 50`, `"femaleRetirementAge": null`), func(c rules.Case) bool { return c.Person.FemaleRetirementAge == 50 }},
		{"female age 55", edit(t, `"femaleRetirementAge": 50`, `"femaleRetirementAge": 55`), func(c rules.Case) bool { return c.Person.FemaleRetirementAge == 55 }},
		{"lower-case x normalised", edit(t, `"220102198001010012"`, `"11010519491231002x"`), func(c rules.Case) bool {
			return c.Person.IDNumber == "11010519491231002X" && c.Person.Female && c.Person.BirthDate == rules.Date{Year: 1949, Month: 12, Day: 31}
		}},
		{"source defaults to registry", edit(t, `, "source": "registry"`, ``), func(c rules.Case) bool { return !c.Certificates[0].Manual }},
		{"manual pending", edit(t, `"source": "registry"`, `"source": "manual"`), func(c rules.Case) bool { return c.Certificates[0].Manual && !c.Certificates[0].Approved }},
		{"manual approved", edit(t, `"source": "registry"`, `"source": "manual", "approved": true`), func(c rules.Case) bool { return c.Certificates[0].Manual && c.Certificates[0].Approved }},
		{"cancelled", edit(t, `"有效"`, `"注销"`), func(c rules.Case) bool { return !c.Certificates[0].Active }},
		{"validUntil null", edit(t, `"validUntil": "2029-05-10"`, `"validUntil": null`), func(c rules.Case) bool { return c.Certificates[0].ValidUntil.IsZero() }},
		{"validUntil empty", edit(t, `"validUntil": "2029-05-10"`, `"validUntil": ""`), func(c rules.Case) bool { return c.Certificates[0].ValidUntil.IsZero() }},
		{"validUntil absent", edit(t, `"validUntil": "2029-05-10", `, ``), func(c rules.Case) bool { return c.Certificates[0].ValidUntil.IsZero() }},
		{"level from the number", edit(t, `{"issued"`, `{"number": "22010219800101001262B2", "issued"`), func(c rules.Case) bool {
			return c.Certificates[0].Level == 2 && c.Certificates[0].Number == "22010219800101001262B2"
		}},
		{"explicit level wins", edit(t, `{"issued"`, `{"number": "22010219800101001262", "level": 3, "issued"`), func(c rules.Case) bool { return c.Certificates[0].Level == 3 }},
		{"no number, no level", validCase, func(c rules.Case) bool { return c.Certificates[0].Level == 0 }},
		{"kind defaults to disability", validCase, func(c rules.Case) bool { return !c.Certificates[0].Kind.Veteran() }},
		{"kind disability explicit", edit(t, `{"issued"`, `{"kind": "disability", "level": 2, "issued"`), func(c rules.Case) bool {
			return !c.Certificates[0].Kind.Veteran() && c.Certificates[0].Level == 2 && c.Certificates[0].Grade == 0
		}},
		{"kind null is disability", edit(t, `{"issued"`, `{"kind": null, "level": 1, "issued"`), func(c rules.Case) bool { return !c.Certificates[0].Kind.Veteran() && c.Certificates[0].Level == 1 }},
		{"veteran: level is the grade", edit(t, `{"issued"`, `{"kind": "veteran", "level": 3, "issued"`), func(c rules.Case) bool {
			ct := c.Certificates[0]
			return ct.Kind == rules.VeteranCertificate && ct.Grade == 3 && ct.Level == 0 && ct.Number == ""
		}},
		{"veteran grade 10", edit(t, `{"issued"`, `{"kind": "veteran", "level": 10, "issued"`), func(c rules.Case) bool { return c.Certificates[0].Grade == 10 }},
		{"veteran number is free text", edit(t, `{"issued"`, `{"kind": "veteran", "number": " 吉军残字第０１２３４５号 ", "level": 1, "issued"`), func(c rules.Case) bool {
			return c.Certificates[0].Number == "吉军残字第012345号" && c.Certificates[0].Grade == 1
		}},
		{"veteran number not compared with the ID", edit(t, `{"issued"`, `{"kind": "veteran", "number": "11010519491231002X41", "level": 7, "issued"`), func(c rules.Case) bool {
			return c.Certificates[0].Number == "11010519491231002X41" && c.Certificates[0].Grade == 7
		}},
		{"manual veteran pending", edit(t, `{"issued": "2019-05-10", "validUntil": "2029-05-10", "status": "有效", "source": "registry"}`, `{"kind": "veteran", "level": 2, "issued": "2019-05-10", "status": "有效", "source": "manual"}`), func(c rules.Case) bool {
			return c.Certificates[0].Kind.Veteran() && c.Certificates[0].Manual && !c.Certificates[0].Approved
		}},
		{"contract end given", edit(t, `"end": null`, `"end": "2026-06-30"`), func(c rules.Case) bool { return c.Contracts[0].End == rules.Date{Year: 2026, Month: 6, Day: 30} }},
		{"contract end absent", edit(t, `, "end": null`, ``), func(c rules.Case) bool { return c.Contracts[0].End.IsZero() }},
		{"dispatched", edit(t, `"dispatched": false`, `"dispatched": true`), func(c rules.Case) bool { return c.Dispatched }},
		{"unknown fields ignored", edit(t, `"year": 2025,`, `"year": 2025, "extra": {"deep": [1, 2]}, "Year": "x",`), func(c rules.Case) bool { return c.Year == 2025 }},
		{"arrays may be null", edit(t, `"socialInsurance": ["2025-01"]`, `"socialInsurance": null`), func(c rules.Case) bool { return len(c.SocialInsurance) == 0 }},
		{"amount with 2 decimals", edit(t, `"amount": 2100}, {"month": "2025-02"`, `"amount": 1780.05}, {"month": "2025-02"`), func(c rules.Case) bool { return c.Wages[0].Amount == 178005 }},
		{"amount zero", edit(t, `"amount": 2100}, {"month": "2025-02"`, `"amount": 0}, {"month": "2025-02"`), func(c rules.Case) bool { return c.Wages[0].Amount == 0 }},
		{"amount with trailing zeros", edit(t, `"amount": 2100}, {"month": "2025-02"`, `"amount": 2100.000}, {"month": "2025-02"`), func(c rules.Case) bool { return c.Wages[0].Amount == 210000 }},
		{"amount with exponent", edit(t, `"amount": 2100}, {"month": "2025-02"`, `"amount": 2.1005E3}, {"month": "2025-02"`), func(c rules.Case) bool { return c.Wages[0].Amount == 210050 }},
		{"month outside the year kept", edit(t, `"socialInsurance": ["2025-01"]`, `"socialInsurance": ["2024-12"]`), func(c rules.Case) bool { return c.SocialInsurance[0] == rules.MonthOf(2024, 12) }},
		{"whitespace around the document", "\n\t " + validCase + " \n", func(c rules.Case) bool { return c.Year == 2025 }},
	}
	for _, tt := range tests {
		c, err := Decode(strings.NewReader(tt.in), today)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !tt.check(c) {
			t.Errorf("%s: decoded %+v", tt.name, c)
		}
	}
}

func TestDecodeInvalid(t *testing.T) {
	tests := []struct {
		name, in, path, reason string
	}{
		{"not JSON", `{"year": 2025,`, "", "不是有效的 JSON"},
		{"empty input", ``, "", "不是有效的 JSON"},
		{"not an object", `[1, 2]`, "", "输入应为 JSON 对象"},
		{"null document", `null`, "", "输入应为 JSON 对象"},
		{"trailing data", validCase + `{}`, "", "不是有效的 JSON"},
		{"year missing", edit(t, `"year": 2025,`, ``), "year", "缺少此字段"},
		{"year as string", edit(t, `"year": 2025`, `"year": "2025"`), "year", "应为整数"},
		{"year fractional", edit(t, `"year": 2025`, `"year": 2025.5`), "year", "应为整数"},
		{"year too early", edit(t, `"year": 2025`, `"year": 1999`), "year", "年度应在"},
		{"year too late", edit(t, `"year": 2025`, `"year": 2100`), "year", "年度应在"},
		{"year huge", edit(t, `"year": 2025`, `"year": 99999999999999999999`), "year", "应为整数"},
		{"region missing", edit(t, `"region": "220102",`, ``), "region", "缺少此字段"},
		{"region 4 digits", edit(t, `"region": "220102"`, `"region": "2201"`), "region", "6位数字"},
		{"region letters", edit(t, `"region": "220102"`, `"region": "22010a"`), "region", "6位数字"},
		{"region number", edit(t, `"region": "220102"`, `"region": 220102`), "region", "应为字符串"},
		{"minimumWages not array", edit(t, `"minimumWages": [{"region": "22", "from": "2024-01", "amount": 1880}]`, `"minimumWages": {}`), "minimumWages", "应为数组"},
		{"minimumWages element not object", edit(t, `[{"region": "22", "from": "2024-01", "amount": 1880}]`, `[1]`), "minimumWages[0]", "应为对象"},
		{"minimum wage region 3 digits", edit(t, `{"region": "22", "from"`, `{"region": "220", "from"`), "minimumWages[0].region", "2、4或6位数字"},
		{"minimum wage region empty", edit(t, `{"region": "22", "from"`, `{"region": "", "from"`), "minimumWages[0].region", "2、4或6位数字"},
		{"minimum wage from bad", edit(t, `"from": "2024-01"`, `"from": "2024-1"`), "minimumWages[0].from", "YYYY-MM"},
		{"minimum wage from a date", edit(t, `"from": "2024-01"`, `"from": "2024-01-01"`), "minimumWages[0].from", "YYYY-MM"},
		{"minimum wage amount missing", edit(t, `, "amount": 1880`, ``), "minimumWages[0].amount", "缺少此字段"},
		{"minimum wage amount string", edit(t, `"amount": 1880`, `"amount": "1880"`), "minimumWages[0].amount", "应为数字"},
		{"person missing", edit(t, `"person": {"idNumber": "220102198001010012", "femaleRetirementAge": 50},`, ``), "person", "缺少此字段"},
		{"person not object", edit(t, `"person": {"idNumber": "220102198001010012", "femaleRetirementAge": 50}`, `"person": "x"`), "person", "应为对象"},
		{"id missing", edit(t, `"idNumber": "220102198001010012", `, ``), "person.idNumber", "缺少此字段"},
		{"id checksum", edit(t, `"220102198001010012"`, `"220102198001010013"`), "person.idNumber", "身份证号校验位错误"},
		{"id DOMAIN vector invalid", edit(t, `"220102198001010012"`, `"530102192005080119"`), "person.idNumber", "身份证号校验位错误"},
		{"id short", edit(t, `"220102198001010012"`, `"22010219800101001"`), "person.idNumber", "18位"},
		{"id born in the future", edit(t, `"220102198001010012"`, `"220102202603020014"`), "person.idNumber", "晚于当前日期"},
		{"female age 60", edit(t, `"femaleRetirementAge": 50`, `"femaleRetirementAge": 60`), "person.femaleRetirementAge", "50 或 55"},
		{"female age string", edit(t, `"femaleRetirementAge": 50`, `"femaleRetirementAge": "55"`), "person.femaleRetirementAge", "应为整数"},
		{"dispatched string", edit(t, `"dispatched": false`, `"dispatched": "no"`), "dispatched", "true 或 false"},
		{"certificates not array", edit(t, `"certificates": [`, `"certificates": 5, "x": [`), "certificates", "应为数组"},
		{"certificate issued missing", edit(t, `"issued": "2019-05-10", `, ``), "certificates[0].issued", "缺少此字段"},
		{"certificate issued unreal", edit(t, `"issued": "2019-05-10"`, `"issued": "2019-02-29"`), "certificates[0].issued", "真实日期"},
		{"certificate validUntil unreal", edit(t, `"validUntil": "2029-05-10"`, `"validUntil": "2029-05-32"`), "certificates[0].validUntil", "真实日期"},
		{"certificate validUntil before issued", edit(t, `"validUntil": "2029-05-10"`, `"validUntil": "2019-05-09"`), "certificates[0].validUntil", "早于发证日期"},
		{"certificate status missing", edit(t, `"status": "有效", `, ``), "certificates[0].status", "缺少此字段"},
		{"certificate status other", edit(t, `"有效"`, `"valid"`), "certificates[0].status", "有效"},
		{"certificate source other", edit(t, `"source": "registry"`, `"source": "import"`), "certificates[0].source", "registry 或 manual"},
		{"certificate approved string", edit(t, `"source": "registry"`, `"source": "manual", "approved": "yes"`), "certificates[0].approved", "true 或 false"},
		{"certificate number bad", edit(t, `{"issued"`, `{"number": "2201021980010100128", "issued"`), "certificates[0].number", "残疾证号格式错误"},
		{"certificate number category 8", edit(t, `{"issued"`, `{"number": "22010219800101001281", "issued"`), "certificates[0].number", "残疾证号格式错误"},
		{"certificate number of another person", edit(t, `{"issued"`, `{"number": "11010519491231002X41", "issued"`), "certificates[0].number", "与身份证号不一致"},
		{"certificate level 5", edit(t, `{"issued"`, `{"level": 5, "issued"`), "certificates[0].level", "1 至 4"},
		{"certificate level 0", edit(t, `{"issued"`, `{"level": 0, "issued"`), "certificates[0].level", "1 至 4"},
		{"certificate level 1.5", edit(t, `{"issued"`, `{"level": 1.5, "issued"`), "certificates[0].level", "应为整数"},
		{"certificate kind other", edit(t, `{"issued"`, `{"kind": "military", "issued"`), "certificates[0].kind", "disability"},
		{"certificate kind number", edit(t, `{"issued"`, `{"kind": 2, "issued"`), "certificates[0].kind", "应为字符串"},
		{"certificate kind upper case", edit(t, `{"issued"`, `{"kind": "Veteran", "level": 2, "issued"`), "certificates[0].kind", "veteran"},
		{"veteran without level", edit(t, `{"issued"`, `{"kind": "veteran", "issued"`), "certificates[0].level", "伤残等级"},
		{"veteran level null", edit(t, `{"issued"`, `{"kind": "veteran", "level": null, "issued"`), "certificates[0].level", "伤残等级"},
		{"veteran level 0", edit(t, `{"issued"`, `{"kind": "veteran", "level": 0, "issued"`), "certificates[0].level", "1 至 10"},
		{"veteran level 11", edit(t, `{"issued"`, `{"kind": "veteran", "level": 11, "issued"`), "certificates[0].level", "1 至 10"},
		{"veteran level string", edit(t, `{"issued"`, `{"kind": "veteran", "level": "3", "issued"`), "certificates[0].level", "应为整数"},
		{"veteran number one character", edit(t, `{"issued"`, `{"kind": "veteran", "number": "1", "level": 3, "issued"`), "certificates[0].number", "2至32"},
		{"veteran number 33 characters", edit(t, `{"issued"`, `{"kind": "veteran", "number": "123456789012345678901234567890123", "level": 3, "issued"`), "certificates[0].number", "2至32"},
		{"veteran number with a line break", edit(t, `{"issued"`, `{"kind": "veteran", "number": "吉军\n012", "level": 3, "issued"`), "certificates[0].number", "控制字符"},
		{"disability level 5 still refused", edit(t, `{"issued"`, `{"kind": "disability", "level": 5, "issued"`), "certificates[0].level", "1 至 4"},
		{"contract start missing", edit(t, `{"start": "2024-07-01", `, `{`), "contracts[0].start", "缺少此字段"},
		{"contract start bad", edit(t, `"start": "2024-07-01"`, `"start": "2024/07/01"`), "contracts[0].start", "YYYY-MM-DD"},
		{"contract end before start", edit(t, `"end": null`, `"end": "2024-06-30"`), "contracts[0].end", "早于开始日期"},
		{"contract end number", edit(t, `"end": null`, `"end": 20250101`), "contracts[0].end", "应为字符串"},
		{"wage month bad", edit(t, `"month": "2025-02"`, `"month": "2025-13"`), "wages[1].month", "YYYY-MM"},
		{"wage amount negative", edit(t, `"month": "2025-03", "amount": 2100`, `"month": "2025-03", "amount": -1`), "wages[2].amount", "不能为负数"},
		{"wage amount 3 decimals", edit(t, `"month": "2025-03", "amount": 2100`, `"month": "2025-03", "amount": 2100.001`), "wages[2].amount", "最多两位小数"},
		{"wage amount tiny exponent", edit(t, `"month": "2025-03", "amount": 2100`, `"month": "2025-03", "amount": 1e-3`), "wages[2].amount", "最多两位小数"},
		{"wage amount huge", edit(t, `"month": "2025-03", "amount": 2100`, `"month": "2025-03", "amount": 1e300`), "wages[2].amount", "超出范围"},
		{"wage amount just over the bound", edit(t, `"month": "2025-03", "amount": 2100`, `"month": "2025-03", "amount": 10000000000.01`), "wages[2].amount", "超出范围"},
		{"wage amount null", edit(t, `"month": "2025-03", "amount": 2100`, `"month": "2025-03", "amount": null`), "wages[2].amount", "缺少此字段"},
		{"wage amount bool", edit(t, `"month": "2025-03", "amount": 2100`, `"month": "2025-03", "amount": true`), "wages[2].amount", "应为数字"},
		{"social month bad", edit(t, `"socialInsurance": ["2025-01"]`, `"socialInsurance": ["2025-01", "2025-1"]`), "socialInsurance[1]", "YYYY-MM"},
		{"social month number", edit(t, `"socialInsurance": ["2025-01"]`, `"socialInsurance": [202501]`), "socialInsurance[0]", "应为字符串"},
		{"medical not array", edit(t, `"medicalInsurance": ["2025-01"]`, `"medicalInsurance": "2025-01"`), "medicalInsurance", "应为数组"},
	}
	for _, tt := range tests {
		_, err := Decode(strings.NewReader(tt.in), today)
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %v, want a FieldError", tt.name, err)
			continue
		}
		if fe.Path != tt.path || !strings.Contains(fe.Reason, tt.reason) {
			t.Errorf("%s: got %q: %q; want %q containing %q", tt.name, fe.Path, fe.Reason, tt.path, tt.reason)
		}
	}
}

func TestDecodeTooLarge(t *testing.T) {
	big := `{"year": 2025, "pad": "` + strings.Repeat("a", MaxCaseBytes) + `"}`
	_, err := Decode(strings.NewReader(big), today)
	var fe *FieldError
	if !errors.As(err, &fe) || !strings.Contains(fe.Reason, "4 MiB") {
		t.Errorf("error = %v", err)
	}
}

func TestNumberToFen(t *testing.T) {
	good := map[string]rules.Fen{
		"0": 0, "-0": 0, "0.0": 0, "0e-999999999": 0, "1780": 178000, "1780.5": 178050, "1780.05": 178005,
		"1780.000": 178000, "1.78e3": 178000, "1.78E+3": 178000, "17800e-1": 178000, "178005e-2": 178005,
		"0.01": 1, "1e-2": 1, "10000000000": rules.MaxFen, "1e10": rules.MaxFen, "10000000000.00": rules.MaxFen,
	}
	for s, want := range good {
		if got, reason := numberToFen(s); reason != "" || got != want {
			t.Errorf("numberToFen(%q) = %d %q, want %d", s, got, reason, want)
		}
	}
	bad := map[string]string{
		"-1": reasonNegative, "-0.01": reasonNegative, "0.001": reasonDecimals, "1780.001": reasonDecimals,
		"1e-3": reasonDecimals, "1e-9999999999": reasonDecimals, "10000000000.01": reasonAmountMax,
		"1e11": reasonAmountMax, "1e9999999999": reasonAmountMax, "123456789012345678901234567890": reasonAmountMax,
		`"1"`: reasonNumber, "true": reasonNumber,
	}
	for s, want := range bad {
		if _, reason := numberToFen(s); reason != want {
			t.Errorf("numberToFen(%q) reason %q, want %q", s, reason, want)
		}
	}
}

func TestRun(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Run(strings.NewReader(validCase), &out, &errOut, today); code != 0 || errOut.Len() != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	var res struct {
		Year              int              `json:"year"`
		PassedMonths      int              `json:"passedMonths"`
		EquivalentPersons json.Number      `json:"equivalentPersons"`
		Months            []map[string]any `json:"months"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.Year != 2025 || res.PassedMonths != 1 || res.EquivalentPersons != "0.08" || len(res.Months) != 12 {
		t.Errorf("result %+v", res)
	}
	keys := []string{"month", "wage", "socialInsurance", "medicalInsurance", "certificate", "workingAge", "contract", "passed", "weight", "reasons"}
	for i, m := range res.Months {
		if len(m) != len(keys) {
			t.Errorf("month %d has keys %v", i, m)
		}
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("month %d lacks %q", i, k)
			}
		}
		if _, ok := m["reasons"].([]any); !ok {
			t.Errorf("month %d reasons = %#v, want an array", i, m["reasons"])
		}
	}

	out.Reset()
	errOut.Reset()
	bad := edit(t, `"month": "2025-03", "amount": 2100`, `"month": "2025-03", "amount": 2100.555`)
	if code := Run(strings.NewReader(bad), &out, &errOut, today); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if out.Len() != 0 {
		t.Errorf("stdout %q on invalid input, want nothing", out.String())
	}
	line := errOut.String()
	if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") || !strings.Contains(line, "wages[2].amount") {
		t.Errorf("stderr %q, want one line naming wages[2].amount", line)
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRunWriteFailure(t *testing.T) {
	var errOut bytes.Buffer
	if code := Run(strings.NewReader(validCase), failWriter{}, &errOut, today); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
}

// encodeCase writes c back as a CONTRACT.md case, for round-trip checks.
func encodeCase(c rules.Case) []byte {
	type mw struct {
		Region string      `json:"region"`
		From   string      `json:"from"`
		Amount json.Number `json:"amount"`
	}
	type cert struct {
		Kind       string  `json:"kind,omitempty"`
		Number     string  `json:"number,omitempty"`
		Level      int     `json:"level,omitempty"`
		Issued     string  `json:"issued"`
		ValidUntil *string `json:"validUntil"`
		Status     string  `json:"status"`
		Source     string  `json:"source"`
		Approved   bool    `json:"approved"`
	}
	type contract struct {
		Start string  `json:"start"`
		End   *string `json:"end"`
	}
	type wage struct {
		Month  string      `json:"month"`
		Amount json.Number `json:"amount"`
	}
	opt := func(d rules.Date) *string {
		if d.IsZero() {
			return nil
		}
		s := d.String()
		return &s
	}
	months := func(ms []rules.Month) []string {
		out := []string{}
		for _, m := range ms {
			out = append(out, m.String())
		}
		return out
	}
	doc := map[string]any{
		"year":             c.Year,
		"region":           c.Region,
		"person":           map[string]any{"idNumber": c.Person.IDNumber, "femaleRetirementAge": c.Person.FemaleRetirementAge},
		"dispatched":       c.Dispatched,
		"socialInsurance":  months(c.SocialInsurance),
		"medicalInsurance": months(c.MedicalInsurance),
	}
	var mws []mw
	for _, m := range c.MinimumWages {
		mws = append(mws, mw{m.Region, m.From.String(), json.Number(m.Amount.String())})
	}
	doc["minimumWages"] = mws
	var certs []cert
	for _, ct := range c.Certificates {
		status, source := "注销", "registry"
		if ct.Active {
			status = "有效"
		}
		if ct.Manual {
			source = "manual"
		}
		kind, level := "", ct.Level
		if ct.Kind.Veteran() { // CONTRACT.md: a veteran certificate's level is its grade
			kind, level = string(ct.Kind), ct.Grade
		}
		certs = append(certs, cert{kind, ct.Number, level, ct.Issued.String(), opt(ct.ValidUntil), status, source, ct.Approved})
	}
	doc["certificates"] = certs
	var cons []contract
	for _, ct := range c.Contracts {
		cons = append(cons, contract{ct.Start.String(), opt(ct.End)})
	}
	doc["contracts"] = cons
	var ws []wage
	for _, w := range c.Wages {
		ws = append(ws, wage{w.Month.String(), json.Number(w.Amount.String())})
	}
	doc["wages"] = ws
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

// normalise makes empty and nil slices equal for comparison.
func normalise(c rules.Case) rules.Case {
	if len(c.MinimumWages) == 0 {
		c.MinimumWages = nil
	}
	if len(c.Certificates) == 0 {
		c.Certificates = nil
	}
	if len(c.Contracts) == 0 {
		c.Contracts = nil
	}
	if len(c.Wages) == 0 {
		c.Wages = nil
	}
	if len(c.SocialInsurance) == 0 {
		c.SocialInsurance = nil
	}
	if len(c.MedicalInsurance) == 0 {
		c.MedicalInsurance = nil
	}
	return c
}

func TestRoundTripGoldenCases(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases in testdata (%v)", err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".golden.json") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Decode(bytes.NewReader(data), today)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		again, err := Decode(bytes.NewReader(encodeCase(c)), today)
		if err != nil || !reflect.DeepEqual(normalise(again), normalise(c)) {
			t.Errorf("%s: round trip %v\n%+v\n%+v", f, err, again, c)
		}
	}
}

func FuzzDecodeCase(f *testing.F) {
	f.Add([]byte(validCase))
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if !strings.HasSuffix(name, ".golden.json") {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(`{"year":2025,"region":"220102","person":{"idNumber":"11010519491231002x"},"wages":[{"month":"2025-01","amount":1e2}]}`))
	f.Add([]byte(`{"year":2025,"region":"220102","person":{"idNumber":"220102198001010012"},"certificates":[{"kind":"veteran","number":"吉军残字第012345号","level":3,"issued":"2015-01-01","status":"有效"},{"kind":"disability","level":2,"issued":"2015-01-01","validUntil":"2025-06-30","status":"有效"}]}`))
	f.Add([]byte(`{"year":2025,"region":"220102","person":{"idNumber":"220102198001010012"},"certificates":[{"kind":"veteran","level":10,"issued":"2025-05-01","status":"有效","source":"manual"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Decode(bytes.NewReader(data), today)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Reason == "" || strings.ContainsAny(fe.Error(), "\r\n") {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		// Accepted: it verifies and encodes, and re-encoding the case
		// decodes to the same case.
		var out bytes.Buffer
		if err := Encode(&out, rules.Verify(c)); err != nil {
			t.Fatal(err)
		}
		var res struct {
			Months []json.RawMessage `json:"months"`
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res.Months) != 12 {
			t.Fatalf("output %s: %v", out.String(), err)
		}
		again, err := Decode(bytes.NewReader(encodeCase(c)), today)
		if err != nil {
			t.Fatalf("re-encoded case rejected: %v\n%s", err, encodeCase(c))
		}
		if !reflect.DeepEqual(normalise(again), normalise(c)) {
			t.Fatalf("round trip differs:\n%+v\n%+v", again, c)
		}
	})
}

func TestDecodeBOM(t *testing.T) {
	if _, err := Decode(strings.NewReader("\uFEFF"+validCase), today); err != nil {
		t.Errorf("BOM: %v", err)
	}
}
