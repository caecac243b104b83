package admin

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

var (
	regionCode = regexp.MustCompile(`^[1-9]\d{5}$`)
	wagePrefix = regexp.MustCompile(`^[1-9]\d(\d\d){0,2}$`)
	monthRe    = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)
	money      = regexp.MustCompile(`^\d{1,9}(\.\d{1,2})?$`)
	percent    = regexp.MustCompile(`^\d{1,2}(\.\d{1,2})?$`)
	// officePhone is an office's telephone as printed: 0431-88880000, 0431 8888 0000 转 8001, (0431)…
	officePhone = regexp.MustCompile(`^[0-9][0-9+\-() （）转]{0,39}$|^[+（(][0-9+\-() （）转]{1,39}$`)
)

// checkName validates a display name: required, one line, at most max characters.
func checkName(fields map[string]string, key, label, v string, max int) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		fields[key] = "请填写" + label
	case utf8.RuneCountInString(v) > max:
		fields[key] = fmt.Sprintf("%s不能超过 %d 个字", label, max)
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		fields[key] = label + "不能包含换行或控制字符"
	}
	return v
}

// parseYuan turns "2120" or "2120.50" into fen.
func parseYuan(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if !money.MatchString(s) {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	y, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
	return y*100 + f, true
}

// FormatYuan shows fen as yuan with 2 decimals, for pages and audit details.
func FormatYuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// FormatPercent shows basis points as a percentage ("1.6").
func FormatPercent(bp int) string {
	s := fmt.Sprintf("%d.%02d", bp/100, bp%100)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
