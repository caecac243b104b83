package chart

import (
	"fmt"
	"html/template"
	"strings"
)

// Bar is a horizontal bar chart: one row per category (a region, a unit
// nature), one bar per series in each row, bars of the second series
// hatched. Two series are grouped side by side rather than stacked, so that
// every bar starts at zero and carries its own value.
type Bar struct {
	// ID names the chart on its page ([a-z][a-z0-9-]*, unique on the page):
	// the ids of its title, description, pattern and table derive from it.
	ID    string
	Title string // "各地区已认证单位数"; also the table's caption
	// Category is what a row is ("地区"): the table's first column header
	// and the noun of the summary's "共 9 个地区". Measure is that phrase's
	// measure word, "个" when empty ("共 5 类单位性质").
	Category, Measure string
	Unit              string // "户", "人", "元", "%"
	Decimals          int    // 0–4, the same for every value shown
	// Sum says the values add up (counts, money, not shares): the summary
	// and the table then give the total.
	Sum bool
	// AxisMax fixes the end of the value axis (100 for a percentage); 0 or
	// less than the largest value takes the end from the data.
	AxisMax float64
	Labels  []string // the categories, top to bottom as given
	// Links, when not nil, has one entry per label: the table's row header
	// links there (drilling down from a city to its counties); "" for none.
	// Only same-site references ("/…", "?…") are accepted.
	Links  []string
	Series []Series // one or two
}

// Bar chart geometry, in SVG user units (CSS pixels at 100%).
const (
	barWidth    = 720.0
	barLabelMax = 220.0 // longer category names are cut, the table has them whole
	barFont     = 14.0
	valueFont   = 13.0
)

// Render draws the chart, its summary and its table.
func (c Bar) Render() (Chart, error) {
	base := common{id: c.ID, title: c.Title, unit: c.Unit, decimals: c.Decimals, axisMax: c.AxisMax,
		labels: c.Labels, series: c.Series}
	if err := base.check(2); err != nil {
		return Chart{}, err
	}
	if strings.TrimSpace(c.Category) == "" {
		return Chart{}, fmt.Errorf("chart %s: the category (what a row is) is required", c.ID)
	}
	if c.Links != nil && len(c.Links) != len(c.Labels) {
		return Chart{}, fmt.Errorf("chart %s: %d links for %d labels", c.ID, len(c.Links), len(c.Labels))
	}
	for _, l := range c.Links {
		if !sameSite(l) {
			return Chart{}, fmt.Errorf("chart %s: link %q is not a same-site reference", c.ID, l)
		}
	}
	base = base.cleaned()
	category := clean(c.Category)
	measure := clean(c.Measure)
	if measure == "" {
		measure = "个"
	}
	noun := measure + category
	sum := summary(fmt.Sprintf("共 %d %s", len(base.labels), noun), base.labels, base.series, c.Decimals, base.unit, noun, c.Sum)
	out := Chart{ID: c.ID, Summary: sum,
		Table: table(c.ID, base.title, category, base.labels, c.Links, base.series, c.Decimals, base.unit, c.Sum)}
	if len(base.labels) == 0 {
		out.SVG = empty(c.ID, base.title, barWidth)
		return out, nil
	}
	out.SVG = base.drawBars(sum)
	return out, nil
}

// sameSite accepts "", "/path…" and "?query…" without control characters:
// nothing that could leave the site or run script.
func sameSite(l string) bool {
	if l == "" {
		return true
	}
	if strings.ContainsFunc(l, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return false
	}
	return (strings.HasPrefix(l, "/") && !strings.HasPrefix(l, "//")) || strings.HasPrefix(l, "?")
}

// cleaned returns a copy with every text cleaned for display.
func (c common) cleaned() common {
	c.title, c.unit = clean(c.title), clean(c.unit)
	labels := make([]string, len(c.labels))
	for i, l := range c.labels {
		labels[i] = clean(l)
	}
	series := make([]Series, len(c.series))
	for i, s := range c.series {
		series[i] = Series{Name: clean(s.Name), Values: s.Values}
	}
	c.labels, c.series = labels, series
	return c
}

