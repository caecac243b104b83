package employer_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/employer"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

var t0 = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)

const (
	ownCode   = "91220101MA14U8XK2R" // the demo employer
	otherCode = "91350100M000100Y43"
	thirdCode = "911100001000044477"
)

// env is one test database with the reference data and an employer (and a second one).
type env struct {
	db       *store.DB
	svc      *employer.Service
	emp      actor.Actor
	other    actor.Actor
	clock    *storetest.Clock
	otherEmp int64
}

func setup(t *testing.T, fn func(t *testing.T, e env)) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		e := env{db: db, svc: employer.NewService(store.EmployerRunner(db)), clock: clock}
		id1 := insertEmployer(t, db, ownCode, "长春示范科技有限公司")
		id2 := insertEmployer(t, db, thirdCode, "另一家单位")
		e.emp = actor.Actor{UserID: 0, Name: ownCode, Role: actor.Employer, EmployerID: id1, ClientAddr: "127.0.0.1"}
		e.other = actor.Actor{Name: thirdCode, Role: actor.Employer, EmployerID: id2}
		e.otherEmp = id2
		fn(t, e)
	})
}

func insertEmployer(t *testing.T, db *store.DB, code, name string) int64 {
	t.Helper()
	var id int64
	err := db.SQL().QueryRowContext(context.Background(), `INSERT INTO employers (credit_code, name, created_at, updated_at)
        VALUES ($1, $2, $3, $3) RETURNING id`, code, name, t0).Scan(&id)
	if err != nil {
		t.Fatalf("insert employer: %v", err)
	}
	return id
}

// insertFile adds a file row owned by employerID (the blob bytes do not matter here).
func insertFile(t *testing.T, db *store.DB, id string, employerID int64) {
	t.Helper()
	_, err := db.SQL().ExecContext(context.Background(), `INSERT INTO files (id, employer_id, name, size, blob, content_type, created_at)
        VALUES ($1, $2, $3, 10, 'x', 'application/pdf', $4)`, id, employerID, id+".pdf", t0)
	if err != nil {
		t.Fatalf("insert file: %v", err)
	}
}

// sameProfile compares profiles, times by instant (drivers differ in location and monotonic data).
func sameProfile(a, b employer.Profile) bool {
	if !a.UpdatedAt.Equal(b.UpdatedAt) {
		return false
	}
	a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	return a == b
}

func intp(n int) *int { return &n }

func fullInput() employer.ProfileInput {
	nature, economy, email := "事业单位", "国有", "hr@example.com"
	return employer.ProfileInput{Name: "长春示范科技有限公司", FederationOffice: "220102", TaxOffice: "12201020000",
		District: "220102", ContactName: "王芳", ContactPhone: "13812345678", EmployeeCount: intp(120),
		Address: "长春市南关区人民大街 1 号", UnitNature: &nature, EconomyType: &economy, ContactEmail: &email}
}

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != apperr.Invalid {
		t.Fatalf("want an invalid-input error, got %v", err)
	}
	return ae.Fields
}

