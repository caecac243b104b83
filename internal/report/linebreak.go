package report

import (
	"strings"
	"unicode"
)

// Line breaking by the Chinese rules (GB/T 15834 标点符号用法 and common 禁则 practice): a line
// never starts with closing punctuation (）」》，。、；：！？…) and never ends with opening
// punctuation (（「《“), the two halves of —— and …… stay together, and a Latin word or number
// (a credit code, a letter number, a URL) is not split. Where these rules leave no place to break
// a line that is too long, a span the caller marked as kept together (a name) is split first, and
// only then are the rules broken: a line is never left empty and the text never overflows by more
// than one character.
//
// The breaker works on the whole text with a width per character, so the choice of font for each
// character (fonts.go) decides only how it is drawn, never where a line breaks.

// noStart are the characters that must not begin a line (行首禁则).
const noStart = "!%),.:;?]}¢°·’”‰′″℃∶、。〃〆〉》」』】〕〗〙〛〞〟﹐﹑﹒﹔﹕﹖﹗﹚﹜﹞！＂％＇），．：；？］｝～｠»›–—…‥ヽヾーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖ々〻゛゜ゝゞ・"

// noEnd are the characters that must not end a line (行尾禁则).
const noEnd = "([{£¥‘“‵〈《「『【〔〖〘〚〝﹙﹛﹝（＄［｛｟￡￥«‹"

func startForbidden(r rune) bool { return strings.ContainsRune(noStart, r) }
func endForbidden(r rune) bool   { return strings.ContainsRune(noEnd, r) }

// kinsokuAllows reports whether the rules allow a line break between the characters a and b.
func kinsokuAllows(a, b rune) bool {
	switch {
	case startForbidden(b), endForbidden(a):
		return false
	case a == b && (a == '—' || a == '…' || a == '‥'):
		return false
	}
	return true
}

// wordRune reports whether r belongs to a Latin word or number, which is not broken inside:
// letters and digits of alphabetic scripts and the ASCII punctuation that joins them
// (91220101MA14U8XK2R, JL2025-000007, https://…/verify/abc).
func wordRune(r rune) bool {
	if r < 0x80 {
		return r > ' ' && r != 0x7F
	}
	return r < 0x2E80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
}

// span is a piece of text; keep asks that it not be broken unless it is wider than a line.
type span struct {
	text string
	keep bool
}

// token is the unit of breaking: a word, a space, or a single other character.
type token struct {
	runes []rune
	width float64
	space bool
	// glue forbids a break before this token: 1 inside a kept span or a split word (the first
	// thing given up), 2 by the rules of punctuation (given up only when nothing else fits).
	glue int
}

// breakLines breaks a paragraph into lines no wider than maxWidth (where the rules allow; see the
// top of this file). width gives each character's advance. The lines joined are the input.
func breakLines(spans []span, maxWidth float64, width func(rune) float64) []string {
	toks := tokenize(spans, maxWidth, width)
	var lines []string
	emit := func(ts []token) {
		var b strings.Builder
		for _, t := range ts {
			b.WriteString(string(t.runes))
		}
		lines = append(lines, b.String())
	}
	start, w := 0, 0.0
	for i := range toks {
		// Spaces may hang into the margin: they are invisible at a line's end.
		for i > start && !toks[i].space && w+toks[i].width > maxWidth {
			b := lastBreak(toks, start, i)
			emit(toks[start:b])
			start, w = b, 0
			for _, t := range toks[b:i] {
				w += t.width
			}
		}
		w += toks[i].width
	}
	if start < len(toks) {
		emit(toks[start:])
	}
	return lines
}

// lastBreak returns the latest place in (start, i] to break before, by the least glue needed:
// a free place if there is one, else one inside a kept span or word, else right before i.
func lastBreak(toks []token, start, i int) int {
	for level := 0; level < 2; level++ {
		for b := i; b > start; b-- {
			if toks[b].glue <= level {
				return b
			}
		}
	}
	return i
}

// tokenize splits the spans into tokens and sets the glue before each one.
func tokenize(spans []span, maxWidth float64, width func(rune) float64) []token {
	var toks []token
	var prev rune
	for _, sp := range spans {
		first := len(toks)
		keep := sp.keep && spanWidth(sp.text, width) <= maxWidth // too wide to keep: break it as any text
		rs := []rune(sp.text)
		for i := 0; i < len(rs); {
			j := i + 1
			if wordRune(rs[i]) {
				for j < len(rs) && wordRune(rs[j]) {
					j++
				}
			}
			t := token{runes: rs[i:j], space: rs[i] == ' '}
			for _, r := range t.runes {
				t.width += width(r)
			}
			switch {
			case len(toks) == 0:
			case t.space:
				t.glue = 2 // break after a space, not before it
			case !kinsokuAllows(prev, rs[i]):
				t.glue = 2
			case keep && len(toks) > first:
				t.glue = 1
			}
			if len(t.runes) > 1 && t.width > maxWidth {
				// A word wider than a line is split where needed, as a kept span is.
				for k, r := range t.runes {
					sub := token{runes: t.runes[k : k+1], width: width(r), glue: 1}
					if k == 0 {
						sub.glue = t.glue
					}
					toks = append(toks, sub)
				}
			} else {
				toks = append(toks, t)
			}
			prev = rs[j-1]
			i = j
		}
	}
	return toks
}

func spanWidth(s string, width func(rune) float64) float64 {
	w := 0.0
	for _, r := range s {
		w += width(r)
	}
	return w
}
