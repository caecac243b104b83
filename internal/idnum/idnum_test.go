package idnum

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

var today = Date{2026, 3, 1}

// withCheck appends the GB 11643 check character to 17 digits; tests use it
// to build valid numbers for chosen birth dates.
func withCheck(first17 string) string {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return first17 + string(idCheckChars[sum%11])
}

func TestParseResidentIDVectors(t *testing.T) {
	// DOMAIN.md §2 test vectors, and their variants.
	tests := []struct {
		in     string
		want   string
		birth  Date
		female bool
		err    error
	}{
		{in: "11010519491231002X", want: "11010519491231002X", birth: Date{1949, 12, 31}, female: true},
		{in: "11010519491231002x", want: "11010519491231002X", birth: Date{1949, 12, 31}, female: true},
		{in: "53010219200508011X", want: "53010219200508011X", birth: Date{1920, 5, 8}, female: false},
		{in: "530102192005080119", err: ErrIDChecksum},
		{in: "53010219200508011", err: ErrIDLength},
		{in: "53010219200508011X1", err: ErrIDLength},
		{in: "", err: ErrIDLength},
		{in: "5301021920050801AX", err: ErrIDFormat},
		{in: "53010219200508011Y", err: ErrIDFormat},
		{in: "５30102192005080119", err: ErrIDLength}, // full-width digit: 20 bytes
		{in: withCheck("22010219800229001"), want: withCheck("22010219800229001"), birth: Date{1980, 2, 29}}, // leap day
		{in: withCheck("22010219810229001"), err: ErrIDBirthInvalid},
		{in: withCheck("22010219801301001"), err: ErrIDBirthInvalid},
		{in: withCheck("22010219800100001"), err: ErrIDBirthInvalid},
		{in: withCheck("22010217991231001"), err: ErrIDBirthInvalid},
		{in: withCheck("22010220260302001"), err: ErrIDBirthFuture},
		{in: withCheck("22010220260301001"), want: withCheck("22010220260301001"), birth: Date{2026, 3, 1}}, // born today
		{in: withCheck("22010219800101001"), want: withCheck("22010219800101001"), birth: Date{1980, 1, 1}},
		{in: withCheck("22010219800101002"), want: withCheck("22010219800101002"), birth: Date{1980, 1, 1}, female: true},
	}
	for _, tt := range tests {
		got, err := ParseResidentID(tt.in, today)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("ParseResidentID(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseResidentID(%q) error = %v", tt.in, err)
			continue
		}
		if got.Number != tt.want || got.Birth != tt.birth || got.Female != tt.female {
			t.Errorf("ParseResidentID(%q) = %+v, want %s %v female=%v", tt.in, got, tt.want, tt.birth, tt.female)
		}
	}
}

func TestChecksumMessage(t *testing.T) {
	_, err := ParseResidentID("530102192005080119", today)
	if err == nil || err.Error() != "身份证号校验位错误" {
		t.Fatalf("error = %v, want 身份证号校验位错误", err)
	}
}

