package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Line is a line chart over an ordered axis, the months of a year
// ("1月" … "12月"): up to three series, each with its own colour, dash and
// marker shape, so that they stay apart in grey too. A single series has
// its values written above its points when they fit.
type Line struct {
	ID    string // as for Bar
	Title string
	// Category heads the table's first column; "月份" when empty.
	Category string
	Unit     string
	Decimals int
	Sum      bool    // as for Bar
	AxisMax  float64 // as for Bar
	Labels   []string
	Series   []Series // one to three
}

// Line chart geometry.
const (
	lineWidth  = 720.0
	plotHeight = 220.0
	tickFont   = 12.0
)

// dashes tell the lines apart without colour, with the markers.
var dashes = [...]string{"", "8 4", "2 3"}

// Render draws the chart, its summary and its table.
func (c Line) Render() (Chart, error) {
	base := common{id: c.ID, title: c.Title, unit: c.Unit, decimals: c.Decimals, axisMax: c.AxisMax,
		labels: c.Labels, series: c.Series}
	if err := base.check(len(palette)); err != nil {
		return Chart{}, err
	}
	base = base.cleaned()
	category := clean(c.Category)
	if category == "" {
		category = "月份"
	}
	intro := "" // a single point is read out by itself
	if n := len(base.labels); n > 1 {
		intro = base.labels[0] + "至" + base.labels[n-1]
	}
	sum := summary(intro, base.labels, base.series, c.Decimals, base.unit, "个"+category, c.Sum)
	out := Chart{ID: c.ID, Summary: sum,
		Table: table(c.ID, base.title, category, base.labels, nil, base.series, c.Decimals, base.unit, c.Sum)}
	if len(base.labels) == 0 {
		out.SVG = empty(c.ID, base.title, lineWidth)
		return out, nil
	}
	out.SVG = base.drawLines(sum)
	return out, nil
}

func (c common) drawLines(desc string) template.HTML {
	n, ns := len(c.labels), len(c.series)
	axisTop, step, tickDec := c.axis()
	ticks := int(math.Round(axisTop / step))
	tickW := 0.0
	for i := 0; i <= ticks; i++ {
		tickW = max(tickW, textWidth(Number(float64(i)*step, tickDec), tickFont))
	}
	top := 44.0
	if ns > 1 {
		top = 72
	}
	x0, x1 := 8+tickW+8, lineWidth-24
	y0, y1 := top, top+plotHeight
	height := y1 + 52
	const pad = 16.0
	xs := make([]float64, n)
	spacing := x1 - x0 - 2*pad
	for i := range xs {
		if n == 1 {
			xs[i] = (x0 + x1) / 2
		} else {
			spacing = (x1 - x0 - 2*pad) / float64(n-1)
			xs[i] = x0 + pad + float64(i)*spacing
		}
	}
	yOf := func(v float64) float64 { return y1 - v/axisTop*plotHeight }

	var b strings.Builder
	svgOpen(&b, c.id, c.title, desc, lineWidth, height)
	heading(&b, c.title, lineWidth)
	if ns > 1 {
		x := x0
		for i, s := range c.series {
			fmt.Fprintf(&b, `<line x1="%s" y1="46" x2="%s" y2="46" stroke="%s" stroke-width="2.5"%s/>`+"\n", f(x), f(x+28), palette[i], dashAttr(i))
			b.WriteString(marker(i, x+14, 46))
			text(&b, x+36, 51, "", "", s.Name, "")
			x += 36 + textWidth(s.Name, barFont) + 28
		}
	}
	// Horizontal grid with the value ticks.
	b.WriteString(`<g stroke="` + colGrid + `" stroke-width="1">` + "\n")
	for i := 1; i <= ticks; i++ {
		y := yOf(float64(i) * step)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", f(x0), f(y), f(x1), f(y))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, `<g font-size="12" fill="%s" text-anchor="end">`+"\n", colMuted)
	for i := 0; i <= ticks; i++ {
		fmt.Fprintf(&b, `<text x="%s" y="%s">%s</text>`+"\n", f(x0-8), f(yOf(float64(i)*step)+4), Number(float64(i)*step, tickDec))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, `<path d="M%s %sV%sH%s" fill="none" stroke="%s" stroke-width="1"/>`+"\n", f(x0), f(y0), f(y1), f(x1), colAxis)
	// Category labels: every k-th when they would touch.
	labelW := 0.0
	for _, l := range c.labels {
		labelW = max(labelW, textWidth(l, tickFont))
	}
	every := 1
	if n > 1 {
		every = max(1, int(math.Ceil((labelW+8)/spacing)))
	}
	fmt.Fprintf(&b, `<g font-size="12" fill="%s" text-anchor="middle">`+"\n", colMuted)
	for i, l := range c.labels {
		if i%every == 0 {
			shown, _ := fit(l, tickFont, max(spacing*float64(every)-8, 3*tickFont))
			text(&b, xs[i], y1+20, "", "", shown, l)
		}
	}
	b.WriteString("</g>\n")
	for i, s := range c.series {
		if n > 1 {
			var pts []string
			for j, v := range s.Values {
				pts = append(pts, f(xs[j])+","+f(yOf(v)))
			}
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5" stroke-linejoin="round"%s/>`+"\n",
				strings.Join(pts, " "), palette[i], dashAttr(i))
		}
		for j, v := range s.Values {
			b.WriteString(marker(i, xs[j], yOf(v)))
		}
	}
	if ns == 1 {
		valueW := 0.0
		for _, v := range c.series[0].Values {
			valueW = max(valueW, textWidth(Number(v, c.decimals), tickFont))
		}
		if n == 1 || valueW+4 <= spacing {
			b.WriteString(`<g font-size="12" text-anchor="middle">` + "\n")
			for j, v := range c.series[0].Values {
				fmt.Fprintf(&b, `<text x="%s" y="%s">%s</text>`+"\n", f(xs[j]), f(yOf(v)-9), Number(v, c.decimals))
			}
			b.WriteString("</g>\n")
		}
	}
	if c.unit != "" {
		text(&b, x0, y1+44, "start", `font-size="12" fill="`+colMuted+`"`, "单位："+c.unit, "")
	}
	b.WriteString("</svg>\n")
	return template.HTML(b.String())
}

func dashAttr(i int) string {
	if dashes[i] == "" {
		return ""
	}
	return ` stroke-dasharray="` + dashes[i] + `"`
}

// marker is the point symbol of series i: a circle, a square, a triangle.
func marker(i int, x, y float64) string {
	switch i {
	case 0:
		return fmt.Sprintf(`<circle cx="%s" cy="%s" r="4.5" fill="%s" stroke="#fff" stroke-width="1.5"/>`+"\n", f(x), f(y), palette[0])
	case 1:
		return fmt.Sprintf(`<rect x="%s" y="%s" width="9" height="9" fill="%s" stroke="#fff" stroke-width="1.5"/>`+"\n", f(x-4.5), f(y-4.5), palette[1])
	}
	return fmt.Sprintf(`<path d="M%s %sl5.5 9.5h-11z" fill="%s" stroke="#fff" stroke-width="1.5"/>`+"\n", f(x), f(y-6), palette[2])
}
