package placement_test

import (
	"context"
	"strings"
	"testing"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/exchange"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
	"quotacert/internal/store"
)

// importVeteran adds 残疾军人证 rows to the registry of e (CONTRACT.md: kind veteran, the grade in
// level, the certificate's own number).
func importVeteran(t *testing.T, e *env, rows ...string) {
	t.Helper()
	ex := exchange.NewService(store.ExchangeRunner(e.db), e.prot)
	file := "idNumber,name,gender,certificateNumber,category,level,issued,validUntil,status,kind\n" + strings.Join(rows, "\n") + "\n"
	if res, err := ex.Import(context.Background(), actor.System("test"), exchange.Certificates, "veterans.csv", strings.NewReader(file), exchange.Options{}); err != nil {
		t.Fatalf("import veterans: %v %v", err, res.Errors)
	}
}

// TestVeteranPlacement: a person registered with a 残疾军人证 keeps its kind and grade (no category or
// level), and a claimed month weighs what the grade says: grades 1–3 weigh 2, 4 and more weigh 1.
func TestVeteranPlacement(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		in := input(p06, "吴秀兰", 4, placement.ContractInput{Start: "2022-01-01", FileIDs: []string{"f-1"}})
		in.CertificateKind, in.Grade = "veteran", 2 // category 4 and level 4 typed too: not a 残疾军人证's
		id, err := e.svc.Create(ctx, e.emp, 2025, in)
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.Get(ctx, e.emp, id)
		if err != nil {
			t.Fatal(err)
		}
		if v.CertificateKind != rules.VeteranCertificate || v.Grade != 2 || v.Category != 0 || v.Level != 0 {
			t.Fatalf("stored certificate %q category %d level %d grade %d", v.CertificateKind, v.Category, v.Level, v.Grade)
		}
		claimFeb := placement.SaveInput{Months: []placement.MonthInput{{Month: "2025-02", FileIDs: []string{"f-2"}}}}
		if _, err := e.svc.SaveMonths(ctx, e.emp, id, claimFeb); err != nil {
			t.Fatal(err)
		}
		if w := savedWeight(t, e, id, "2025-02"); w != 2 {
			t.Errorf("claimed month of a grade 2 weighs %d, want 2", w)
		}
		// The registry's 残疾人证 (level 4) decides the passed months: weight 1.
		if w := savedWeight(t, e, id, "2025-01"); w != 1 {
			t.Errorf("passed month weighs %d, want 1", w)
		}
		if err := e.svc.Reregister(ctx, e.emp, id); err != nil {
			t.Fatal(err)
		}
		in.Grade = 4
		if err := e.svc.Update(ctx, e.emp, id, in); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SaveMonths(ctx, e.emp, id, claimFeb); err != nil {
			t.Fatal(err)
		}
		if w := savedWeight(t, e, id, "2025-02"); w != 1 {
			t.Errorf("claimed month of a grade 4 weighs %d, want 1", w)
		}
		// Back to a 残疾人证: its level counts again, the grade is dropped.
		if err := e.svc.Reregister(ctx, e.emp, id); err != nil {
			t.Fatal(err)
		}
		in.CertificateKind, in.Level = "disability", 2
		if err := e.svc.Update(ctx, e.emp, id, in); err != nil {
			t.Fatal(err)
		}
		if v, err := e.svc.Get(ctx, e.emp, id); err != nil || v.CertificateKind != rules.DisabilityCertificate || v.Grade != 0 || v.Level != 2 || v.Category != 4 {
			t.Fatalf("back to a 残疾人证: %+v (%v)", v.Placement, err)
		}
	})
}

// savedWeight reads the weight a saved month was stored with.
func savedWeight(t *testing.T, e *env, placementID int64, month string) int {
	t.Helper()
	var w int
	if err := e.db.SQL().QueryRow(`SELECT weight FROM placement_months WHERE placement_id = $1 AND month = $2`, placementID, month).Scan(&w); err != nil {
		t.Fatalf("saved month %s: %v", month, err)
	}
	return w
}

// TestVeteranRegistryCertificate: a 残疾军人证 in the registry is read through the Source into the
// grid; beside the person's 残疾人证 of level 3 it makes every month weigh 2 (the heavier counts),
// and the registry look-up fills the form with the newest valid certificate's kind and grade.
func TestVeteranRegistryCertificate(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		importVeteran(t, e, p01+",刘喆,男,吉军残字第012345号,,3,2021-06-01,,有效,veteran")
		rp, err := e.svc.Registry(ctx, e.emp, p01)
		if err != nil {
			t.Fatal(err)
		}
		if rp.CertificateKind != rules.VeteranCertificate || rp.Grade != 3 || len(rp.Certificates) != 2 {
			t.Fatalf("registry person %+v", rp)
		}
		id, err := e.svc.Create(ctx, e.emp, 2025, input(p01, "刘喆", 3))
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.Get(ctx, e.emp, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range v.Months {
			if !m.Passed || m.Weight != 2 {
				t.Fatalf("%s: passed %v weight %d, want 2 (the veteran grade 3 beside level 3)", m.Month, m.Passed, m.Weight)
			}
		}
		var vet exchange.RegistryCertificate
		for _, c := range v.Registry {
			if c.Kind.Veteran() {
				vet = c
			}
		}
		if vet.Number != "吉军残字第012345号" || vet.Masked() != "吉军********5号" || vet.Grade != 3 {
			t.Errorf("registry veteran certificate %+v masked %q", vet, vet.Masked())
		}
		if st, err := e.svc.SaveMonths(ctx, e.emp, id, placement.SaveInput{}); err != nil || st != placement.Confirmed {
			t.Fatalf("save: %v %v", st, err)
		}
		if sum, _, err := e.svc.List(ctx, e.emp, 2025); err != nil || sum.WeightMonths != 24 {
			t.Fatalf("summary %+v (%v), want 24 weight-months", sum, err)
		}
	})
}