func TestParseCreditCode(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{in: "91350100M000100Y43", want: "91350100M000100Y43"},
		{in: "911100001000044477", want: "911100001000044477"},
		{in: "91350100m000100y43", want: "91350100M000100Y43"},
		{in: "91220101MA14U8XK2R", want: "91220101MA14U8XK2R"}, // the demo employer of CONTRACT.md
		{in: "91350100M000100Y44", err: ErrCreditChecksum},
		{in: "911100001000044478", err: ErrCreditChecksum},
		{in: "91350100M000100Y4", err: ErrCreditLength},
		{in: "91350100I000100Y43", err: ErrCreditChar},
		{in: "91350100O000100Y43", err: ErrCreditChar},
		{in: "9135010-M000100Y43", err: ErrCreditChar},
		{in: "91350100M000100YZ3", err: ErrCreditChar},
	}
	for _, tt := range tests {
		got, err := ParseCreditCode(tt.in)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("ParseCreditCode(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseCreditCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseCertificateNumber(t *testing.T) {
	id := "11010519491231002X"
	tests := []struct {
		in   string
		want Certificate
		err  error
	}{
		{in: id + "41", want: Certificate{Number: id + "41", ResidentID: id, Category: CategoryPhysical, Level: 1}},
		{in: "11010519491231002x74", want: Certificate{Number: id + "74", ResidentID: id, Category: CategoryMultiple, Level: 4}},
		{in: id + "12B1", want: Certificate{Number: id + "12B1", ResidentID: id, Category: CategoryVision, Level: 2, Reissue: "1"}},
		{in: id + "12b12", want: Certificate{Number: id + "12B12", ResidentID: id, Category: CategoryVision, Level: 2, Reissue: "12"}},
		{in: id + "81", err: ErrCertFormat},
		{in: id + "01", err: ErrCertFormat},
		{in: id + "15", err: ErrCertFormat},
		{in: id + "10", err: ErrCertFormat},
		{in: id + "1", err: ErrCertFormat},
		{in: id + "11B", err: ErrCertFormat},
		{in: id + "11C1", err: ErrCertFormat},
		{in: id + "11B1a", err: ErrCertFormat},
		{in: "1101051949123100YX11", err: ErrCertFormat},
		{in: "", err: ErrCertFormat},
	}
	for _, tt := range tests {
		got, err := ParseCertificateNumber(tt.in)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("ParseCertificateNumber(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseCertificateNumber(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	c, err := ParseCertificateNumber(id + "41")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckOwner(id); err != nil {
		t.Errorf("CheckOwner(own id) = %v", err)
	}
	if err := c.CheckOwner("53010219200508011X"); !errors.Is(err, ErrCertOwner) {
		t.Errorf("CheckOwner(other id) = %v, want ErrCertOwner", err)
	}
	if CategoryMental.String() != "精神" || Category(0).String() != "" || Category(8).String() != "" {
		t.Errorf("Category names wrong")
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{MaskID("220102198001010012"), "220102********0012"},
		{MaskID("22010219800101001X"), "220102********001X"},
		{MaskCertificate("22010219800101001241"), "220102**********1241"},
		{MaskCertificate("22010219800101001241B1"), "220102************41B1"},
		{MaskPhone("13812345678"), "138****5678"},
		{MaskPhone("0431-88881234"), "043******1234"},
		{MaskPhone("1234567"), "*******"},
		{MaskID(""), ""},
		{MaskID("张三李四王五赵六钱七孙八"), "张三李四王五**钱七孙八"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func FuzzResidentID(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", "53010219200508011X", "530102192005080119", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseResidentID(s, today)
		if err != nil {
			var e Error
			if !errors.As(err, &e) || e == "" {
				t.Fatalf("error %v is not an idnum.Error", err)
			}
			return
		}
		if id.Number != strings.ToUpper(s) {
			t.Fatalf("normalised %q to %q", s, id.Number)
		}
		again, err := ParseResidentID(id.Number, today)
		if err != nil || again != id {
			t.Fatalf("round trip of %q: %+v, %v", id.Number, again, err)
		}
		if id.Birth.after(today) {
			t.Fatalf("birth %v after today", id.Birth)
		}
	})
}

func FuzzCreditCode(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "911100001000044477", "91350100m000100y43", "9135010OM000100Y43"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCreditCode(s)
		if err != nil {
			return
		}
		if c != strings.ToUpper(s) {
			t.Fatalf("normalised %q to %q", s, c)
		}
		again, err := ParseCreditCode(c)
		if err != nil || again != c {
			t.Fatalf("round trip of %q: %q, %v", c, again, err)
		}
	})
}

func FuzzCertificateNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X41", "11010519491231002x74B2", "1101051949123100211b", "110105194912310021"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCertificateNumber(s)
		if err != nil {
			return
		}
		if c.Number != strings.ToUpper(s) {
			t.Fatalf("normalised %q to %q", s, c.Number)
		}
		again, err := ParseCertificateNumber(c.Number)
		if err != nil || again != c {
			t.Fatalf("round trip of %q: %+v, %v", c.Number, again, err)
		}
		if c.Category < 1 || c.Category > 7 || c.Level < 1 || c.Level > 4 || len(c.ResidentID) != 18 {
			t.Fatalf("bad parts %+v", c)
		}
	})
}

