package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"quotacert/internal/store/storetest"
)

const verifyCase = `{
  "year": 2025, "region": "220102",
  "minimumWages": [{"region": "22", "from": "2024-01", "amount": 1880}],
  "person": {"idNumber": "11010519491231002X"},
  "dispatched": false,
  "certificates": [{"issued": "2019-05-10", "validUntil": "2029-05-10", "status": "有效", "source": "registry"}],
  "contracts": [{"start": "2024-07-01", "end": null}],
  "wages": [{"month": "2025-01", "amount": 2100}],
  "socialInsurance": ["2025-01"], "medicalInsurance": ["2025-01"]
}`

func postVerify(t *testing.T, body string) (*http.Response, map[string]any) {
	t.Helper()
	h := bareSite(t, storetest.SQLite(t, storetest.Options{}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/verify", strings.NewReader(body)))
	raw, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, raw)
	}
	return rec.Result(), out
}

func TestAPIVerify(t *testing.T) {
	// The person of this case was born 1949-12-31: a woman well past retirement, so every month fails
	// the working-age check even where all else passes.
	res, out := postVerify(t, verifyCase)
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %v", res.StatusCode, out)
	}
	months := out["months"].([]any)
	if len(months) != 12 || months[0].(map[string]any)["month"] != "2025-01" {
		t.Fatalf("months = %v", months)
	}
	jan := months[0].(map[string]any)
	if jan["wage"] != true || jan["workingAge"] != false || jan["passed"] != false {
		t.Fatalf("January = %v", jan)
	}
	if out["passedMonths"].(float64) != 0 || out["equivalentPersons"].(float64) != 0 {
		t.Fatalf("totals = %v %v", out["passedMonths"], out["equivalentPersons"])
	}
}

func TestAPIVerifyInvalid(t *testing.T) {
	for _, c := range []struct{ body, field string }{
		{strings.Replace(verifyCase, "11010519491231002X", "110105194912310021", 1), "person.idNumber"},
		{strings.Replace(verifyCase, `"amount": 2100}`, `"amount": 2100.001}`, 1), "wages[0].amount"},
		{strings.Replace(verifyCase, `"2025-01"]`, `"2025-13"]`, 1), "socialInsurance[0]"},
	} {
		res, out := postVerify(t, c.body)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", c.field, res.StatusCode)
			continue
		}
		e := out["error"].(map[string]any)
		fields, _ := e["fields"].(map[string]any)
		if e["code"] != "invalid" || fields[c.field] == nil {
			t.Errorf("%s: error body %v", c.field, e)
		}
	}
	res, out := postVerify(t, "not json")
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("garbage: status %d %v", res.StatusCode, out)
	}
	res, _ = postVerify(t, `{"year": 2025, "pad": "`+strings.Repeat("x", 5<<20)+`"}`)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("oversized body: status %d, want 422", res.StatusCode)
	}
}

// TestAPIVerifyVeteran: POST /api/v1/verify takes a 残疾军人证 (kind veteran, level = the grade) and
// weighs grades 1–3 as 2, grade 4 as 1; a veteran without a grade is refused naming the field.
func TestAPIVerifyVeteran(t *testing.T) {
	young := strings.Replace(verifyCase, "11010519491231002X", "220102198001010012", 1)
	for grade, weight := range map[string]float64{"3": 2, "4": 1} {
		body := strings.Replace(young, `{"issued": "2019-05-10"`, `{"kind": "veteran", "number": "吉军残字第012345号", "level": `+grade+`, "issued": "2019-05-10"`, 1)
		res, out := postVerify(t, body)
		if res.StatusCode != 200 {
			t.Fatalf("grade %s: status %d %v", grade, res.StatusCode, out)
		}
		jan := out["months"].([]any)[0].(map[string]any)
		if jan["passed"] != true || jan["weight"] != weight {
			t.Errorf("grade %s: January %v, want passed with weight %v", grade, jan, weight)
		}
	}
	res, out := postVerify(t, strings.Replace(young, `{"issued": "2019-05-10"`, `{"kind": "veteran", "issued": "2019-05-10"`, 1))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no grade: status %d", res.StatusCode)
	}
	if f, _ := out["error"].(map[string]any)["fields"].(map[string]any); f["certificates[0].level"] == nil {
		t.Errorf("no grade: %v", out)
	}
}
