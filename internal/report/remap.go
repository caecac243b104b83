package report

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
)

// fpdf draws a UTF-8 font by character code = Unicode code point and reads only the format 4
// (Basic Multilingual Plane) part of a font's cmap, so it cannot draw 𠀾 (U+2003E) or any other
// character of the CJK extensions beyond U+FFFF, which GB 18030 and real names contain. Such a
// character is drawn instead through a copy of its font whose cmap maps a Private Use Area code
// (U+E000…) to the character's glyph, and the PDF says what the glyphs mean with an ActualText
// span (PDF 32000-1 §14.9.4), which text extraction (pdftotext, screen readers, copy and paste)
// reads in place of the private codes.

// puaBase is the first code of the Private Use Area used for the remapped characters; there are
// 6,400 codes up to U+F8FF, far more than the distinct rare characters of one letter.
const (
	puaBase = 0xE000
	puaLast = 0xF8FF
)

// remapFont returns a copy of the TrueType font data whose only cmap subtable (3,1, format 4) maps
// U+E000+i to glyphs[i]. The other tables are kept as they are: fpdf subsets the glyphs it needs
// and writes its own cmap into the embedded font.
func remapFont(data []byte, glyphs []uint16) ([]byte, error) {
	if len(glyphs) == 0 || len(glyphs) > puaLast-puaBase+1 {
		return nil, fmt.Errorf("remap %d glyphs", len(glyphs))
	}
	if len(data) < 12 {
		return nil, errors.New("not a TrueType font")
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	entry := -1
	for i := 0; i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(data) {
			return nil, errors.New("truncated table directory")
		}
		if string(data[rec:rec+4]) == "cmap" {
			entry = rec
		}
	}
	if entry < 0 {
		return nil, errors.New("no cmap table")
	}
	cmap := puaCmap(glyphs)
	out := make([]byte, 0, len(data)+len(cmap)+4)
	out = append(out, data...)
	for len(out)%4 != 0 {
		out = append(out, 0)
	}
	offset := len(out)
	out = append(out, cmap...)
	binary.BigEndian.PutUint32(out[entry+4:], tableChecksum(cmap))
	binary.BigEndian.PutUint32(out[entry+8:], uint32(offset))
	binary.BigEndian.PutUint32(out[entry+12:], uint32(len(cmap)))
	return out, nil
}

// puaCmap builds a cmap table with one format 4 subtable: one segment per code, whose idDelta
// maps it to its glyph, and the closing 0xFFFF segment.
func puaCmap(glyphs []uint16) []byte {
	segs := len(glyphs) + 1
	sub := make([]byte, 16+8*segs)
	be := binary.BigEndian
	be.PutUint16(sub[0:], 4)
	be.PutUint16(sub[2:], uint16(len(sub)))
	be.PutUint16(sub[6:], uint16(2*segs))
	search, selector := 1, 0
	for search*2 <= segs {
		search *= 2
		selector++
	}
	be.PutUint16(sub[8:], uint16(2*search))
	be.PutUint16(sub[10:], uint16(selector))
	be.PutUint16(sub[12:], uint16(2*segs-2*search))
	ends, starts := 14, 16+2*segs
	deltas, ranges := starts+2*segs, starts+4*segs
	for i, g := range glyphs {
		code := uint16(puaBase + i)
		be.PutUint16(sub[ends+2*i:], code)
		be.PutUint16(sub[starts+2*i:], code)
		be.PutUint16(sub[deltas+2*i:], g-code) // modulo 65536, as the format says
		be.PutUint16(sub[ranges+2*i:], 0)
	}
	last := len(glyphs)
	be.PutUint16(sub[ends+2*last:], 0xFFFF)
	be.PutUint16(sub[starts+2*last:], 0xFFFF)
	be.PutUint16(sub[deltas+2*last:], 1)
	head := []byte{0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12} // version 0, 1 subtable: (3,1) at offset 12
	return append(head, sub...)
}

func tableChecksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}

// actualText is the marked-content operator that opens a span whose text is s (UTF-16BE with a
// byte order mark, in hex, so no escaping is needed).
func actualText(s string) string {
	b := []byte("/Span <</ActualText <FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		b = fmt.Appendf(b, "%04X", u)
	}
	return string(append(b, ">>> BDC\n"...))
}