func TestMaskIDsIn(t *testing.T) {
	in := "GET /api/v1/registry/persons/11010519491231002X and 220102198807120351x"
	got := MaskIDsIn(in)
	if got != "GET /api/v1/registry/persons/110105********002X and 220102********0351x" {
		t.Fatalf("MaskIDsIn = %q", got)
	}
	if !ContainsIDLike(in) || ContainsIDLike("长春示例科技有限公司 12345") {
		t.Fatal("ContainsIDLike wrong")
	}
}

func TestVeteranNumber(t *testing.T) {
	valid := map[string]string{
		"吉军残字第012345号":                     "吉军残字第012345号",
		"  吉军残字第012345号　 ":                 "吉军残字第012345号",
		"吉军残字第０１２３４５号":                     "吉军残字第012345号",
		"ab":                               "AB",
		"No. 12345":                        "NO. 12345",
		"ｊｌ１２":                             "JL12",
		"12345678901234567890123456789012": "12345678901234567890123456789012",
	}
	for in, want := range valid {
		got, err := ParseVeteranNumber(in)
		if err != nil || got != want {
			t.Errorf("ParseVeteranNumber(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1", "  x  ", "123456789012345678901234567890123", "吉军\n残字", "吉军\t12", "a\x00b", "\xff\xfe", "号\u200b"} {
		if got, err := ParseVeteranNumber(in); err != ErrVeteranNumber {
			t.Errorf("ParseVeteranNumber(%q) = %q, %v; want ErrVeteranNumber", in, got, err)
		}
	}
	for in, want := range map[string]string{"吉军残字第012345号": "吉军********5号", "AB12": "****", "ABC12": "AB*12"} {
		if got := MaskVeteranNumber(in); got != want {
			t.Errorf("MaskVeteranNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzVeteranNumber(f *testing.F) {
	for _, s := range []string{"吉军残字第012345号", "ab", "  x ", "１２３", "a\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseVeteranNumber(s)
		if err != nil {
			return
		}
		// Normalised once is normalised: the look-up hash of a number is stable.
		again, err := ParseVeteranNumber(n)
		if err != nil || again != n {
			t.Fatalf("%q → %q → %q, %v", s, n, again, err)
		}
		if c := utf8.RuneCountInString(n); c < MinVeteranNumber || c > MaxVeteranNumber || strings.ContainsAny(n, "\r\n\t\x00") {
			t.Fatalf("accepted %q", n)
		}
		// The mask keeps the first and last two characters of a longer number and hides the rest.
		m, r := []rune(MaskVeteranNumber(n)), []rune(n)
		if len(m) != len(r) {
			t.Fatalf("mask %q of %q", string(m), n)
		}
		for i := range r {
			keep := len(r) > 4 && (i < 2 || i >= len(r)-2)
			if (keep && m[i] != r[i]) || (!keep && m[i] != '*') {
				t.Fatalf("mask %q of %q at %d", string(m), n, i)
			}
		}
	})
}

func TestAllDigits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"0", true},
		{"220102", true},
		{"12345678901234567890", true},
		{"", false},
		{"-1", false},
		{"22 01", false},
		{"2201x", false},
		{"２２０１", false}, // full-width digits
		{"٢٢", false},   // Arabic-Indic digits: unicode.IsDigit, yet no code is written with them
		{"22\n", false},
	} {
		if got := AllDigits(tc.in); got != tc.want {
			t.Errorf("AllDigits(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
