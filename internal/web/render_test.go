package web

import (
	"bytes"
	"reflect"
	"testing"

	"quotacert/internal/actor"
)

// TestKeptLayoutReadsOnlyItsKey: around kept content the layout's halves are kept by layoutKey.
// For every field of Page and of its Actor that the halves read (changing it changes their
// rendering), the kept rendering must follow it too — were a field read and not in the key, one
// user's header would be shown to another. The halves are rendered after every other variant, so
// each comes from a warm cache.
func TestKeptLayoutReadsOnlyItsKey(t *testing.T) {
	s, err := New(Deps{})
	if err != nil {
		t.Fatal(err)
	}
	const page = "placement_grid"
	tmpl := s.pages[page]
	direct := func(p Page) string {
		var b bytes.Buffer
		for _, name := range []string{"layout-top", "layout-bottom"} {
			if err := tmpl.ExecuteTemplate(&b, name, p); err != nil {
				t.Fatal(err)
			}
			if name == "layout-top" {
				b.WriteString(string(p.Body))
			}
		}
		return b.String()
	}
	kept := func(p Page) string {
		var b bytes.Buffer
		if err := s.execLayout(tmpl, &b, page, p); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	base := Page{Title: "人员信息校验", Nav: "placements", Body: "<p>kept</p>", Unread: 2,
		Actor: actor.Actor{UserID: 1, Name: "91220101MA14U8XK2R", Role: actor.Employer, EmployerID: 1, Unit: "甲单位"}}
	variants := []Page{base}
	vary := func(v reflect.Value, set func(Page)) {
		for i := range v.NumField() {
			f := v.Field(i)
			switch f.Kind() {
			case reflect.String:
				old := f.String()
				f.SetString(old + "变")
				set(base)
				f.SetString(old)
			case reflect.Int, reflect.Int64:
				old := f.Int()
				f.SetInt(old + 7)
				set(base)
				f.SetInt(old)
			case reflect.Bool:
				f.SetBool(!f.Bool())
				set(base)
				f.SetBool(!f.Bool())
			}
		}
	}
	add := func(p Page) { variants = append(variants, p) }
	vary(reflect.ValueOf(&base).Elem(), add)
	vary(reflect.ValueOf(&base.Actor).Elem(), add)
	read := 0
	for range 2 { // the second round from a warm cache
		for _, p := range variants {
			if p.Body != base.Body {
				continue // the content itself, not the layout
			}
			want := direct(p)
			if want != direct(base) {
				read++
			}
			if got := kept(p); got != want {
				t.Errorf("the kept layout of %+v differs from its rendering:\n%s\nwant\n%s", p, got, want)
			}
		}
	}
	if read < 2*5 {
		t.Errorf("only %d variants changed the layout: the test no longer varies what it reads", read/2)
	}
}
