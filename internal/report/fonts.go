// Package report renders the certification letter (年审认证确认书) as PDF and signs it. Chinese text
// is drawn with TrueType fonts from the system: no single free font has every character of Chinese
// names and also ASCII digits, so each character is drawn with the first font that has its glyph
// (NOTES.md: gbsn00lp covers GB2312 and ASCII, HanaMin the CJK extensions, DroidSansFallbackFull
// many rarer characters but no ASCII digits). Line breaking is decided on the whole text (see
// linebreak.go); the fonts only decide how each character is drawn.
package report

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-pdf/fpdf"
)

// DefaultFontPaths are the Debian fonts scripts/setup.sh installs, in order of preference: the
// Song-style (宋体) gbsn00lp first, then the Mincho (明朝, the same serif style) HanaMinA and HanaMinB
// of fonts-hanazono for the characters outside GB2312 (CJK Extensions A and B, which GB 18030
// includes: 𠀾 U+2003E), and the sans-serif Droid fallback last, so that a rare character in a name
// is drawn in a serif face matching the text around it whenever a serif font has it.
var DefaultFontPaths = []string{
	"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
	"/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
	"/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
}

// ErrNoFonts means that none of the configured letter fonts could be loaded: letters cannot be
// drawn until one is installed (the web answers 503, /readyz reports it).
var ErrNoFonts = errors.New("no usable certification letter font")

// Font is a loaded TrueType font with its character coverage.
type Font struct {
	Path   string
	Name   string // file name, for logs
	data   []byte
	ranges []runeRange // sorted, non-overlapping
	// supp maps the characters beyond U+FFFF to glyphs (cmap format 12): fpdf draws only the
	// Basic Multilingual Plane, so those characters are drawn through a remapped copy of the
	// font (see remap.go) and need their glyph numbers.
	supp []suppGroup
}

type runeRange struct{ lo, hi rune }

// suppGroup is a format 12 group: characters lo…hi map to glyphs glyph, glyph+1, ….
type suppGroup struct {
	lo, hi rune
	glyph  uint32
}

// glyph returns the glyph of a character beyond U+FFFF, or 0.
func (f *Font) glyph(r rune) uint16 {
	i := sort.Search(len(f.supp), func(i int) bool { return f.supp[i].hi >= r })
	if i < len(f.supp) && f.supp[i].lo <= r {
		if g := f.supp[i].glyph + uint32(r-f.supp[i].lo); g <= 0xFFFF {
			return uint16(g)
		}
	}
	return 0
}

// Has reports whether the font maps r to a real glyph.
func (f *Font) Has(r rune) bool {
	i := sort.Search(len(f.ranges), func(i int) bool { return f.ranges[i].hi >= r })
	return i < len(f.ranges) && f.ranges[i].lo <= r
}

// Fonts is the ordered font list of the letter.
type Fonts struct {
	list    []*Font
	skipped []string // "path: reason" of configured fonts that could not be used
}

