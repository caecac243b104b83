// Package exchangegen writes large, valid, synthetic data-exchange files for performance
// measurements and tests (`quotacert gen-wages N FILE`). Everything it writes is fictitious: ID
// numbers are built from a Jilin district code, an invented birth date and sequence number and a
// correct GB 11643 check character, so they pass validation like real ones would.
package exchangegen

import (
	"bufio"
	"fmt"
	"io"
	"time"
)

// payers are the demo companies' credit codes (internal/demo/data/README.md): valid GB 32100 codes.
var payers = [...]string{"91220101MA14U8XK2R", "91220104MA17DPQ346", "91220106MA15RG8N3X", "91220105MA13W7KE73"}

// birthDays is the range of invented birth dates: 1960-01-01 plus up to ~40 years.
const birthDays = 14600

// PersonID returns the p-th synthetic resident ID number (p < 14,600,000), all distinct.
func PersonID(p int) string {
	birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, p%birthDays)
	body := fmt.Sprintf("220102%s%03d", birth.Format("20060102"), (p/birthDays)%1000)
	return body + string(checkChar(body))
}

// checkChar is the GB 11643-1999 check character of the first 17 digits.
func checkChar(body string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

// Wages writes a wages file of n data rows (plus the header): twelve months of 2025 per person,
// persons in order, the payer varying by person, amounts between 1800.00 and 2799.99 yuan.
// Every natural key is distinct, so the file imports cleanly.
func Wages(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	if _, err := bw.WriteString("idNumber,creditCode,month,amount\n"); err != nil {
		return err
	}
	id := ""
	for i := 0; i < n; i++ {
		p := i / 12
		if i%12 == 0 {
			id = PersonID(p)
		}
		fen := 180000 + (i*7919)%100000
		if _, err := fmt.Fprintf(bw, "%s,%s,2025-%02d,%d.%02d\n", id, payers[p%len(payers)], i%12+1, fen/100, fen%100); err != nil {
			return err
		}
	}
	return bw.Flush()
}
