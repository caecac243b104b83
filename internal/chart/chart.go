// Package chart draws the statistics pages' charts as server-rendered SVG:
// a horizontal bar chart (long Chinese region names read well on the left)
// and a line chart (months along the x axis). It uses the standard library
// only and knows nothing of HTTP; it turns figures into markup, so it is an
// adapter like report.
//
// Every chart comes as three views of the same figures, because a picture
// alone shuts out screen-reader users and anyone who cannot tell colours
// apart:
//
//   - the SVG: role="img", a <title> and a <desc> named by aria-labelledby;
//     series told apart by pattern, dash and marker shape as well as colour,
//     all colours at least 4.5:1 against white (WCAG AA); values written
//     beside the bars;
//   - a summary sentence generated from the data ("共 9 个地区，合计 …；最高为…"),
//     also the SVG's <desc>;
//   - an HTML <table> of the data with a <caption> and <th scope>.
//
// The markup obeys the site's Content Security Policy: no style attributes
// and no scripts, only SVG presentation attributes (fill=, stroke=) and
// classes. Every text is escaped and cleaned of characters XML cannot hold,
// since labels come from the database; the SVG is well-formed XML.
package chart

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Series is one named row of figures: one value per bar category or per
// point of a line. Values must be finite and not negative (counts, people,
// yuan, shares); a negative figure in a statistics page is a bug upstream,
// and a chart that hid it would be worse than an error.
type Series struct {
	Name   string
	Values []float64
}

// Chart is a rendered chart: the three views of its figures.
type Chart struct {
	ID      string
	SVG     template.HTML
	Summary string // plain text; the template escapes it
	Table   template.HTML
}

// HTML lays the three views out in the order the pages use, in one block
// whose id is the chart's ID: the picture, the summary sentence, the table.
func (c Chart) HTML() template.HTML {
	var b strings.Builder
	b.WriteString(`<div class="chart" id="` + esc(c.ID) + `">` + "\n")
	b.WriteString(string(c.SVG))
	b.WriteString(`<p class="chart-summary">` + esc(c.Summary) + "</p>\n")
	b.WriteString(string(c.Table))
	b.WriteString("</div>\n")
	return template.HTML(b.String())
}

// Limits: beyond them a chart stops being readable and a table is the
// better form.
const (
	MaxCategories = 200
	MaxValue      = 1e15 // a thousand trillion: beyond any count or yuan amount of the system
	maxDecimals   = 4
	noData        = "暂无数据"
)

// Colours: each is at least 4.5:1 against white, so that a bar or a line is
// as visible as text must be (WCAG 1.4.11 asks 3:1 of graphics). Blue and
// orange stay apart for the common colour-vision deficiencies; the series
// differ in pattern or dash and marker as well.
var palette = [...]string{"#0b4f9c", "#b34700", "#1b6e2d"}

const (
	colInk   = "#1a1a1a" // text
	colMuted = "#4a4a4a" // tick labels
	colAxis  = "#767676"
	colGrid  = "#c9ced6"
	fontFace = `"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif`
)