func (c common) drawBars(desc string) template.HTML {
	n, ns := len(c.labels), len(c.series)
	rowH, barH := 30.0, 20.0
	if ns == 2 {
		rowH, barH = 44.0, 17.0
	}
	labelW := 0.0
	for _, l := range c.labels {
		labelW = max(labelW, textWidth(l, barFont))
	}
	labelW = min(labelW, barLabelMax)
	valueW := 0.0
	for _, s := range c.series {
		for _, v := range s.Values {
			valueW = max(valueW, textWidth(Number(v, c.decimals), valueFont))
		}
	}
	top := 40.0
	if ns == 2 {
		top = 68
	}
	x0 := 8 + labelW + 10
	x1 := barWidth - 16 - valueW - 6
	plotW := x1 - x0
	bottom := top + float64(n)*rowH
	height := bottom + 52
	axisTop, step, tickDec := c.axis()
	scale := func(v float64) float64 { return v / axisTop * plotW }

	var b strings.Builder
	svgOpen(&b, c.id, c.title, desc, barWidth, height)
	if ns == 2 {
		b.WriteString("<defs>" + hatch(c.id) + "</defs>\n")
	}
	heading(&b, c.title, barWidth)
	if ns == 2 {
		x := x0
		for i, s := range c.series {
			b.WriteString(barRect(c.id, i, x, 38, 14, 14))
			text(&b, x+20, 50, "", "", s.Name, "")
			x += 20 + textWidth(s.Name, barFont) + 24
		}
	}
	// Grid and ticks first, so that bars draw over them.
	b.WriteString(`<g stroke="` + colGrid + `" stroke-width="1">` + "\n")
	for t := step; t <= axisTop+step/1e6; t += step {
		x := x0 + scale(t)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", f(x), f(top), f(x), f(bottom))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, `<g font-size="12" fill="%s" text-anchor="middle">`+"\n", colMuted)
	for i := 0; float64(i)*step <= axisTop+step/1e6; i++ {
		t := float64(i) * step
		fmt.Fprintf(&b, `<text x="%s" y="%s">%s</text>`+"\n", f(x0+scale(t)), f(bottom+18), Number(t, tickDec))
	}
	b.WriteString("</g>\n")
	for i, l := range c.labels {
		y := top + float64(i)*rowH
		shown, _ := fit(l, barFont, barLabelMax)
		text(&b, x0-10, y+rowH/2+5, "end", "", shown, l)
		for j, s := range c.series {
			by := y + (rowH-barH*float64(ns))/2 + float64(j)*barH
			if ns == 2 && j == 1 {
				by += 1 // a hair of white between the two bars of a row
			}
			w := scale(s.Values[i])
			if s.Values[i] > 0 && w < 1 {
				w = 1 // a small value still shows
			}
			b.WriteString(barRect(c.id, j, x0, by, w, barH-1))
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="13">%s</text>`+"\n", f(x0+w+6), f(by+barH/2+4), Number(s.Values[i], c.decimals))
		}
	}
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`+"\n", f(x0), f(top), f(x0), f(bottom), colAxis)
	if c.unit != "" {
		text(&b, x1, bottom+42, "end", `font-size="12" fill="`+colMuted+`"`, "单位："+c.unit, "")
	}
	b.WriteString("</svg>\n")
	return template.HTML(b.String())
}

// hatch is the pattern of the second series: diagonal stripes of its
// colour, so that it differs from the first by more than hue.
func hatch(id string) string {
	return fmt.Sprintf(`<pattern id="%s-p1" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="%s"/></pattern>`, id, palette[1])
}

// barRect is one bar of series i, or its sample in the legend.
func barRect(id string, i int, x, y, w, h float64) string {
	if i == 0 {
		return fmt.Sprintf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`+"\n", f(x), f(y), f(w), f(h), palette[0])
	}
	return fmt.Sprintf(`<rect x="%s" y="%s" width="%s" height="%s" fill="url(#%s-p1)" stroke="%s" stroke-width="1"/>`+"\n",
		f(x), f(y+0.5), f(max(w-0.5, 0)), f(h-1), id, palette[1])
}
