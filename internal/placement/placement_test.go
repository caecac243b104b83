package placement_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/exchange"
	"quotacert/internal/pii"
	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/rules"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

const (
	demoCode  = "91220101MA14U8XK2R" // the demo employer (南关区)
	otherCode = "91350100M000100Y43"
	dispatchD = "91220104MA17DPQ346"
	subsidS   = "91220106MA15RG8N3X"
)

// now is in the declaration window of business year 2025.
var now = time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC)

type env struct {
	db        *store.DB
	svc       *placement.Service
	source    exchange.Source
	prot      *pii.Protector
	now       func() time.Time
	emp, oth  actor.Actor
	dispatchD int64
	files     []string // employer 1's files
	otherFile string   // employer 2's file
}

func setup(t testing.TB, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	prot, err := pii.New(bytes.Repeat([]byte{3}, pii.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	ex := exchange.NewService(store.ExchangeRunner(db), prot)
	for _, kind := range []exchange.Kind{exchange.Certificates, exchange.Wages, exchange.Social, exchange.Medical} {
		if _, err := ex.ImportFile(ctx, actor.System("test"), kind, "../demo/data/"+string(kind)+".csv", exchange.Options{}); err != nil {
			t.Fatalf("import demo %s: %v", kind, err)
		}
	}
	e := &env{db: db}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for i, code := range []string{demoCode, otherCode} {
			if _, err := tx.Exec(ctx, `INSERT INTO employers (id, credit_code, name, federation_office, tax_office, district,
                contact_name, contact_phone, employee_count, address, created_at, updated_at)
                VALUES ($1, $2, $3, '220102', '12201020000', '220102', '张三', '13812345678', 120, '长春市', $4, $4)`,
				i+1, code, fmt.Sprintf("测试单位%d", i+1), now); err != nil {
				return err
			}
		}
		for i, id := range []string{"f-1", "f-2", "f-3", "f-4", "f-5", "f-6", "f-7", "f-other"} {
			owner := 1
			if id == "f-other" {
				owner = 2
			}
			if _, err := tx.Exec(ctx, `INSERT INTO files (id, employer_id, name, size, blob, content_type, created_at)
                VALUES ($1, $2, $3, 10, 'x', 'application/pdf', $4)`, id, owner, fmt.Sprintf("材料%d.pdf", i), now); err != nil {
				return err
			}
		}
		for i, a := range []struct{ code, kind string }{{dispatchD, "dispatch"}, {subsidS, "subsidiary"}} {
			if _, err := tx.Exec(ctx, `INSERT INTO affiliates (id, employer_id, credit_code, name, kind, created_at, updated_at)
                VALUES ($1, 1, $2, $3, $4, $5, $5)`, i+1, a.code, "关联"+a.kind, a.kind, now); err != nil {
				return err
			}
		}
		// Employer 2 is in a group with employer 1: employer 1's payments count for it too, so both
		// see the same months pass and can compete for them.
		if _, err := tx.Exec(ctx, `INSERT INTO affiliates (id, employer_id, credit_code, name, kind, created_at, updated_at)
            VALUES (3, 2, $1, '集团关联单位', 'subsidiary', $2, $2)`, demoCode, now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO affiliate_files (affiliate_id, file_id) VALUES (1, 'f-7')`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.dispatchD = 1
	e.files = []string{"f-1", "f-2", "f-3", "f-4", "f-5", "f-6"}
	e.otherFile = "f-other"
	e.emp = actor.Actor{UserID: 11, Name: demoCode, Role: actor.Employer, EmployerID: 1}
	e.oth = actor.Actor{UserID: 12, Name: otherCode, Role: actor.Employer, EmployerID: 2}
	e.source, e.prot, e.now = ex, prot, func() time.Time { return now }
	e.svc = placement.NewService(store.PlacementRunner(db), ex, prot, e.now)
	return e
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, storetest.Options{Now: func() time.Time { return now }, Steps: []store.Step{refdata.Step()}},
		func(t *testing.T, db *store.DB) { fn(t, setup(t, db)) })
}

func input(id, name string, level int, contracts ...placement.ContractInput) placement.Input {
	if len(contracts) == 0 {
		contracts = []placement.ContractInput{{Start: "2023-03-01", FileIDs: []string{"f-1"}}}
	}
	return placement.Input{IDNumber: id, Name: name, Category: 4, Level: level, Contracts: contracts}
}

func fieldsOf(err error) map[string]string {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

const (
	p01 = "22010219880712035X" // all months pass
	p06 = "220102198603270620" // wage below minimum in Feb, Mar, Aug
)

func TestCreateSaveConfirm(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id, err := e.svc.Create(ctx, e.emp, 2025, input(p01, "刘喆", 3))
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.Get(ctx, e.emp, id)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != placement.Draft || v.Person.IDNumber != p01 || v.Person.IDMasked != "220102********035X" ||
			v.Person.Gender != "男" || v.Person.BirthDate.String() != "1988-07-12" {
			t.Fatalf("view = %+v", v.Placement)
		}
		for _, m := range v.Months {
			if !m.Passed || !m.Selected || !m.Locked {
				t.Fatalf("month %s: passed %v selected %v locked %v reasons %v", m.Month, m.Passed, m.Selected, m.Locked, m.Reasons)
			}
		}
		// An empty selection cannot unselect locked months of a non-dispatched person.
		st, err := e.svc.SaveMonths(ctx, e.emp, id, placement.SaveInput{})
		if err != nil || st != placement.Confirmed {
			t.Fatalf("save = %v, %v", st, err)
		}
		sum, rows, err := e.svc.List(ctx, e.emp, 2025)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Persons != 1 || sum.Confirmed != 1 || sum.CountedMonths != 12 || sum.WeightMonths != 12 ||
			len(rows) != 1 || rows[0].IDMasked != "220102********035X" {
			t.Fatalf("summary %+v rows %+v", sum, rows)
		}
		// Adding the same person again is a conflict that names the existing placement.
		_, err = e.svc.Create(ctx, e.emp, 2025, input(p01, "刘喆", 3))
		var dup *placement.DuplicateError
		if apperr.CodeOf(err) != apperr.Conflict || !errors.As(err, &dup) || dup.ID != id {
			t.Fatalf("duplicate create: %v", err)
		}
	})
}

func TestClaimFailedMonths(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id, err := e.svc.Create(ctx, e.emp, 2025, input(p06, "吴秀兰", 3, placement.ContractInput{Start: "2022-01-01", End: "2026-12-31", FileIDs: []string{"f-1"}}))
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.Get(ctx, e.emp, id)
		if err != nil {
			t.Fatal(err)
		}
		if v.Months[1].Passed || v.Months[1].Selected || len(v.Months[1].Reasons) != 1 {
			t.Fatalf("February: %+v", v.Months[1])
		}
		// Selecting a failed month without evidence is refused, with the month named.
		_, err = e.svc.SaveMonths(ctx, e.emp, id, placement.SaveInput{Months: []placement.MonthInput{{Month: "2025-02"}}})
		if apperr.CodeOf(err) != apperr.Invalid || fieldsOf(err)["months.2025-02"] == "" {
			t.Fatalf("claim without files: %v", err)
		}
		// Evidence of another employer is refused and nothing is written.
		_, err = e.svc.SaveMonths(ctx, e.emp, id, placement.SaveInput{Months: []placement.MonthInput{{Month: "2025-02", FileIDs: []string{e.otherFile}}}})
		if apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("foreign evidence: %v", err)
		}
		if v, err := e.svc.Get(ctx, e.emp, id); err != nil || v.IsSaved() {
			t.Fatalf("a refused save wrote months (%v)", err)
		}
		in := placement.SaveInput{Months: []placement.MonthInput{{Month: "2025-02", FileIDs: []string{"f-2"}, Note: "工资条"}}}
		for i := 0; i < 2; i++ { // a double submit leaves one claim
			st, err := e.svc.SaveMonths(ctx, e.emp, id, in)
			if err != nil || st != placement.Pending {
				t.Fatalf("save %d = %v, %v", i, st, err)
			}
		}
		v, err = e.svc.Get(ctx, e.emp, id)
		if err != nil {
			t.Fatal(err)
		}
		if !v.Months[1].Selected || v.Months[1].Claim == nil || v.Months[1].Claim.Status != rules.ReviewPending ||
			len(v.Months[1].Claim.FileIDs) != 1 {
			t.Fatalf("February after claim: %+v", v.Months[1])
		}
		sum, _, err := e.svc.List(ctx, e.emp, 2025)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Pending != 1 || sum.CountedMonths != 0 || sum.PendingMonths != 10 {
			t.Fatalf("summary %+v: pending months are shown beside, never added in", sum)
		}
		// Withdrawing the claim confirms the placement again.
		st, err := e.svc.SaveMonths(ctx, e.emp, id, placement.SaveInput{})
		if err != nil || st != placement.Confirmed {
			t.Fatalf("withdraw = %v, %v", st, err)
		}
		if v, err := e.svc.Get(ctx, e.emp, id); err != nil || v.Months[1].Claim != nil || v.Months[1].Selected {
			t.Fatalf("claim not withdrawn: %+v (%v)", v.Months[1], err)
		}
		// A claim for a passed month is a mistake the user should hear about.
		_, err = e.svc.SaveMonths(ctx, e.emp, id, placement.SaveInput{Months: []placement.MonthInput{{Month: "2025-01", FileIDs: []string{"f-2"}}}})
		if fieldsOf(err)["months.2025-01"] == "" {
			t.Fatalf("claim of a passed month: %v", err)
		}
	})
}

func TestOneEmployerPerPersonMonth(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a, err := e.svc.Create(ctx, e.emp, 2025, input(p01, "刘喆", 3))
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.svc.Create(ctx, e.oth, 2025, input(p01, "刘喆", 3, placement.ContractInput{Start: "2023-03-01", FileIDs: []string{e.otherFile}}))
		if err != nil {
			t.Fatal(err)
		}
		// Both race to save: exactly one wins, the other hears which months are taken.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, x := range []struct {
			a  actor.Actor
			id int64
		}{{e.emp, a}, {e.oth, b}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.svc.SaveMonths(ctx, x.a, x.id, placement.SaveInput{})
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("race: errors %v and %v; want exactly one winner", errs[0], errs[1])
		}
		loser, loserID := e.oth, b
		if errs[0] != nil {
			loser, loserID = e.emp, a
		}
		for _, err := range errs {
			if err != nil && apperr.CodeOf(err) != apperr.Conflict {
				t.Fatalf("loser's error %v, want conflict", err)
			}
		}
		v, err := e.svc.Get(ctx, loser, loserID)
		if err != nil {
			t.Fatal(err)
		}
		if !v.Months[0].TakenElsewhere || v.Months[0].Selected {
			t.Fatalf("loser's January: %+v", v.Months[0])
		}
	})
}

func TestAuthorizationAndLockedYear(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id, err := e.svc.Create(ctx, e.emp, 2025, input(p01, "刘喆", 3))
		if err != nil {
			t.Fatal(err)
		}
		// Another employer never reaches it: 404, not 403.
		if _, err := e.svc.Get(ctx, e.oth, id); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("other employer Get: %v", err)
		}
		if _, err := e.svc.SaveMonths(ctx, e.oth, id, placement.SaveInput{}); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("other employer Save: %v", err)
		}
		if err := e.svc.Delete(ctx, e.oth, id); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("other employer Delete: %v", err)
		}
		// Staff see placements only within their federation office subtree.
		for _, c := range []struct {
			office string
			ok     bool
		}{{"220000", true}, {"220100", true}, {"220102", true}, {"220103", false}, {"220200", false}} {
			_, err := e.svc.Get(ctx, actor.Actor{UserID: 99, Name: "r", Role: actor.Reviewer, Office: c.office}, id)
			if (err == nil) != c.ok {
				t.Errorf("reviewer of %s: %v", c.office, err)
			}
		}
		// Files referenced must be the employer's own.
		_, err = e.svc.Create(ctx, e.emp, 2025, input(p06, "吴秀兰", 3, placement.ContractInput{Start: "2022-01-01", FileIDs: []string{e.otherFile}}))
		if fieldsOf(err)["files"] == "" {
			t.Fatalf("foreign contract file: %v", err)
		}
		// After 完成申报 nothing may change.
		if err := e.db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO declarations (employer_id, year, status) VALUES (1, 2025, 'submitted')
            ON CONFLICT (employer_id, year) DO UPDATE SET status = 'submitted'`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for name, err := range map[string]error{
			"create":     func() error { _, err := e.svc.Create(ctx, e.emp, 2025, input(p06, "吴秀兰", 3)); return err }(),
			"save":       func() error { _, err := e.svc.SaveMonths(ctx, e.emp, id, placement.SaveInput{}); return err }(),
			"reregister": e.svc.Reregister(ctx, e.emp, id),
			"delete":     e.svc.Delete(ctx, e.emp, id),
		} {
			if apperr.CodeOf(err) != apperr.Conflict {
				t.Errorf("%s after submission: %v, want conflict", name, err)
			}
		}
	})
}

func TestReregisterAndDelete(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id, err := e.svc.Create(ctx, e.emp, 2025, input(p01, "刘喆", 3))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SaveMonths(ctx, e.emp, id, placement.SaveInput{}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := e.svc.Reregister(ctx, e.emp, id); err != nil {
				t.Fatal(err)
			}
		}
		v, err := e.svc.Get(ctx, e.emp, id)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != placement.Draft || v.IsSaved() || len(v.Contracts) != 1 {
			t.Fatalf("after 重新登记: status %s saved %v contracts %d", v.Status, v.IsSaved(), len(v.Contracts))
		}
		// The released months can now be taken by another employer.
		b, err := e.svc.Create(ctx, e.oth, 2025, input(p01, "刘喆", 3, placement.ContractInput{Start: "2023-03-01", FileIDs: []string{e.otherFile}}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SaveMonths(ctx, e.oth, b, placement.SaveInput{}); err != nil {
			t.Fatalf("other employer after release: %v", err)
		}
		if v, err := e.svc.Get(ctx, e.oth, b); err != nil || !v.Months[0].Selected {
			t.Fatalf("the other employer could not count the released months (%v)", err)
		}
		// Editing a draft keeps the person; changing the ID number is refused.
		upd := input(p01, "刘喆", 2)
		upd.Graduate = placement.GraduateInput{School: "长春大学", Degree: "学士", Major: "会计", Graduated: "2010-07-01", DiplomaNumber: "1234"}
		if err := e.svc.Update(ctx, e.emp, id, upd); err != nil {
			t.Fatal(err)
		}
		if v, err := e.svc.Get(ctx, e.emp, id); err != nil || v.Level != 2 || v.Graduate.School != "长春大学" {
			t.Fatalf("update not stored: %+v (%v)", v.Placement, err)
		}
		if err := e.svc.Update(ctx, e.emp, id, input(p06, "吴秀兰", 3)); fieldsOf(err)["idNumber"] == "" {
			t.Fatalf("ID change: %v", err)
		}
		if err := e.svc.Delete(ctx, e.emp, id); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(ctx, e.emp, id); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("deleted placement: %v", err)
		}
	})
}

