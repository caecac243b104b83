package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// residentID builds a valid ID number (GB 11643 check character) for a generated person.
func residentID(birth string, seq int) string {
	base := "220102" + birth + fmt.Sprintf("%03d", seq)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(base[i]-'0') * w
	}
	return base + string("10X98765432"[sum%11])
}

// TestPlacementFigures measures the list page and the grid page for an employer with 1,000
// placements (the months of half of them saved), on both databases: median and p99 of the time
// from request to last byte over loopback. QUOTACERT_FIGURES=N sets the number of requests.
func TestPlacementFigures(t *testing.T) {
	n := 40
	if v, err := strconv.Atoi(os.Getenv("QUOTACERT_FIGURES")); err == nil && v > 0 {
		n = v
	}
	clock := storetest.NewClock(time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s, svc := newPlacementSite(t, db, clock)
		c := s.ready(empCode)
		file := c.fileID("合同.pdf")
		var empID, userID int64
		db.SQL().QueryRow(`SELECT id FROM employers WHERE credit_code = $1`, empCode).Scan(&empID)
		db.SQL().QueryRow(`SELECT id FROM users WHERE employer_id = $1`, empID).Scan(&userID)
		a := actor.Actor{UserID: userID, Name: empCode, Role: actor.Employer, EmployerID: empID}
		ctx := context.Background()
		began := time.Now()
		var ids []int64
		for i := range 1000 {
			birth := fmt.Sprintf("19%02d%02d%02d", 70+i%25, 1+i%12, 1+i%28)
			id, err := svc.Create(ctx, a, 2025, placement.Input{IDNumber: residentID(birth, 100+i%900), Name: fmt.Sprintf("测试%d", i),
				Category: 1 + i%7, Level: 1 + i%4, Contracts: []placement.ContractInput{{Start: "2020-01-01", FileIDs: []string{file}}}})
			if err != nil {
				t.Fatalf("create %d: %v", i, err)
			}
			if i%2 == 0 {
				if _, err := svc.SaveMonths(ctx, a, id, placement.SaveInput{}); err != nil {
					t.Fatalf("save %d: %v", i, err)
				}
			}
			ids = append(ids, id)
		}
		t.Logf("%s: generated 1000 placements in %v", db.Dialect(), time.Since(began).Round(time.Millisecond))
		measure := func(name string, path func(i int) string, want string) {
			var d []time.Duration
			for i := range n {
				t0 := time.Now()
				status, body, _ := c.get(path(i))
				d = append(d, time.Since(t0))
				if status != http.StatusOK || !strings.Contains(body, want) {
					t.Fatalf("%s: %d", name, status)
				}
			}
			slices.Sort(d)
			p99 := d[min(len(d)-1, (len(d)*99+99)/100-1)]
			t.Logf("%s %s: n=%d median %v p99 %v", db.Dialect(), name, n, d[len(d)/2].Round(10*time.Microsecond), p99.Round(10*time.Microsecond))
		}
		measure("list page (1000 rows)", func(int) string { return "/placements?year=2025" }, `id="sum-persons">1000 人`)
		measure("grid page", func(i int) string { return fmt.Sprintf("/placements/%d", ids[(i*37)%len(ids)]) }, "逐月核验结果")
	})
}