func auditCount(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = $1`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSaveFullProfile(t *testing.T) {
	setup(t, func(t *testing.T, e env) {
		ctx := context.Background()
		p, err := e.svc.Profile(ctx, e.emp)
		if err != nil {
			t.Fatal(err)
		}
		if m := employer.Complete(p); len(m) != 7 || m[0] != "残联主管部门" { // the name exists from registration, the seed is an enterprise
			t.Errorf("fresh profile missing = %v", m)
		}
		saved, err := e.svc.SaveProfile(ctx, e.emp, fullInput())
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Profile(ctx, e.emp)
		if err != nil {
			t.Fatal(err)
		}
		if !sameProfile(got, saved) || got.CreditCode != ownCode || got.ContactPhone != "13812345678" || got.EmployeeCount != 120 ||
			got.Enterprise() || got.UnitNature != "事业单位" || got.EconomyType != "国有" || got.ContactEmail != "hr@example.com" || got.District != "220102" || !got.UpdatedAt.Equal(t0) {
			t.Errorf("stored profile = %+v", got)
		}
		if m := employer.Complete(got); len(m) != 0 {
			t.Errorf("complete profile still misses %v", m)
		}
		// A city-level federation office and the province tax office serve the district too; a landline works.
		in := fullInput()
		in.FederationOffice, in.TaxOffice, in.ContactPhone = "220100", "12200000000", "0431-88886666"
		if _, err := e.svc.SaveProfile(ctx, e.emp, in); err != nil {
			t.Fatalf("higher offices refused: %v", err)
		}
		if n := auditCount(t, e.db, "employer.update"); n != 2 {
			t.Errorf("audit entries = %d, want 2", n)
		}
		var detail string
		if err := e.db.SQL().QueryRow(`SELECT detail FROM audit_log WHERE action = 'employer.update' ORDER BY id DESC`).Scan(&detail); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(detail, "0431") || !strings.Contains(detail, "contactPhone") {
			t.Errorf("audit detail %q must name fields, not values", detail)
		}
	})
}

func TestSaveProfileRequiredFields(t *testing.T) {
	cases := []struct {
		field string
		clear func(*employer.ProfileInput)
		msg   string
	}{
		{"name", func(in *employer.ProfileInput) { in.Name = "  " }, "请填写单位名称"},
		{"federationOffice", func(in *employer.ProfileInput) { in.FederationOffice = "" }, "请选择残联主管部门"},
		{"taxOffice", func(in *employer.ProfileInput) { in.TaxOffice = "" }, "请选择税务主管部门"},
		{"district", func(in *employer.ProfileInput) { in.District = "" }, "请选择行政所属区"},
		{"contactName", func(in *employer.ProfileInput) { in.ContactName = "" }, "请填写经办人姓名"},
		{"contactPhone", func(in *employer.ProfileInput) { in.ContactPhone = "" }, "请填写经办人电话"},
		{"employeeCount", func(in *employer.ProfileInput) { in.EmployeeCount = nil }, "请填写在职职工人数"},
		{"address", func(in *employer.ProfileInput) { in.Address = "" }, "请填写单位地址"},
	}
	setup(t, func(t *testing.T, e env) {
		ctx := context.Background()
		for _, c := range cases {
			t.Run(c.field, func(t *testing.T) {
				in := fullInput()
				c.clear(&in)
				_, err := e.svc.SaveProfile(ctx, e.emp, in)
				f := fieldsOf(t, err)
				if len(f) != 1 || !strings.HasPrefix(f[c.field], c.msg) {
					t.Errorf("fields = %v, want only %s: %s", f, c.field, c.msg)
				}
			})
		}
		if n := auditCount(t, e.db, "employer.update"); n != 0 {
			t.Errorf("a refused save was written (%d audit entries)", n)
		}
		p, err := e.svc.Profile(ctx, e.emp)
		if err != nil {
			t.Fatal(err)
		}
		if p.ContactName != "" {
			t.Errorf("partial write: %+v", p)
		}
	})
}

func TestSaveProfileInvalidValues(t *testing.T) {
	cases := []struct {
		name  string
		field string
		set   func(*employer.ProfileInput)
	}{
		{"mobile too short", "contactPhone", func(in *employer.ProfileInput) { in.ContactPhone = "1381234567" }},
		{"mobile bad prefix", "contactPhone", func(in *employer.ProfileInput) { in.ContactPhone = "12812345678" }},
		{"landline without area code", "contactPhone", func(in *employer.ProfileInput) { in.ContactPhone = "88886666" }},
		{"letters", "contactPhone", func(in *employer.ProfileInput) { in.ContactPhone = "0431-8888abcd" }},
		{"zero employees", "employeeCount", func(in *employer.ProfileInput) { in.EmployeeCount = intp(0) }},
		{"negative employees", "employeeCount", func(in *employer.ProfileInput) { in.EmployeeCount = intp(-3) }},
		{"city as district", "district", func(in *employer.ProfileInput) { in.District = "220100" }},
		{"unknown district", "district", func(in *employer.ProfileInput) { in.District = "999999" }},
		{"unknown office", "federationOffice", func(in *employer.ProfileInput) { in.FederationOffice = "990000" }},
		{"office of another city", "federationOffice", func(in *employer.ProfileInput) { in.FederationOffice = "220202" }},
		{"tax office of another city", "taxOffice", func(in *employer.ProfileInput) { in.TaxOffice = "12202000000" }},
		{"name too long", "name", func(in *employer.ProfileInput) { in.Name = strings.Repeat("长", 101) }},
		{"control char", "address", func(in *employer.ProfileInput) { in.Address = "南关区\x00" }},
	}
	setup(t, func(t *testing.T, e env) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := fullInput()
				c.set(&in)
				_, err := e.svc.SaveProfile(context.Background(), e.emp, in)
				if f := fieldsOf(t, err); len(f) != 1 || f[c.field] == "" {
					t.Errorf("fields = %v, want %s", f, c.field)
				}
			})
		}
	})
}

func TestSaveProfileDoubleSubmitAndAuthorization(t *testing.T) {
	setup(t, func(t *testing.T, e env) {
		ctx := context.Background()
		first, err := e.svc.SaveProfile(ctx, e.emp, fullInput())
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		second, err := e.svc.SaveProfile(ctx, e.emp, fullInput())
		if err != nil {
			t.Fatal(err)
		}
		if !sameProfile(first, second) || auditCount(t, e.db, "employer.update") != 1 {
			t.Errorf("double submit changed state: %+v vs %+v", first, second)
		}
		// The other employer's profile is untouched; staff cannot use the employer's use case.
		if p, err := e.svc.Profile(ctx, e.other); err != nil || p.ContactName != "" {
			t.Errorf("other employer changed: %+v (%v)", p, err)
		}
		staff := actor.Actor{Name: "reviewer", Role: actor.Reviewer, Office: "220000"}
		if _, err := e.svc.SaveProfile(ctx, staff, fullInput()); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("staff save: %v", err)
		}
	})
}

func TestReferenceLookups(t *testing.T) {
	setup(t, func(t *testing.T, e env) {
		ctx := context.Background()
		top, err := e.svc.Regions(ctx, "")
		if err != nil || len(top) != 1 || top[0].Code != "220000" {
			t.Fatalf("top regions = %v, %v", top, err)
		}
		cities, err := e.svc.Regions(ctx, "220000")
		if err != nil {
			t.Fatal(err)
		}
		if len(cities) != 9 {
			t.Errorf("cities = %d", len(cities))
		}
		path, err := e.svc.RegionPath(ctx, "220102")
		if err != nil {
			t.Fatal(err)
		}
		if len(path) != 3 || path[0].Code != "220000" || path[2].Code != "220102" {
			t.Errorf("path = %v", path)
		}
		fed, err := e.svc.Offices(ctx, employer.OfficeFederation, "220102")
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, o := range fed {
			codes = append(codes, o.Code)
		}
		if !slices.Equal(codes, []string{"220000", "220100", "220102"}) {
			t.Errorf("federation offices for 南关区 = %v", codes)
		}
		tax, err := e.svc.Offices(ctx, employer.OfficeTax, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(tax) != 70 {
			t.Errorf("all tax offices = %d", len(tax))
		}
		if _, err := e.svc.Offices(ctx, "police", ""); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("bad kind: %v", err)
		}
		if _, err := e.svc.Offices(ctx, employer.OfficeTax, "999999"); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("bad region: %v", err)
		}
	})
}
