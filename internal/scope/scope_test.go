package scope_test

import (
	"context"
	"testing"

	"quotacert/internal/actor"
	"quotacert/internal/admin"
	"quotacert/internal/apperr"
	"quotacert/internal/refdata"
	"quotacert/internal/scope"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

func adminOf(office string) actor.Actor {
	return actor.Actor{UserID: 9, Name: "adm-" + office, Role: actor.Admin, Office: office}
}

// TestJurisdiction is DOMAIN.md §7's rule, table by table, on the real office tree of the Jilin
// reference data, on both databases: the root (吉林省残联), a city (长春市残联), a district (南关区残联)
// and the command line, against offices and minimum-wage prefixes in and out of their subtrees.
func TestJurisdiction(t *testing.T) {
	storetest.Each(t, storetest.Options{Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		run := store.AdminRunner(db)
		resolve := func(a actor.Actor) (sc scope.Admin, err error) {
			err = run(ctx, func(tx admin.Tx) (err error) { sc, err = scope.Resolve(ctx, tx, a); return err })
			return sc, err
		}
		actors := map[string]actor.Actor{"root": adminOf("220000"), "city": adminOf("220100"), "district": adminOf("220102"),
			"system": actor.System("test")}
		want := map[string]struct {
			province bool
			root     string
		}{"root": {true, "吉林省残疾人联合会"}, "city": {false, "吉林省残疾人联合会"}, "district": {false, "吉林省残疾人联合会"}, "system": {true, "省残联"}}
		scopes := map[string]scope.Admin{}
		for name, a := range actors {
			sc, err := resolve(a)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if sc.Province() != want[name].province || sc.RootName != want[name].root {
				t.Errorf("%s: province=%v root %q", name, sc.Province(), sc.RootName)
			}
			scopes[name] = sc
		}
		if sc := scopes["city"]; sc.Office.Code != "220100" || sc.Office.Region != "220100" || sc.Office.Name != "长春市残疾人联合会" {
			t.Errorf("city office %+v", sc.Office)
		}

		// Offices: Covers includes the own office, Below does not (except at the root, which has
		// nobody above it); "" is an employer without an office, which belongs to the root.
		for _, tc := range []struct {
			who, office   string
			covers, below bool
		}{
			{"root", "220000", true, true},
			{"root", "220102", true, true},
			{"root", "", true, true},
			{"city", "220100", true, false},
			{"city", "220102", true, true},
			{"city", "220000", false, false},
			{"city", "220200", false, false}, // the sibling city
			{"city", "220202", false, false}, // a district of the sibling city
			{"city", "", false, false},
			{"city", "999999", false, false}, // no such office
			{"district", "220102", true, false},
			{"district", "220103", false, false},
			{"district", "220100", false, false},
			{"system", "220102", true, true},
		} {
			err := run(ctx, func(tx admin.Tx) error {
				sc := scopes[tc.who]
				covers, err := sc.Covers(ctx, tx, tc.office)
				if err != nil {
					return err
				}
				below, err := sc.Below(ctx, tx, tc.office)
				if err != nil {
					return err
				}
				if covers != tc.covers || below != tc.below {
					t.Errorf("%s on office %q: covers=%v below=%v, want %v %v", tc.who, tc.office, covers, below, tc.covers, tc.below)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}

		// Minimum wages: a prefix reaches every region whose code begins with it, so an admin may
		// write it only when all of them are its own; 2 digits are the whole province.
		for _, tc := range []struct {
			who, prefix string
			want        bool
		}{
			{"root", "22", true},
			{"root", "2202", true},
			{"city", "22", false},
			{"city", "2201", true},
			{"city", "220102", true},
			{"city", "220100", true},
			{"city", "2202", false},
			{"city", "220202", false},
			{"district", "2201", false}, // the whole city: more than the district
			{"district", "220102", true},
			{"district", "220103", false},
			{"system", "22", true},
		} {
			if got := scopes[tc.who].WagePrefix(tc.prefix); got != tc.want {
				t.Errorf("%s on wage prefix %s: %v, want %v", tc.who, tc.prefix, got, tc.want)
			}
		}

		// Only administrators (and the command line) have a jurisdiction to resolve.
		for _, tc := range []struct {
			a    actor.Actor
			code apperr.Code
		}{
			{actor.Actor{Name: "rev", Role: actor.Reviewer, Office: "220000"}, apperr.Forbidden},
			{actor.Actor{Name: "emp", Role: actor.Employer, EmployerID: 1}, apperr.Forbidden},
			{actor.Actor{Name: "nobody"}, apperr.Unauthorized},
			{adminOf("999999"), apperr.Forbidden}, // an admin whose office is gone
		} {
			if _, err := resolve(tc.a); apperr.CodeOf(err) != tc.code {
				t.Errorf("resolve %+v: %v, want %s", tc.a, err, tc.code)
			}
		}
	})
}

func TestSignificant(t *testing.T) {
	for in, want := range map[string]string{"220000": "22", "220100": "2201", "220102": "220102", "220200": "2202", "110000": "11", "22": "22"} {
		if got := scope.Significant(in); got != want {
			t.Errorf("Significant(%s) = %s, want %s", in, got, want)
		}
	}
}