func TestValidation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		cases := []struct {
			name  string
			in    placement.Input
			field string
		}{
			{"bad check char", input("220102198807120351", "某", 3), "idNumber"},
			{"gender mismatch", func() placement.Input { i := input(p01, "某", 3); i.Gender = "女"; return i }(), "gender"},
			{"no name", input(p01, " ", 3), "name"},
			{"level", input(p01, "某", 5), "level"},
			{"no contract", placement.Input{IDNumber: p01, Name: "某", Category: 4, Level: 3}, "contracts"},
			{"contract end before start", input(p01, "某", 3, placement.ContractInput{Start: "2025-05-01", End: "2025-04-30", FileIDs: []string{"f-1"}}), "contracts[0].end"},
			{"contract without file", input(p01, "某", 3, placement.ContractInput{Start: "2025-05-01"}), "contracts[0].fileIds"},
			{"bad date", input(p01, "某", 3, placement.ContractInput{Start: "2025-02-30", FileIDs: []string{"f-1"}}), "contracts[0].start"},
			{"certificate of another person", func() placement.Input {
				i := input(p01, "某", 3)
				i.Certificates = []placement.CertificateInput{{Number: "22010319790223017X42", Issued: "2020-01-01", FileIDs: []string{"f-2"}}}
				return i
			}(), "certificates[0].number"},
			{"dispatched without agency", func() placement.Input { i := input(p01, "某", 3); i.Dispatched = true; return i }(), "affiliateId"},
			{"dispatched via subsidiary", func() placement.Input {
				i := input(p01, "某", 3)
				i.Dispatched, i.AffiliateID = true, 2
				return i
			}(), "affiliateId"},
			{"graduate incomplete", func() placement.Input {
				i := input(p01, "某", 3)
				i.Graduate.School = "长春大学"
				return i
			}(), "graduate.major"},
		}
		for _, c := range cases {
			_, err := e.svc.Create(ctx, e.emp, 2025, c.in)
			if apperr.CodeOf(err) != apperr.Invalid || fieldsOf(err)[c.field] == "" {
				t.Errorf("%s: err %v, want a message for %s", c.name, err, c.field)
			}
		}
		if _, rows, err := e.svc.List(ctx, e.emp, 2025); err != nil || len(rows) != 0 {
			t.Fatalf("invalid input wrote %d placements (%v)", len(rows), err)
		}
		if _, err := e.svc.Create(ctx, e.emp, 2031, input(p01, "某", 3)); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("unknown year: %v", err)
		}
	})
}