// TestManualVeteranCertificate: a 残疾军人证 added by hand keeps its free-text number (sealed, masked
// to its ends), kind and grade; it waits for review, and its pending weight shows what approval
// would bring.
func TestManualVeteranCertificate(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		in := input(p01, "刘喆", 3)
		in.Certificates = []placement.CertificateInput{{Kind: "veteran", Number: "吉军残字第０４２号", Grade: 1, Issued: "2020-01-01", FileIDs: []string{"f-3"}}}
		id, err := e.svc.Create(ctx, e.emp, 2025, in)
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.Get(ctx, e.emp, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Certificates) != 1 {
			t.Fatalf("certificates %+v", v.Certificates)
		}
		c := v.Certificates[0]
		if c.Kind != rules.VeteranCertificate || c.Grade != 1 || c.Category != 0 || c.Level != 0 || c.Number != "吉军残字第042号" ||
			c.Masked != "吉军*****2号" || c.Review != rules.ReviewPending {
			t.Fatalf("manual certificate %+v", c)
		}
		if m := v.Months[0]; !m.Passed || m.Weight != 1 || m.PendingWeight != 2 || !m.CertificateAwaitingReview {
			t.Errorf("January with a pending veteran grade 1: %+v", m.MonthResult)
		}
		var masked string
		if err := e.db.SQL().QueryRow(`SELECT cert_masked FROM manual_certificates WHERE placement_id = $1`, id).Scan(&masked); err != nil || masked != "吉军*****2号" {
			t.Errorf("stored mask %q (%v)", masked, err)
		}
		var kind string
		var grade int
		if err := e.db.SQL().QueryRow(`SELECT kind, grade FROM manual_certificates WHERE placement_id = $1`, id).Scan(&kind, &grade); err != nil || kind != "veteran" || grade != 1 {
			t.Errorf("stored kind %q grade %d (%v)", kind, grade, err)
		}
		var reviews int
		if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM review_items WHERE placement_id = $1 AND kind = 'certificate' AND status = 'pending'`, id).Scan(&reviews); err != nil || reviews != 1 {
			t.Errorf("pending certificate reviews %d (%v)", reviews, err)
		}
	})
}

func TestVeteranValidation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		withCert := func(c placement.CertificateInput) placement.Input {
			i := input(p01, "某", 3)
			c.Issued, c.FileIDs = "2020-01-01", []string{"f-2"}
			i.Certificates = []placement.CertificateInput{c}
			return i
		}
		cases := []struct {
			name  string
			in    placement.Input
			field string
		}{
			{"unknown kind", func() placement.Input { i := input(p01, "某", 3); i.CertificateKind = "army"; return i }(), "certificateKind"},
			{"veteran without grade", func() placement.Input { i := input(p01, "某", 3); i.CertificateKind = "veteran"; return i }(), "grade"},
			{"veteran grade 11", func() placement.Input {
				i := input(p01, "某", 3)
				i.CertificateKind, i.Grade = "veteran", 11
				return i
			}(), "grade"},
			{"manual veteran without grade", withCert(placement.CertificateInput{Kind: "veteran", Number: "吉军残字第042号"}), "certificates[0].grade"},
			{"manual veteran number too short", withCert(placement.CertificateInput{Kind: "veteran", Number: "1", Grade: 2}), "certificates[0].number"},
			{"manual veteran number with a line break", withCert(placement.CertificateInput{Kind: "veteran", Number: "吉军\n042", Grade: 2}), "certificates[0].number"},
			{"manual kind unknown", withCert(placement.CertificateInput{Kind: "x", Number: "吉军残字第042号", Grade: 2}), "certificates[0].kind"},
			{"manual disability number still checked", withCert(placement.CertificateInput{Number: "吉军残字第042号"}), "certificates[0].number"},
		}
		for _, c := range cases {
			_, err := e.svc.Create(ctx, e.emp, 2025, c.in)
			if apperr.CodeOf(err) != apperr.Invalid || fieldsOf(err)[c.field] == "" {
				t.Errorf("%s: err %v, want a message for %s", c.name, err, c.field)
			}
		}
		// A 残疾军人证 number is not compared with the ID number: another person's ID is fine.
		in := withCert(placement.CertificateInput{Kind: "veteran", Number: "22010319790223017X42", Grade: 5})
		if _, err := e.svc.Create(ctx, e.emp, 2025, in); err != nil {
			t.Errorf("veteran number that looks like a 残疾人证 number: %v", err)
		}
	})
}