// common holds the fields both charts share and their checks.
type common struct {
	id, title, unit string
	decimals        int
	axisMax         float64
	labels          []string
	series          []Series
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,63}$`)

func (c common) check(maxSeries int) error {
	if !idPattern.MatchString(c.id) {
		return fmt.Errorf("chart: id %q must match %s (it names the title, description and table)", c.id, idPattern)
	}
	if strings.TrimSpace(c.title) == "" {
		return fmt.Errorf("chart %s: a title is required", c.id)
	}
	if c.decimals < 0 || c.decimals > maxDecimals {
		return fmt.Errorf("chart %s: decimals %d outside 0–%d", c.id, c.decimals, maxDecimals)
	}
	if c.axisMax < 0 || math.IsNaN(c.axisMax) || math.IsInf(c.axisMax, 0) {
		return fmt.Errorf("chart %s: axis maximum %v", c.id, c.axisMax)
	}
	if len(c.labels) > MaxCategories {
		return fmt.Errorf("chart %s: %d categories, at most %d", c.id, len(c.labels), MaxCategories)
	}
	if len(c.series) == 0 || len(c.series) > maxSeries {
		return fmt.Errorf("chart %s: %d series, want 1 to %d", c.id, len(c.series), maxSeries)
	}
	for _, s := range c.series {
		if strings.TrimSpace(s.Name) == "" {
			return fmt.Errorf("chart %s: a series without a name", c.id)
		}
		if len(s.Values) != len(c.labels) {
			return fmt.Errorf("chart %s: series %q has %d values for %d labels", c.id, s.Name, len(s.Values), len(c.labels))
		}
		for i, v := range s.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("chart %s: series %q value %d is %v", c.id, s.Name, i, v)
			}
			if v < 0 {
				return fmt.Errorf("chart %s: series %q value %d is negative (%v): %w", c.id, s.Name, i, v, ErrNegative)
			}
			if v > MaxValue {
				return fmt.Errorf("chart %s: series %q value %d is too large to chart (%v)", c.id, s.Name, i, v)
			}
		}
	}
	return nil
}

// ErrNegative is wrapped by Render when a value is below zero.
var ErrNegative = errors.New("negative values are not charted")

// max returns the largest value of all series (0 when there are none).
func (c common) max() float64 {
	m := 0.0
	for _, s := range c.series {
		for _, v := range s.Values {
			m = math.Max(m, v)
		}
	}
	return m
}

// axis returns the value axis: its end and the step of its ticks, both
// "nice" (1, 2 or 5 × 10ⁿ), and the decimals its tick labels need. A count
// axis (decimals 0) never steps by less than 1, so no tick reads "0.5 户".
func (c common) axis() (top, step float64, tickDecimals int) {
	m := c.max()
	if c.axisMax >= m && c.axisMax > 0 {
		m = c.axisMax
	}
	if m <= 0 {
		m = 1
	}
	raw := m / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch norm := raw / mag; {
	case norm <= 1:
		step = mag
	case norm <= 2:
		step = 2 * mag
	case norm <= 5:
		step = 5 * mag
	default:
		step = 10 * mag
	}
	if c.decimals == 0 && step < 1 {
		step = 1
	}
	top = math.Ceil(m/step-1e-9) * step
	if step < 1 {
		tickDecimals = min(int(math.Ceil(-math.Log10(step)-1e-9)), maxDecimals)
	}
	return top, step, tickDecimals
}

// Number formats v with the given decimals and thousands separators:
// 1234567.891 with 2 → "1,234,567.89". Halves round away from zero (四舍五入:
// 8.25 → "8.3"), not to even as strconv does.
func Number(v float64, decimals int) string {
	p := math.Pow(10, float64(decimals))
	v = math.Round(v*p) / p
	if v == 0 {
		v = 0 // no "-0"
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// withUnit appends the unit: "1,234 户", but "12.5%".
func withUnit(s, unit string) string {
	switch unit {
	case "":
		return s
	case "%", "％":
		return s + unit
	}
	return s + " " + unit
}

// headerWithUnit is a column header: "已认证单位（户）".
func headerWithUnit(name, unit string) string {
	if unit == "" {
		return name
	}
	return name + "（" + unit + "）"
}

// clean makes a label safe to show on one line and to hold in XML: invalid
// UTF-8 and the non-characters U+FFFE/U+FFFF become U+FFFD; control
// characters and runs of white space become one space, none at the ends.
func clean(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s { // invalid UTF-8 arrives as utf8.RuneError, U+FFFD
		if r == '\uFFFE' || r == '\uFFFF' {
			r = utf8.RuneError
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// esc escapes text for element content and quoted attributes of both HTML
// and XML.
func esc(s string) string { return template.HTMLEscapeString(clean(s)) }

// textWidth estimates the rendered width of s at the font size: wide (CJK,
// full-width) characters take 1 em, others about 0.6 em. Layout only needs
// to be close: long labels are cut with "…" and the table has them whole.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if isWide(r) {
			w += size
		} else {
			w += 0.6 * size
		}
	}
	return w
}

func isWide(r rune) bool {
	return r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
		(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) ||
		(r >= 0xffe0 && r <= 0xffe6) || (r >= 0x20000 && r <= 0x3fffd))
}

// fit cuts s with "…" so that it is at most width wide; ok is false when it
// had to.
func fit(s string, size, width float64) (string, bool) {
	if textWidth(s, size) <= width {
		return s, true
	}
	r := []rune(s)
	for len(r) > 0 && textWidth(string(r), size)+size > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…", false
}

// f formats a coordinate: at most one decimal, no trailing zeros, so that
// golden files stay readable and stable.
func f(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// svgOpen writes the root element with its accessible name and description.
func svgOpen(b *strings.Builder, id, title, desc string, width, height float64) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-labelledby="%s-title %s-desc" font-family="%s" font-size="14" fill="%s">`+"\n",
		f(width), f(height), f(width), f(height), id, id, esc(fontFace), colInk)
	fmt.Fprintf(b, `<title id="%s-title">%s</title>`+"\n", id, esc(title))
	fmt.Fprintf(b, `<desc id="%s-desc">%s</desc>`+"\n", id, esc(desc))
	fmt.Fprintf(b, `<rect width="%s" height="%s" fill="#fff"/>`+"\n", f(width), f(height))
}

// text writes one <text> element; a cut label keeps its whole text as a
// tooltip.
func text(b *strings.Builder, x, y float64, anchor, attrs, s, full string) {
	fmt.Fprintf(b, `<text x="%s" y="%s"`, f(x), f(y))
	if anchor != "" {
		b.WriteString(` text-anchor="` + anchor + `"`)
	}
	if attrs != "" {
		b.WriteString(" " + attrs)
	}
	b.WriteString(">")
	if full != "" && full != s {
		b.WriteString("<title>" + esc(full) + "</title>")
	}
	b.WriteString(esc(s) + "</text>\n")
}

// heading writes the chart's visible title, cut to the width.
func heading(b *strings.Builder, title string, width float64) {
	shown, _ := fit(title, 16, width)
	text(b, 0, 24, "", `font-size="16" font-weight="bold"`, shown, title)
}

// empty draws the "暂无数据" chart: the title and one line in the middle.
func empty(id, title string, width float64) template.HTML {
	var b strings.Builder
	svgOpen(&b, id, title, noData+"。", width, 120)
	heading(&b, title, width)
	fmt.Fprintf(&b, `<rect x="0.5" y="40.5" width="%s" height="70" fill="none" stroke="%s" stroke-dasharray="4 4"/>`+"\n", f(width-1), colGrid)
	text(&b, width/2, 80, "middle", `fill="`+colMuted+`"`, noData, "")
	b.WriteString("</svg>\n")
	return template.HTML(b.String())
}