// LoadFonts reads and checks the fonts. A path that is missing or not a usable TrueType font is
// skipped and named by Describe, so that a missing fallback font (an older machine without
// fonts-hanazono) costs only its characters, not every letter. With no usable font at all the
// error is ErrNoFonts, naming each path and why.
func LoadFonts(paths []string) (*Fonts, error) {
	fs := &Fonts{}
	for _, p := range paths {
		f, err := loadFont(p)
		if err != nil {
			fs.skipped = append(fs.skipped, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		fs.list = append(fs.list, f)
	}
	if len(fs.list) == 0 {
		if len(paths) == 0 {
			return nil, fmt.Errorf("%w: none configured", ErrNoFonts)
		}
		return nil, fmt.Errorf("%w: %s", ErrNoFonts, strings.Join(fs.skipped, "; "))
	}
	return fs, nil
}

func loadFont(path string) (f *Font, err error) {
	defer func() {
		// fpdf's parser indexes the font's tables without bounds checks: a damaged file must be
		// skipped, not stop the server.
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("PDF library cannot read it: %v", p)
		}
	}()
	data, release, err := readFontFile(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if f == nil {
			release()
		}
	}()
	ranges, supp, err := coverage(data)
	if err != nil {
		return nil, err
	}
	// fpdf has its own TrueType parser, which reports problems only when a letter is drawn: try
	// it once now so that a font it cannot use is skipped at start instead.
	probe := fpdf.New("P", "mm", "A4", "")
	probe.AddUTF8FontFromBytes("probe", "", data)
	if err := probe.Error(); err != nil {
		return nil, fmt.Errorf("PDF library cannot use it: %w", err)
	}
	dropResident(data)
	return &Font{Path: path, Name: filepath.Base(path), data: data, ranges: ranges, supp: supp}, nil
}

// ParseFontPaths splits a --fonts value (paths separated by ':' or ',').
func ParseFontPaths(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == ',' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Describe names the fonts for the start-up log line, and the configured ones that were skipped.
func (fs *Fonts) Describe() string {
	var names []string
	for _, f := range fs.list {
		names = append(names, fmt.Sprintf("%s (%d characters)", f.Path, f.count()))
	}
	s := strings.Join(names, ", then ")
	if len(fs.skipped) > 0 {
		s += "; skipped " + strings.Join(fs.skipped, "; ")
	}
	return s
}

// Skipped lists the configured fonts that could not be used ("path: reason").
func (fs *Fonts) Skipped() []string { return append([]string(nil), fs.skipped...) }

func (f *Font) count() int {
	n := 0
	for _, r := range f.ranges {
		n += int(r.hi-r.lo) + 1
	}
	return n
}

// Missing lists the characters of s that no font has (they would print as boxes).
func (fs *Fonts) Missing(s string) []rune {
	var out []rune
	for _, r := range s {
		if fs.pick(r) < 0 && r > ' ' {
			out = append(out, r)
		}
	}
	return out
}

// pick returns the index of the first font that has r, or -1.
func (fs *Fonts) pick(r rune) int {
	for i, f := range fs.list {
		if f.Has(r) {
			return i
		}
	}
	return -1
}

// coverage reads a TrueType font's Unicode cmap (format 12, else format 4) as sorted ranges of
// characters that map to a glyph other than .notdef, and the format 12 groups beyond U+FFFF.
func coverage(b []byte) ([]runeRange, []suppGroup, error) {
	if len(b) < 12 {
		return nil, nil, errors.New("not a TrueType font")
	}
	if !bytes.HasPrefix(b, []byte{0, 1, 0, 0}) && !bytes.HasPrefix(b, []byte("true")) {
		return nil, nil, errors.New("not a TrueType font (only TrueType outlines can be embedded)")
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	var cmap []byte
	for i := 0; i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(b) {
			return nil, nil, errors.New("truncated table directory")
		}
		if string(b[rec:rec+4]) == "cmap" {
			off, length := int(binary.BigEndian.Uint32(b[rec+8:])), int(binary.BigEndian.Uint32(b[rec+12:]))
			if off+length > len(b) {
				return nil, nil, errors.New("truncated cmap")
			}
			cmap = b[off : off+length]
		}
	}
	if len(cmap) < 4 {
		return nil, nil, errors.New("no cmap table")
	}
	var best []byte
	bestRank := 0
	for i := 0; i < int(binary.BigEndian.Uint16(cmap[2:])); i++ {
		rec := 4 + 8*i
		if rec+8 > len(cmap) {
			break
		}
		pid, eid, off := binary.BigEndian.Uint16(cmap[rec:]), binary.BigEndian.Uint16(cmap[rec+2:]), int(binary.BigEndian.Uint32(cmap[rec+4:]))
		if off+4 > len(cmap) {
			continue
		}
		format := binary.BigEndian.Uint16(cmap[off:])
		rank := 0
		switch {
		case format == 12 && (pid == 3 && eid == 10 || pid == 0):
			rank = 3
		case format == 4 && (pid == 3 && eid == 1 || pid == 0):
			rank = 2
		}
		if rank > bestRank {
			best, bestRank = cmap[off:], rank
		}
	}
	switch bestRank {
	case 3:
		return format12(best)
	case 2:
		r, err := format4(best)
		return r, nil, err
	}
	return nil, nil, errors.New("no Unicode cmap subtable")
}

func format12(t []byte) ([]runeRange, []suppGroup, error) {
	if len(t) < 16 {
		return nil, nil, errors.New("truncated cmap format 12")
	}
	n := int(binary.BigEndian.Uint32(t[12:]))
	var out []runeRange
	var supp []suppGroup
	for i := 0; i < n; i++ {
		g := 16 + 12*i
		if g+12 > len(t) {
			return nil, nil, errors.New("truncated cmap format 12 groups")
		}
		lo, hi, glyph := rune(binary.BigEndian.Uint32(t[g:])), rune(binary.BigEndian.Uint32(t[g+4:])), binary.BigEndian.Uint32(t[g+8:])
		if glyph == 0 {
			lo++ // the first character maps to .notdef
			glyph++
		}
		if lo > hi || hi > 0x10FFFF {
			continue
		}
		out = append(out, runeRange{lo, hi})
		if hi > 0xFFFF {
			if lo <= 0xFFFF {
				glyph += uint32(0x10000 - lo)
				lo = 0x10000
			}
			supp = append(supp, suppGroup{lo, hi, glyph})
		}
	}
	sort.Slice(supp, func(i, j int) bool { return supp[i].lo < supp[j].lo })
	return normalize(out), supp, nil
}

func format4(t []byte) ([]runeRange, error) {
	if len(t) < 14 {
		return nil, errors.New("truncated cmap format 4")
	}
	segX2 := int(binary.BigEndian.Uint16(t[6:]))
	endAt, startAt := 14, 16+segX2
	deltaAt, rangeAt := startAt+segX2, startAt+2*segX2
	if rangeAt+segX2 > len(t) {
		return nil, errors.New("truncated cmap format 4 segments")
	}
	u16 := func(at int) int {
		if at < 0 || at+2 > len(t) {
			return 0
		}
		return int(binary.BigEndian.Uint16(t[at:]))
	}
	var out []runeRange
	for s := 0; s < segX2/2; s++ {
		end, start := u16(endAt+2*s), u16(startAt+2*s)
		delta, ro := u16(deltaAt+2*s), u16(rangeAt+2*s)
		for c := start; c <= end && c != 0xFFFF; c++ {
			glyph := 0
			if ro == 0 {
				glyph = (c + delta) & 0xFFFF
			} else if g := u16(rangeAt + 2*s + ro + 2*(c-start)); g != 0 {
				glyph = (g + delta) & 0xFFFF
			}
			if glyph != 0 {
				if n := len(out); n > 0 && out[n-1].hi == rune(c)-1 {
					out[n-1].hi = rune(c)
				} else {
					out = append(out, runeRange{rune(c), rune(c)})
				}
			}
		}
	}
	return normalize(out), nil
}

func normalize(rs []runeRange) []runeRange {
	sort.Slice(rs, func(i, j int) bool { return rs[i].lo < rs[j].lo })
	var out []runeRange
	for _, r := range rs {
		if n := len(out); n > 0 && r.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}