// TestDemoPersonsThroughTheWholePipeline registers every demo person as data/README.md describes and
// compares the grid with the hand-written expectations: import → Source → placement → rules.
func TestDemoPersonsThroughTheWholePipeline(t *testing.T) {
	raw, err := os.ReadFile("../demo/data/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var expected []struct {
		IDNumber            string
		Dispatched          bool
		FemaleRetirementAge int
		Contracts           []struct{ Start, End *string }
		Months              []map[string]any
	}
	if err := json.Unmarshal(raw, &expected); err != nil {
		t.Fatal(err)
	}
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var totalWeight int
		for _, x := range expected {
			in := placement.Input{IDNumber: x.IDNumber, Name: "演示", Category: 1, Level: 3, Dispatched: x.Dispatched,
				FemaleRetirementAge: x.FemaleRetirementAge}
			if x.Dispatched {
				in.AffiliateID = e.dispatchD
			}
			for _, c := range x.Contracts {
				ci := placement.ContractInput{Start: *c.Start, FileIDs: []string{"f-1"}}
				if c.End != nil {
					ci.End = *c.End
				}
				in.Contracts = append(in.Contracts, ci)
			}
			id, err := e.svc.Create(ctx, e.emp, 2025, in)
			if err != nil {
				t.Fatalf("%s: %v", x.IDNumber, err)
			}
			v, err := e.svc.Get(ctx, e.emp, id)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range x.Months {
				m := v.Months[i]
				got := map[string]any{"month": m.Month.String(), "wage": m.Wage, "socialInsurance": m.SocialInsurance,
					"medicalInsurance": m.MedicalInsurance, "certificate": m.Certificate, "workingAge": m.WorkingAge,
					"contract": m.Contract, "passed": m.Passed, "weight": float64(m.Weight)}
				for k, w := range want {
					if got[k] != w {
						t.Errorf("%s %v %s: got %v want %v (reasons %v)", x.IDNumber, want["month"], k, got[k], w, m.Reasons)
					}
				}
			}
			totalWeight += int(v.Result.WeightMonths)
		}
		if totalWeight != 186 {
			t.Errorf("Σ weight over the demo persons = %d, want 186 (data/README.md)", totalWeight)
		}
	})
}
