package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// unitWidth is a typewriter measure: 1 for a Chinese character, ½ for ASCII, as the Song font sets
// them.
func unitWidth(r rune) float64 {
	if r < 0x80 {
		return 0.5
	}
	return 1
}

func width(s string) float64 { return spanWidth(s, unitWidth) }

func TestBreakLines(t *testing.T) {
	cases := []struct {
		name  string
		spans []span
		max   float64
		want  []string
	}{
		{"plain Chinese fills each line", []span{{text: "一二三四五六七八九十"}}, 4,
			[]string{"一二三四", "五六七八", "九十"}},
		{"a comma never starts a line: the character before it moves along", []span{{text: "一二三四，五六"}}, 4,
			[]string{"一二三", "四，五六"}},
		{"closing bracket after a code: the code moves, the bracket stays with it",
			[]span{{text: "代码："}, {text: "91220101", keep: true}, {text: "）年度"}}, 7,
			[]string{"代码：", "91220101）年度"}},
		{"an opening bracket never ends a line", []span{{text: "一二三（四）"}}, 4,
			[]string{"一二三", "（四）"}},
		{"a dash pair stays together", []span{{text: "一二三——四"}}, 4,
			[]string{"一二", "三——四"}},
		{"an ellipsis pair stays together", []span{{text: "一二三……"}}, 4,
			[]string{"一二", "三……"}},
		{"a word or number is not split", []span{{text: "编号JL2025-000007号"}}, 8,
			[]string{"编号", "JL2025-000007号"}},
		{"a word wider than a line is split where needed", []span{{text: "ABCDEFGHIJKL"}}, 3,
			[]string{"ABCDEF", "GHIJKL"}},
		{"a kept name moves to the next line whole", []span{{text: "单位："}, {text: "长春市示例", keep: true}}, 6,
			[]string{"单位：", "长春市示例"}},
		{"a kept name too long for any line breaks like other text", []span{{text: "名"}, {text: "甲乙丙丁戊己", keep: true}}, 4,
			[]string{"名甲乙丙", "丁戊己"}},
		{"spaces hang at the end of a line", []span{{text: "AB CD EF"}}, 2,
			[]string{"AB ", "CD ", "EF"}},
		{"only forbidden places left: the rule gives way, no line is empty", []span{{text: "一，，，，，，"}}, 3,
			[]string{"一，，", "，，，", "，"}},
		{"empty text has no lines", []span{{text: ""}}, 4, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := breakLines(c.spans, c.max, unitWidth)
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Fatalf("breakLines = %q, want %q", got, c.want)
			}
		})
	}
}

// FuzzBreakLines checks the breaker on any text: no panic, every character kept in order, no empty
// line, no line wider than the measure, and a forbidden line start or end only where the line
// before offered no permitted place to break.
func FuzzBreakLines(f *testing.F) {
	for _, s := range []string{"经审核认证，长春市喆堃示例科技有限公司（统一社会信用代码：91220101MA14U8XK2R）2025年度",
		"（（（（））））", "a b  c", "——……，。", "𠀾𠀾𠀾，", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "\x00\xff"} {
		f.Add(s, uint8(5))
	}
	f.Fuzz(func(t *testing.T, s string, m uint8) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "?")
		}
		maxW := float64(m%40) + 1
		lines := breakLines([]span{{text: s}}, maxW, unitWidth)
		if got := strings.Join(lines, ""); got != s {
			t.Fatalf("lost or reordered characters: %q from %q", got, s)
		}
		for i, l := range lines {
			if l == "" {
				t.Fatalf("line %d empty in %q", i, lines)
			}
			if w := width(strings.TrimRight(l, " ")); w > maxW {
				t.Fatalf("line %d %q is %.1f wide, more than %.1f", i, l, w, maxW)
			}
			if i == 0 {
				continue
			}
			prev := []rune(lines[i-1])
			first, _ := utf8.DecodeRuneInString(l)
			if kinsokuAllows(prev[len(prev)-1], first) {
				continue
			}
			for j := 1; j < len(prev); j++ {
				a, b := prev[j-1], prev[j]
				if b != ' ' && !(wordRune(a) && wordRune(b)) && kinsokuAllows(a, b) {
					t.Fatalf("line %d starts %q after %q although the line before could break at %d: %q",
						i, l, lines[i-1], j, lines)
				}
			}
		}
	})
}
