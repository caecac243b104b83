package chart

import (
	"html/template"
	"math"
	"strconv"
	"strings"
)

// maxNamed is how many tied categories a summary names before "等 N 个…".
const maxNamed = 3

// seriesSummary describes one series: its total when the values add up,
// then the highest and the lowest category ("最高为长春市 1,234 户，最低为…"),
// or "均为 0 户" when all are the same. noun counts categories in "等 5 个地区".
func seriesSummary(labels []string, values []float64, decimals int, unit, noun string, sum bool) string {
	var parts []string
	if sum {
		total := 0.0
		for _, v := range values {
			total += v
		}
		parts = append(parts, "合计 "+withUnit(Number(total, decimals), unit))
	}
	// Ties are decided on the values as shown, so the sentence agrees with
	// the table.
	shown := func(v float64) float64 { return math.Round(v * math.Pow(10, float64(decimals))) }
	hi, lo := shown(values[0]), shown(values[0])
	for _, v := range values {
		hi, lo = math.Max(hi, shown(v)), math.Min(lo, shown(v))
	}
	pick := func(target float64) (names string, value float64, tied bool) {
		var picked []string
		n := 0
		for i, v := range values {
			if shown(v) == target {
				value = v
				if n < maxNamed {
					picked = append(picked, labels[i])
				}
				n++
			}
		}
		names = strings.Join(picked, "、")
		if n > maxNamed {
			names += "等 " + strconv.Itoa(n) + " " + noun
		}
		return names, value, n > 1
	}
	extreme := func(word string, target float64) string {
		names, v, tied := pick(target)
		if tied {
			return word + names + "（各 " + withUnit(Number(v, decimals), unit) + "）"
		}
		return word + names + " " + withUnit(Number(v, decimals), unit)
	}
	if hi == lo {
		_, v, _ := pick(hi)
		parts = append(parts, "均为 "+withUnit(Number(v, decimals), unit))
	} else {
		parts = append(parts, extreme("最高为", hi)+"，"+extreme("最低为", lo))
	}
	return strings.Join(parts, "；")
}

// summary is the sentence of a whole chart. intro says what the categories
// are ("共 9 个地区", "1月至12月"); a single category is read out whole, after
// intro when there is one.
func summary(intro string, labels []string, series []Series, decimals int, unit, noun string, sum bool) string {
	lead := ""
	if intro != "" {
		lead = intro + "："
	}
	switch {
	case len(labels) == 0:
		return noData + "。"
	case len(labels) == 1 && len(series) == 1:
		return lead + labels[0] + " " + withUnit(Number(series[0].Values[0], decimals), unit) + "。"
	case len(labels) == 1:
		var parts []string
		for _, s := range series {
			parts = append(parts, s.Name+" "+withUnit(Number(s.Values[0], decimals), unit))
		}
		if lead == "" {
			return labels[0] + "：" + strings.Join(parts, "，") + "。"
		}
		return lead + labels[0] + "，" + strings.Join(parts, "，") + "。"
	case len(series) == 1:
		return intro + "，" + seriesSummary(labels, series[0].Values, decimals, unit, noun, sum) + "。"
	}
	var b strings.Builder
	b.WriteString(intro + "。")
	for _, s := range series {
		b.WriteString(s.Name + "：" + seriesSummary(labels, s.Values, decimals, unit, noun, sum) + "。")
	}
	return b.String()
}

// table writes the data table: a caption, one column per series with the
// unit in its header, one row per category with the category as row header
// (a link when links gives one), and a 合计 row when the values add up.
func table(id, caption, category string, labels, links []string, series []Series, decimals int, unit string, sum bool) template.HTML {
	var b strings.Builder
	b.WriteString(`<table class="data chart-table" id="` + id + `-table">` + "\n")
	b.WriteString("<caption>" + esc(caption) + "</caption>\n")
	b.WriteString(`<thead><tr><th scope="col">` + esc(category) + "</th>")
	for _, s := range series {
		b.WriteString(`<th scope="col">` + esc(headerWithUnit(s.Name, unit)) + "</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	if len(labels) == 0 {
		b.WriteString(`<tr><td colspan="` + strconv.Itoa(len(series)+1) + `">` + noData + "</td></tr>\n")
	}
	for i, l := range labels {
		b.WriteString(`<tr><th scope="row">`)
		if i < len(links) && links[i] != "" {
			b.WriteString(`<a href="` + esc(links[i]) + `">` + esc(l) + "</a>")
		} else {
			b.WriteString(esc(l))
		}
		b.WriteString("</th>")
		for _, s := range series {
			b.WriteString(`<td class="num">` + Number(s.Values[i], decimals) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n")
	if sum && len(labels) > 0 {
		b.WriteString(`<tfoot><tr><th scope="row">合计</th>`)
		for _, s := range series {
			total := 0.0
			for _, v := range s.Values {
				total += v
			}
			b.WriteString(`<td class="num">` + Number(total, decimals) + "</td>")
		}
		b.WriteString("</tr></tfoot>\n")
	}
	b.WriteString("</table>\n")
	return template.HTML(b.String())
}
