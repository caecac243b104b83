package web_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestVeteranPlacementHTTP: the placement API and form take a 残疾军人证 (certificateKind veteran
// with its grade; a historical 残疾军人证 with kind, free-text number and grade), and the grid and
// the API show it.
func TestVeteranPlacementHTTP(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.ready(empCode)
		file := c.fileID("合同.pdf")
		body := personBody(p01, "刘喆", file)
		body["certificateKind"], body["grade"] = "veteran", 2
		body["certificates"] = []map[string]any{{"kind": "veteran", "number": "吉军残字第012345号", "grade": 1, "issued": "2020-01-01", "fileIds": []string{file}}}
		status, resp := c.json("POST", "/api/v1/years/2025/placements", body)
		if status != 201 {
			t.Fatalf("create: %d %s", status, resp)
		}
		id := int64(decode[map[string]any](t, resp)["id"].(float64))
		status, resp = c.json("GET", fmt.Sprintf("/api/v1/placements/%d", id), nil)
		pl := decode[struct {
			CertificateKind      string
			Category, Level      int
			Grade                int
			Certificates         []map[string]any
			RegistryCertificates []map[string]any
		}](t, resp)
		if status != 200 || pl.CertificateKind != "veteran" || pl.Grade != 2 || pl.Category != 0 || pl.Level != 0 ||
			len(pl.Certificates) != 1 || pl.Certificates[0]["kind"] != "veteran" || pl.Certificates[0]["grade"] != float64(1) ||
			pl.Certificates[0]["number"] != "吉军残字第012345号" {
			t.Fatalf("placement JSON: %d %s", status, resp)
		}
		if len(pl.RegistryCertificates) != 1 || pl.RegistryCertificates[0]["kind"] != "disability" {
			t.Errorf("registry certificates %v", pl.RegistryCertificates)
		}
		// A veteran without a grade: 422 naming the field.
		delete(body, "grade")
		body["idNumber"] = p06
		if status, resp := c.json("POST", "/api/v1/years/2025/placements", body); status != 422 || !strings.Contains(resp, `"grade"`) {
			t.Errorf("veteran without grade: %d %s", status, resp)
		}
		status, page, _ := c.get(fmt.Sprintf("/placements/%d", id))
		mustContain(t, "grid", page, `<dd id="placement-certificate">残疾军人证（伤残等级二级）</dd>`)
		if status != 200 {
			t.Fatalf("grid: %d", status)
		}
		// The edit form (after 重新登记) shows the kind and grades chosen.
		if status, resp := c.json("POST", fmt.Sprintf("/api/v1/placements/%d/reregister", id), nil); status != 200 {
			t.Fatalf("reregister: %d %s", status, resp)
		}
		_, page, _ = c.get(fmt.Sprintf("/placements/%d/edit", id))
		mustContain(t, "edit form", page, `value="veteran" id="certificateKind-veteran" checked`, `<option value="2" selected>二级</option>`,
			`<option value="veteran" selected>残疾军人证</option>`, `value="吉军残字第012345号"`, `<option value="1" selected>一级</option>`)

		// Through the form without script: 残疾军人证 with grade 3, and a historical 残疾军人证.
		form := url.Values{"year": {"2025"}, "idNumber": {p06}, "name": {"吴秀兰"}, "certificateKind": {"veteran"}, "grade": {"3"},
			"category": {""}, "level": {""}, "dispatched": {"0"}, "femaleRetirementAge": {"50"}, "contracts[0].start": {"2022-01-01"},
			"contracts[0].openEnded": {"1"}, "certificates[0].kind": {"veteran"}, "certificates[0].number": {"吉军残字第7号"},
			"certificates[0].grade": {""}, "certificates[0].issued": {"2019-01-01"}, "action": {"save"}}
		status, page, _ = c.form("/placements", form, map[string]string{"contracts[0].file": "合同.pdf", "certificates[0].file": "证件.pdf"})
		if status != 422 {
			t.Fatalf("historical veteran without grade: %d", status)
		}
		mustContain(t, "refused form", page, `id="certificates[0].grade-error"`, `value="veteran" id="certificateKind-veteran" checked`)
		kept := regexp.MustCompile(`name="(contracts|certificates)\[0\]\.fileIds" value="([^"]+)"`).FindAllStringSubmatch(page, -1)
		if len(kept) != 2 {
			t.Fatalf("kept files %v", kept)
		}
		for _, k := range kept {
			form.Set(k[1]+"[0].fileIds", k[2])
		}
		form.Set("certificates[0].grade", "4")
		status, _, h := c.form("/placements", form, nil)
		m := placementLoc.FindStringSubmatch(h.Get("Location"))
		if status != 303 || m == nil {
			t.Fatalf("save: %d %q", status, h.Get("Location"))
		}
		_, page, _ = c.get("/placements/" + m[1])
		mustContain(t, "grid of the form's veteran", page, "残疾军人证（伤残等级三级）")
	})
}

// TestVeteranCertificateReviewPage: the reviewer of a historical 残疾军人证 sees its kind and grade
// beside the certificate the person is registered with.
func TestVeteranCertificateReviewPage(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s, pl := declSite(t, db, clock)
		emp := s.login("creditCode", empCode)
		if st, body := emp.json("PUT", "/api/v1/employer", fullProfile()); st != 200 {
			t.Fatalf("profile: %d %s", st, body)
		}
		file := emp.fileID("证件.pdf")
		in := placement.Input{IDNumber: p01, Name: "刘喆", Category: 4, Level: 3,
			Contracts:    []placement.ContractInput{{Start: "2022-01-01", FileIDs: []string{file}}},
			Certificates: []placement.CertificateInput{{Kind: "veteran", Number: "吉军残字第012345号", Grade: 2, Issued: "2020-01-01", FileIDs: []string{file}}}}
		if _, err := pl.Create(context.Background(), employerActor(t, db), 2025, in); err != nil {
			t.Fatal(err)
		}
		var item int64
		s.scan(`SELECT id FROM review_items WHERE kind = 'certificate'`, &item)
		status, page, _ := s.login("username", "province").get(fmt.Sprintf("/review/items/%d", item))
		if status != 200 {
			t.Fatalf("review item: %d", status)
		}
		mustContain(t, "review item", page, `<dd id="item-certificate">残疾军人证（伤残等级二级）</dd>`,
			`<dd id="registered-certificate">残疾人证（肢体残疾，三级）</dd>`)
		// The declaration page prints with the unit and the year on top (the print stylesheet).
		_, page, _ = emp.get("/declaration?year=2025")
		mustContain(t, "declaration page", page, `<p class="print-only print-header">`, "2025业务年度申报")
	})
}
