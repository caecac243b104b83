package chart

import (
	"errors"
	"flag"
	"fmt"
	"go/parser"
	"go/token"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.html")

// jilinBar is a typical chart of the statistics page: the nine cities and
// prefectures of Jilin, employers submitted and certified.
func jilinBar() Bar {
	return Bar{
		ID: "by-region", Title: "2025年度各地区申报与认证单位数", Category: "地区", Unit: "户", Sum: true,
		Labels: []string{"长春市", "吉林市", "四平市", "辽源市", "通化市", "白山市", "松原市", "白城市", "延边朝鲜族自治州"},
		Links:  []string{"?region=220100", "?region=220200", "?region=220300", "?region=220400", "?region=220500", "?region=220600", "?region=220700", "?region=220800", "?region=222400"},
		Series: []Series{
			{Name: "已申报", Values: []float64{1234, 856, 402, 198, 311, 150, 287, 176, 455}},
			{Name: "已认证", Values: []float64{1102, 790, 355, 181, 260, 150, 240, 121, 398}},
		},
	}
}

// monthLine is the year's submissions by month.
func monthLine() Line {
	months := make([]string, 12)
	for i := range months {
		months[i] = fmt.Sprintf("%d月", i+1)
	}
	return Line{
		ID: "by-month", Title: "2025年度各月完成申报与认证单位数", Unit: "户", Sum: true, Labels: months,
		Series: []Series{
			{Name: "完成申报", Values: []float64{0, 0, 312, 540, 688, 702, 455, 390, 610, 981, 0, 0}},
			{Name: "认证通过", Values: []float64{0, 0, 180, 498, 640, 655, 470, 366, 540, 920, 214, 0}},
		},
	}
}

func TestBarChart(t *testing.T) {
	c, err := jilinBar().Render()
	if err != nil {
		t.Fatal(err)
	}
	wantSummary := "共 9 个地区。" +
		"已申报：合计 4,069 户；最高为长春市 1,234 户，最低为白山市 150 户。" +
		"已认证：合计 3,597 户；最高为长春市 1,102 户，最低为白城市 121 户。"
	if c.Summary != wantSummary {
		t.Errorf("summary =\n%s\nwant\n%s", c.Summary, wantSummary)
	}
	svg := checkSVG(t, string(c.SVG), "by-region", "2025年度各地区申报与认证单位数", wantSummary)
	// Every category and every value is written in the picture, and the
	// longest name, cut, keeps its whole text as a tooltip.
	for _, l := range jilinBar().Labels {
		if !strings.Contains(svg.text, l) {
			t.Errorf("label %s missing from the SVG", l)
		}
	}
	for _, v := range []string{"1,234", "1,102", "150", "121"} {
		if !strings.Contains(svg.text, v) {
			t.Errorf("value %s missing from the SVG", v)
		}
	}
	// The second series is hatched, not only another colour.
	hatched := 0
	for _, r := range svg.all("rect") {
		if r.attr["fill"] == "url(#by-region-p1)" {
			hatched++
		}
	}
	if hatched != 9+1 || len(svg.one(t, "pattern").attr["id"]) == 0 {
		t.Errorf("%d hatched rects, want 9 bars and 1 legend sample", hatched)
	}

	tab := parse(t, string(c.Table)).one(t, "table")
	if tab.one(t, "caption").text != "2025年度各地区申报与认证单位数" {
		t.Errorf("caption = %q", tab.one(t, "caption").text)
	}
	var cols, rows []string
	for _, th := range tab.all("th") {
		switch th.attr["scope"] {
		case "col":
			cols = append(cols, th.text)
		case "row":
			rows = append(rows, th.text)
		default:
			t.Errorf("<th> %q without scope", th.text)
		}
	}
	if strings.Join(cols, "|") != "地区|已申报（户）|已认证（户）" {
		t.Errorf("column headers %v", cols)
	}
	if len(rows) != 10 || rows[0] != "长春市" || rows[8] != "延边朝鲜族自治州" || rows[9] != "合计" {
		t.Errorf("row headers %v", rows)
	}
	cells := tab.all("td")
	if len(cells) != 20 || cells[0].text != "1,234" || cells[1].text != "1,102" || cells[18].text != "4,069" || cells[19].text != "3,597" {
		t.Errorf("cells wrong: %d", len(cells))
	}
	if a := tab.all("a"); len(a) != 9 || a[0].attr["href"] != "?region=220100" || a[0].text != "长春市" {
		t.Errorf("drill-down links wrong: %d", len(a))
	}
	block := parse(t, string(c.HTML())).one(t, "div")
	if block.attr["id"] != "by-region" || block.attr["class"] != "chart" || block.one(t, "p").text != wantSummary {
		t.Errorf("HTML block wrong")
	}
}

func TestLineChart(t *testing.T) {
	c, err := monthLine().Render()
	if err != nil {
		t.Fatal(err)
	}
	want := "1月至12月。" +
		"完成申报：合计 4,678 户；最高为10月 981 户，最低为1月、2月、11月等 4 个月份（各 0 户）。" +
		"认证通过：合计 4,483 户；最高为10月 920 户，最低为1月、2月、12月（各 0 户）。"
	if c.Summary != want {
		t.Errorf("summary =\n%s\nwant\n%s", c.Summary, want)
	}
	svg := checkSVG(t, string(c.SVG), "by-month", "2025年度各月完成申报与认证单位数", want)
	lines := svg.all("polyline")
	if len(lines) != 2 || lines[0].attr["stroke-dasharray"] != "" || lines[1].attr["stroke-dasharray"] == "" {
		t.Errorf("two lines, the second dashed: %d", len(lines))
	}
	if len(strings.Fields(lines[0].attr["points"])) != 12 {
		t.Errorf("points %q", lines[0].attr["points"])
	}
	// Markers differ in shape: 12 circles + legend, 12 squares + legend.
	if len(svg.all("circle")) != 13 {
		t.Errorf("%d circles", len(svg.all("circle")))
	}
	for _, m := range []string{"1月", "6月", "12月"} {
		if !strings.Contains(svg.text, m) {
			t.Errorf("month %s missing", m)
		}
	}
	tab := parse(t, string(c.Table)).one(t, "table")
	if th := tab.all("th"); th[0].text != "月份" || th[1].text != "完成申报（户）" || th[3].text != "1月" {
		t.Errorf("headers %q %q %q", th[0].text, th[1].text, th[3].text)
	}
}

// TestHostileLabels: names come from the database. Markup, entities,
// quotes, control characters and broken UTF-8 in a label must come out as
// text, in well-formed XML, in every view.
func TestHostileLabels(t *testing.T) {
	hostile := "<script>alert(\"x\")</script> & 'q' \x00\x1b\xff</svg><text>"
	want := "<script>alert(\"x\")</script> & 'q' \uFFFD</svg><text>"
	bar := Bar{ID: "h", Title: hostile, Category: hostile, Measure: hostile, Unit: hostile,
		Labels: []string{hostile, "正常"}, Series: []Series{{Name: hostile, Values: []float64{1, 2}}, {Name: "b", Values: []float64{3, 4}}}}
	line := Line{ID: "h", Title: hostile, Category: hostile, Unit: hostile,
		Labels: []string{hostile, "2"}, Series: []Series{{Name: hostile, Values: []float64{1, 2}}}}
	for name, render := range map[string]func() (Chart, error){"bar": bar.Render, "line": line.Render} {
		c, err := render()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(c.Summary, want) {
			t.Errorf("%s: summary does not quote the cleaned label: %q", name, c.Summary)
		}
		svg := checkSVG(t, string(c.SVG), "h", want, c.Summary)
		if !strings.Contains(svg.text, want) {
			t.Errorf("%s: SVG text lacks the label as text", name)
		}
		for _, markup := range []string{string(c.SVG), string(c.Table), string(c.HTML())} {
			if strings.Contains(markup, "<script") || strings.Contains(markup, "</svg><text>") || strings.Contains(markup, "\x00") {
				t.Errorf("%s: unescaped markup in output", name)
			}
			checkCSP(t, parse(t, markup))
		}
		if tab := parse(t, string(c.Table)); !strings.Contains(tab.one(t, "caption").text, want) {
			t.Errorf("%s: caption lost the label", name)
		}
	}
}

func TestEmptyChart(t *testing.T) {
	bar := Bar{ID: "e", Title: "各地区认证单位数", Category: "地区", Unit: "户", Series: []Series{{Name: "已认证"}}}
	line := Line{ID: "e", Title: "各月申报", Series: []Series{{Name: "申报"}}}
	for name, render := range map[string]func() (Chart, error){"bar": bar.Render, "line": line.Render} {
		c, err := render()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.Summary != "暂无数据。" {
			t.Errorf("%s: summary %q", name, c.Summary)
		}
		svg := checkSVG(t, string(c.SVG), "e", titleOf(name), "暂无数据。")
		if !strings.Contains(svg.text, "暂无数据") {
			t.Errorf("%s: picture does not say 暂无数据", name)
		}
		td := parse(t, string(c.Table)).one(t, "td")
		if td.text != "暂无数据" || td.attr["colspan"] != "2" {
			t.Errorf("%s: table cell %q colspan %q", name, td.text, td.attr["colspan"])
		}
	}
}

func titleOf(kind string) string {
	if kind == "bar" {
		return "各地区认证单位数"
	}
	return "各月申报"
}

func TestSummaries(t *testing.T) {
	one := func(labels []string, values ...float64) Bar {
		return Bar{ID: "s", Title: "t", Category: "地区", Unit: "户", Sum: true, Labels: labels, Series: []Series{{Name: "已认证", Values: values}}}
	}
	tests := []struct {
		name string
		bar  Bar
		want string
	}{
		{"one bar", one([]string{"长春市"}, 1234), "共 1 个地区：长春市 1,234 户。"},
		{"all zero", one([]string{"长春市", "吉林市", "四平市"}, 0, 0, 0), "共 3 个地区，合计 0 户；均为 0 户。"},
		{"ties at both ends", one([]string{"甲", "乙", "丙", "丁"}, 5, 1, 5, 1), "共 4 个地区，合计 12 户；最高为甲、丙（各 5 户），最低为乙、丁（各 1 户）。"},
		{"many ties", one([]string{"a", "b", "c", "d", "e", "f"}, 0, 0, 0, 0, 0, 9), "共 6 个地区，合计 9 户；最高为f 9 户，最低为a、b、c等 5 个地区（各 0 户）。"},
		{"a share, no total, measure word", Bar{ID: "s", Title: "t", Category: "单位性质", Measure: "类", Unit: "%", Decimals: 1, AxisMax: 100,
			Labels: []string{"企业", "机关", "事业单位"}, Series: []Series{{Name: "超比例单位占比", Values: []float64{12.345, 50, 7.06}}}},
			"共 3 类单位性质，最高为机关 50.0%，最低为事业单位 7.1%。"},
		{"one category, two series", Bar{ID: "s", Title: "t", Category: "地区", Unit: "人", Decimals: 2, Labels: []string{"长春市"},
			Series: []Series{{Name: "认证人数", Values: []float64{12}}, {Name: "折算人数", Values: []float64{10.5}}}},
			"共 1 个地区：长春市，认证人数 12.00 人，折算人数 10.50 人。"},
		{"ties as shown, not as stored", one([]string{"甲", "乙"}, 1.004, 1.001), "共 2 个地区，合计 2 户；均为 1 户。"},
	}
	for _, tt := range tests {
		c, err := tt.bar.Render()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if c.Summary != tt.want {
			t.Errorf("%s: summary\n%s\nwant\n%s", tt.name, c.Summary, tt.want)
		}
		checkSVG(t, string(c.SVG), "s", clean(tt.bar.Title), tt.want)
	}
	single := Line{ID: "l", Title: "t", Labels: []string{"2025-03"}, Unit: "户", Series: []Series{{Name: "申报", Values: []float64{7}}}}
	if c, err := single.Render(); err != nil || c.Summary != "2025-03 7 户。" {
		t.Errorf("single point: %q %v", c.Summary, err)
	}
	single.Series = append(single.Series, Series{Name: "认证", Values: []float64{5}})
	if c, err := single.Render(); err != nil || c.Summary != "2025-03：申报 7 户，认证 5 户。" {
		t.Errorf("single point, two series: %q %v", c.Summary, err)
	}
}

func TestManyBars(t *testing.T) {
	b := Bar{ID: "many", Title: "各县区", Category: "县区", Unit: "户"}
	vals := make([]float64, 100)
	for i := range vals {
		b.Labels = append(b.Labels, fmt.Sprintf("第%d县", i+1))
		vals[i] = float64(i * 37 % 101)
	}
	b.Series = []Series{{Name: "单位数", Values: vals}}
	c, err := b.Render()
	if err != nil {
		t.Fatal(err)
	}
	svg := checkSVG(t, string(c.SVG), "many", "各县区", c.Summary)
	bars := 0
	for _, r := range svg.all("rect") {
		if r.attr["fill"] == palette[0] {
			bars++
		}
	}
	if bars != 100 || !strings.Contains(svg.text, "第100县") {
		t.Errorf("%d bars", bars)
	}
	if h := svg.attr["height"]; h != "3092" {
		t.Errorf("height %s: 100 rows of 30 plus margins", h)
	}
	if len(parse(t, string(c.Table)).all("tr")) != 101 {
		t.Errorf("table rows")
	}
	b.Labels = append(b.Labels, make([]string, MaxCategories)...)
	b.Series[0].Values = make([]float64, len(b.Labels))
	if _, err := b.Render(); err == nil {
		t.Errorf("%d categories accepted", len(b.Labels))
	}
}

func TestLineValueLabels(t *testing.T) {
	l := monthLine()
	l.Series = l.Series[:1]
	c, err := l.Render()
	if err != nil {
		t.Fatal(err)
	}
	svg := checkSVG(t, string(c.SVG), "by-month", l.Title, c.Summary)
	labels := 0
	for _, tx := range svg.all("text") {
		for _, v := range []string{"312", "540", "688", "702", "455", "390", "610", "981"} {
			if tx.text == v {
				labels++
			}
		}
	}
	if labels != 8 {
		t.Errorf("%d point values written, want 8", labels)
	}
	long := Bar{ID: "t", Title: strings.Repeat("很长的标题", 40), Category: "地区", Labels: []string{"a"}, Series: []Series{{Name: "n", Values: []float64{1}}}}
	c, err = long.Render()
	if err != nil {
		t.Fatal(err)
	}
	if vis := checkSVG(t, string(c.SVG), "t", long.Title, c.Summary).all("text")[0]; !strings.HasSuffix(vis.text, "…") ||
		vis.one(t, "title").text != long.Title {
		t.Errorf("a long title is not cut with its whole text kept")
	}
}

func TestZeroValues(t *testing.T) {
	c, err := Bar{ID: "z", Title: "t", Category: "地区", Unit: "户", Labels: []string{"甲", "乙"},
		Series: []Series{{Name: "n", Values: []float64{0, 0}}}}.Render()
	if err != nil {
		t.Fatal(err)
	}
	svg := checkSVG(t, string(c.SVG), "z", "t", c.Summary)
	for _, r := range svg.all("rect") {
		if r.attr["fill"] == palette[0] && r.attr["width"] != "0" {
			t.Errorf("a zero bar has width %s", r.attr["width"])
		}
	}
	// A tiny value next to a large one still shows.
	c, err = Bar{ID: "z", Title: "t", Category: "地区", Labels: []string{"甲", "乙"},
		Series: []Series{{Name: "n", Values: []float64{1, 1e6}}}}.Render()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range checkSVG(t, string(c.SVG), "z", "t", c.Summary).all("rect") {
		if r.attr["fill"] == palette[0] && r.attr["width"] == "0" {
			t.Errorf("value 1 drawn with width 0")
		}
	}
	if _, err := (Line{ID: "z", Title: "t", Labels: []string{"1月", "2月"}, Series: []Series{{Name: "n", Values: []float64{0, 0}}}}).Render(); err != nil {
		t.Errorf("all-zero line: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	ok := jilinBar()
	tests := []struct {
		name string
		edit func(*Bar)
	}{
		{"negative", func(b *Bar) { b.Series[0].Values[2] = -1 }},
		{"NaN", func(b *Bar) { b.Series[0].Values[2] = math.NaN() }},
		{"infinite", func(b *Bar) { b.Series[1].Values[0] = math.Inf(1) }},
		{"short series", func(b *Bar) { b.Series[1].Values = b.Series[1].Values[:3] }},
		{"three series", func(b *Bar) { b.Series = append(b.Series, Series{Name: "x", Values: make([]float64, 9)}) }},
		{"no series", func(b *Bar) { b.Series = nil }},
		{"unnamed series", func(b *Bar) { b.Series[0].Name = " " }},
		{"bad id", func(b *Bar) { b.ID = `x" onload="alert(1)` }},
		{"empty id", func(b *Bar) { b.ID = "" }},
		{"no title", func(b *Bar) { b.Title = "" }},
		{"no category", func(b *Bar) { b.Category = "" }},
		{"decimals", func(b *Bar) { b.Decimals = 9 }},
		{"axis max", func(b *Bar) { b.AxisMax = math.Inf(1) }},
		{"too large", func(b *Bar) { b.Series[0].Values[1] = 1e16 }},
		{"links length", func(b *Bar) { b.Links = b.Links[:2] }},
		{"javascript link", func(b *Bar) { b.Links[0] = "javascript:alert(1)" }},
		{"off-site link", func(b *Bar) { b.Links[0] = "//evil.example/" }},
		{"absolute link", func(b *Bar) { b.Links[0] = "https://evil.example/" }},
		{"backslash link", func(b *Bar) { b.Links[0] = "/\\evil.example" }},
		{"control in link", func(b *Bar) { b.Links[0] = "/a\nb" }},
	}
	for _, tt := range tests {
		b := ok
		b.Series = []Series{{Name: ok.Series[0].Name, Values: append([]float64(nil), ok.Series[0].Values...)},
			{Name: ok.Series[1].Name, Values: append([]float64(nil), ok.Series[1].Values...)}}
		b.Links = append([]string(nil), ok.Links...)
		tt.edit(&b)
		if _, err := b.Render(); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	b := jilinBar()
	b.Series[0].Values[0] = -5
	if _, err := b.Render(); !errors.Is(err, ErrNegative) {
		t.Errorf("negative value: %v, want ErrNegative", err)
	}
	four := monthLine()
	for range 2 {
		four.Series = append(four.Series, Series{Name: "x", Values: make([]float64, 12)})
	}
	if _, err := four.Render(); err == nil {
		t.Errorf("four lines accepted")
	}
	if _, err := (Line{ID: "l", Title: "t", Labels: []string{"1月"}, Series: []Series{{Name: "n", Values: []float64{-1}}}}).Render(); !errors.Is(err, ErrNegative) {
		t.Errorf("negative line value: %v", err)
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		v    float64
		dec  int
		want string
	}{
		{0, 0, "0"}, {math.Copysign(0, -1), 2, "0.00"}, {7, 0, "7"}, {999, 0, "999"}, {1000, 0, "1,000"},
		{1234567.891, 2, "1,234,567.89"}, {100000, 0, "100,000"}, {12.5, 1, "12.5"}, {0.125, 2, "0.13"}, {8.25, 1, "8.3"}, {2.5, 0, "3"},
		{1e12, 0, "1,000,000,000,000"}, {1234.5, 0, "1,235"}, {1234.49, 0, "1,234"}, {-1234.5, 1, "-1,234.5"}, {99.996, 2, "100.00"},
	}
	for _, tt := range tests {
		if got := Number(tt.v, tt.dec); got != tt.want {
			t.Errorf("Number(%v, %d) = %q, want %q", tt.v, tt.dec, got, tt.want)
		}
	}
}

func TestAxis(t *testing.T) {
	tests := []struct {
		max, axisMax float64
		dec          int
		top, step    float64
		tickDec      int
	}{
		{1234, 0, 0, 1500, 500, 0},
		{3, 0, 0, 3, 1, 0},
		{1, 0, 0, 1, 1, 0},
		{0, 0, 0, 1, 1, 0},
		{0, 0, 2, 1, 0.2, 1},
		{0.37, 0, 2, 0.4, 0.1, 1},
		{50, 100, 1, 100, 20, 0},
		{150, 100, 1, 150, 50, 0}, // the data exceeds the fixed end: the data wins
		{981, 0, 0, 1000, 200, 0},
		{100000, 0, 0, 100000, 20000, 0},
		{0.013, 0, 4, 0.015, 0.005, 3},
	}
	for _, tt := range tests {
		c := common{decimals: tt.dec, axisMax: tt.axisMax, series: []Series{{Values: []float64{tt.max}}}}
		top, step, tickDec := c.axis()
		if math.Abs(top-tt.top) > 1e-9 || math.Abs(step-tt.step) > 1e-9 || tickDec != tt.tickDec {
			t.Errorf("axis(max %v, fixed %v, dec %d) = %v, %v, %d; want %v, %v, %d", tt.max, tt.axisMax, tt.dec, top, step, tickDec, tt.top, tt.step, tt.tickDec)
		}
	}
}

func TestColoursContrast(t *testing.T) {
	for _, c := range append(palette[:], colInk, colMuted, colAxis) {
		if r := contrast(t, c); r < 4.5 {
			t.Errorf("colour %s has contrast %.2f:1 against white, want ≥ 4.5", c, r)
		}
	}
}

func TestClean(t *testing.T) {
	tests := map[string]string{
		"  长春市  ":           "长春市",
		"a\tb\n\nc":         "a b c",
		"x\x00y":            "x y",
		"bad\xffutf8":       "bad\uFFFDutf8",
		"nc\uFFFEhar\u0085": "nc\uFFFDhar",
		"延边朝鲜族自治州":          "延边朝鲜族自治州",
	}
	for in, want := range tests {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
	if got, ok := fit("延边朝鲜族自治州延边朝鲜族自治州", 14, 100); ok || got != "延边朝鲜族自…" {
		t.Errorf("fit = %q, %v", got, ok)
	}
}

func TestGolden(t *testing.T) {
	bar, err := jilinBar().Render()
	if err != nil {
		t.Fatal(err)
	}
	line, err := monthLine().Render()
	if err != nil {
		t.Fatal(err)
	}
	// What a page embeds: picture, summary and table; open the file in a
	// browser to see it.
	golden(t, "bar.golden.html", string(bar.HTML()))
	golden(t, "line.golden.html", string(line.HTML()))
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the output; if the change is intended, run go test ./internal/chart -update and review the diff", path)
	}
}

// FuzzLabels: whatever the database holds, every view is well-formed and
// safe.
func FuzzLabels(f *testing.F) {
	f.Add("长春市", "已认证", 1234.5, 2)
	f.Add("<script>&'\"", "\x00\xff", 0.0, 0)
	f.Add("]]><!--", "&amp;", 1e15, 4)
	f.Fuzz(func(t *testing.T, label, name string, v float64, dec int) {
		if dec < 0 || dec > maxDecimals || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) || v > 1e15 {
			return
		}
		name = "s" + name // a series needs a name
		for _, render := range []func() (Chart, error){
			Bar{ID: "f", Title: label + "t", Category: label + "c", Unit: label, Decimals: dec,
				Labels: []string{label, label + "2"}, Series: []Series{{Name: name, Values: []float64{v, v / 3}}}}.Render,
			Line{ID: "f", Title: label + "t", Unit: label, Decimals: dec,
				Labels: []string{label, "x"}, Series: []Series{{Name: name, Values: []float64{v, 0}}}}.Render,
		} {
			c, err := render()
			if err != nil {
				t.Fatal(err)
			}
			checkSVG(t, string(c.SVG), "f", clean(label+"t"), c.Summary)
			checkCSP(t, parse(t, string(c.HTML())))
		}
	})
}

// TestImports keeps the package to the standard library and away from HTTP:
// archtest lists it among the adapters, which may import anything.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range file.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if strings.Contains(strings.Split(path, "/")[0], ".") || strings.HasPrefix(path, "quotacert/") ||
				strings.HasPrefix(path, "net") || path == "os" || path == "database/sql" {
				t.Errorf("%s imports %s: the chart package is markup from figures, standard library only", name, path)
			}
		}
	}
}
