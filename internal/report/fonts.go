// Package report renders the certification letter (年审认证确认书) as PDF. Chinese text is drawn
// with TrueType fonts from the system: no single free font has every character of Chinese names
// and also ASCII digits, so each run of text is drawn with the first font that has all of its
// glyphs (NOTES.md: gbsn00lp covers GB2312 and ASCII, DroidSansFallbackFull the rarer characters
// such as 喆 and 堃 but no ASCII digits).
package report

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultFontPaths are the Debian fonts scripts/setup.sh installs, in order of preference.
var DefaultFontPaths = []string{
	"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
}

// Font is a loaded TrueType font with its character coverage.
type Font struct {
	Path   string
	Name   string // file name, for logs
	data   []byte
	ranges []runeRange // sorted, non-overlapping
}

type runeRange struct{ lo, hi rune }

// Has reports whether the font maps r to a real glyph.
func (f *Font) Has(r rune) bool {
	i := sort.Search(len(f.ranges), func(i int) bool { return f.ranges[i].hi >= r })
	return i < len(f.ranges) && f.ranges[i].lo <= r
}

// Fonts is the ordered font list of the letter.
type Fonts struct{ list []*Font }

// LoadFonts reads and checks the fonts. A path that is missing or not a usable TrueType font is an
// error naming it, so the server says at start what is wrong instead of printing boxes later.
func LoadFonts(paths []string) (*Fonts, error) {
	if len(paths) == 0 {
		return nil, errors.New("no font configured")
	}
	fs := &Fonts{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("font %s: %w", p, err)
		}
		ranges, err := coverage(data)
		if err != nil {
			return nil, fmt.Errorf("font %s: %w", p, err)
		}
		fs.list = append(fs.list, &Font{Path: p, Name: filepath.Base(p), data: data, ranges: ranges})
	}
	return fs, nil
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

// Describe names the fonts for the start-up log line.
func (fs *Fonts) Describe() string {
	var names []string
	for _, f := range fs.list {
		names = append(names, fmt.Sprintf("%s (%d characters)", f.Path, f.count()))
	}
	return strings.Join(names, ", then ")
}

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

type run struct {
	font int
	text string
}

// runs splits s into maximal runs drawable with one font. Spaces stay with the current run;
// a character no font has is drawn with the first font.
func (fs *Fonts) runs(s string) []run {
	var out []run
	for _, r := range s {
		i := fs.pick(r)
		if i < 0 || (r == ' ' && len(out) > 0) {
			i = 0
			if len(out) > 0 {
				i = out[len(out)-1].font
			}
		}
		if n := len(out); n > 0 && out[n-1].font == i {
			out[n-1].text += string(r)
			continue
		}
		out = append(out, run{font: i, text: string(r)})
	}
	return out
}

// coverage reads a TrueType font's Unicode cmap (format 12, else format 4) as sorted ranges of
// characters that map to a glyph other than .notdef.
func coverage(b []byte) ([]runeRange, error) {
	if len(b) < 12 {
		return nil, errors.New("not a TrueType font")
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	var cmap []byte
	for i := 0; i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(b) {
			return nil, errors.New("truncated table directory")
		}
		if string(b[rec:rec+4]) == "cmap" {
			off, length := int(binary.BigEndian.Uint32(b[rec+8:])), int(binary.BigEndian.Uint32(b[rec+12:]))
			if off+length > len(b) {
				return nil, errors.New("truncated cmap")
			}
			cmap = b[off : off+length]
		}
	}
	if len(cmap) < 4 {
		return nil, errors.New("no cmap table")
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
		return format4(best)
	}
	return nil, errors.New("no Unicode cmap subtable")
}

func format12(t []byte) ([]runeRange, error) {
	if len(t) < 16 {
		return nil, errors.New("truncated cmap format 12")
	}
	n := int(binary.BigEndian.Uint32(t[12:]))
	var out []runeRange
	for i := 0; i < n; i++ {
		g := 16 + 12*i
		if g+12 > len(t) {
			return nil, errors.New("truncated cmap format 12 groups")
		}
		lo, hi, glyph := rune(binary.BigEndian.Uint32(t[g:])), rune(binary.BigEndian.Uint32(t[g+4:])), binary.BigEndian.Uint32(t[g+8:])
		if glyph == 0 {
			lo++ // the first character maps to .notdef
		}
		if lo <= hi {
			out = append(out, runeRange{lo, hi})
		}
	}
	return normalize(out), nil
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
