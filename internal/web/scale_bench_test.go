package web_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// creditCode builds a valid unified social credit code (GB 32100 check character) for a
// generated employer.
func creditCode(seq int) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	base := fmt.Sprintf("91220101MA%07d", seq)
	sum := 0
	for i, w := range weights {
		sum += strings.IndexByte(alphabet, base[i]) * w
	}
	return base + string(alphabet[(31-sum%31)%31])
}

// loadFigures are one scenario's figures under concurrent load.
type loadFigures struct {
	perSecond float64
	p50, p99  time.Duration
	requests  int
}

// errLoadDone ends a worker of runLoad without a request: a scenario that ran out of work (the
// first views, once every person was viewed) is measured over the requests it made.
var errLoadDone = errors.New("no more work")

// runLoad sends requests from workers goroutines for d (each worker's own requests in turn) and
// measures throughput and latency; any failed request fails the benchmark.
func runLoad(b *testing.B, workers int, d time.Duration, do func(worker, i int) error) loadFigures {
	b.Helper()
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for i := 0; time.Now().Before(deadline); i++ {
				t0 := time.Now()
				err := do(w, i)
				if errors.Is(err, errLoadDone) {
					break
				}
				mine = append(mine, time.Since(t0))
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					break
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	took := time.Since(start)
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	if len(lat) == 0 {
		b.Fatal("the scenario made no request")
	}
	slices.Sort(lat)
	return loadFigures{perSecond: float64(len(lat)) / took.Seconds(), requests: len(lat),
		p50: lat[len(lat)/2], p99: lat[min(len(lat)-1, (len(lat)*99+99)/100-1)]}
}

// BenchmarkScale measures, on each database and in one run, what issue 15 sets targets for: a
// static asset without and with a session (the baseline of the run is the anonymous one), the
// grid page, the list page and the API's list (50 of an employer's 1,000 placements) at 32
// connections, and a month save by 8 employers at once. Each scenario runs for a fixed time (2 s);
// the figures are reported as req/s, p99 and the ratio to the anonymous static asset of the run.
//
//	go test -run '^$' -bench BenchmarkScale -benchtime 1x ./internal/web/
func BenchmarkScale(b *testing.B) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC))
	eachDialect(b, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(b *testing.B, db *store.DB) {
		s, svc := newPlacementSite(b, db, clock, placement.DisclosureLimits{PerEmployer: 100000, PerAddress: 100000, Window: time.Hour})
		c := s.ready(empCode)
		file := c.fileID("合同.pdf")
		ctx := context.Background()
		actorOf := func(code string) actor.Actor {
			var empID, userID int64
			if err := db.SQL().QueryRow(`SELECT e.id, u.id FROM employers e JOIN users u ON u.employer_id = e.id WHERE e.credit_code = $1`,
				code).Scan(&empID, &userID); err != nil {
				b.Fatal(err)
			}
			return actor.Actor{UserID: userID, Name: code, Role: actor.Employer, EmployerID: empID}
		}
		a := actorOf(empCode)
		var ids []int64
		for i := range 1000 {
			birth := fmt.Sprintf("19%02d%02d%02d", 70+i%25, 1+i%12, 1+i%28)
			id, err := svc.Create(ctx, a, 2025, placement.Input{IDNumber: residentID(birth, 100+i%900), Name: fmt.Sprintf("测试%d", i),
				Category: 1 + i%7, Level: 1 + i%4, Contracts: []placement.ContractInput{{Start: "2020-01-01", FileIDs: []string{file}}}})
			if err != nil {
				b.Fatalf("create %d: %v", i, err)
			}
			if i%2 == 0 {
				if _, err := svc.SaveMonths(ctx, a, id, placement.SaveInput{}); err != nil {
					b.Fatalf("save %d: %v", i, err)
				}
			}
			ids = append(ids, id)
		}
		// Eight more employers, each with one person of its own, for the concurrent saves.
		cfg := account.DefaultConfig()
		cfg.CaptchaRequired, cfg.StaffMFARequired = false, false
		cfg.Secrets = testSecrets(b)
		cfg.Argon2 = account.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
		acc, err := account.NewService(cfg, store.AccountRunner(db), db.IsUniqueViolation)
		if err != nil {
			b.Fatal(err)
		}
		type saver struct {
			cookie string
			id     int64
		}
		var savers []saver
		for i := range 8 {
			code := creditCode(100 + i)
			if _, err := acc.Register(ctx, account.RegisterInput{CreditCode: code, Name: fmt.Sprintf("并发单位%d", i), ContactName: "王芳",
				ContactPhone: "13812345678", Password: password, Password2: password, ClientAddr: "127.0.0.1"}); err != nil {
				b.Fatalf("register %s: %v", code, err)
			}
			ec := s.ready(code)
			ef := ec.fileID("合同.pdf")
			id, err := svc.Create(ctx, actorOf(code), 2025, placement.Input{IDNumber: residentID("19800101", 10+i), Name: fmt.Sprintf("并发%d", i),
				Category: 1, Level: 1, Contracts: []placement.ContractInput{{Start: "2020-01-01", FileIDs: []string{ef}}}})
			if err != nil {
				b.Fatal(err)
			}
			savers = append(savers, saver{cookie: sessionCookie(b, s.srv.URL, ec), id: id})
		}

		base := s.srv.URL
		cookie := sessionCookie(b, base, c)
		hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		// The load runs on the server's cores: each response is read into a reused buffer, so
		// that the client's cost of a page of tens of KB (growing a fresh slice, copying it to a
		// string) does not weigh on the page's figures against the small static asset.
		var bodies sync.Pool
		get := func(path, cookie, want string) error {
			req, err := http.NewRequest(http.MethodGet, base+path, nil)
			if err != nil {
				return err
			}
			if cookie != "" {
				req.Header.Set("Cookie", cookie)
			}
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			body, _ := bodies.Get().(*bytes.Buffer)
			if body == nil {
				body = new(bytes.Buffer)
			}
			defer bodies.Put(body)
			body.Reset()
			_, err = body.ReadFrom(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK || !bytes.Contains(body.Bytes(), []byte(want)) {
				return fmt.Errorf("GET %s: %d", path, resp.StatusCode)
			}
			return nil
		}
		const d = 2 * time.Second
		figures := map[string]loadFigures{}
		order := []string{"static-anonymous", "static-signed-in", "grid", "grid-first-view", "list-50-of-1000", "api-list-50-of-1000", "save-8-employers"}
		figures["static-anonymous"] = runLoad(b, 32, d, func(int, int) error { return get("/static/style.css", "", "") })
		figures["static-signed-in"] = runLoad(b, 32, d, func(int, int) error { return get("/static/style.css", cookie, "") })
		// The grid as a clerk works through it: persons already shown in the disclosure window (a
		// first view also writes the disclosure count; grid-first-view measures that).
		viewed := ids[:200]
		for _, id := range viewed {
			if err := get(fmt.Sprintf("/placements/%d", id), cookie, "逐月核验结果"); err != nil {
				b.Fatal(err)
			}
		}
		figures["grid"] = runLoad(b, 32, d, func(w, i int) error {
			return get(fmt.Sprintf("/placements/%d", viewed[(w*131+i*37)%len(viewed)]), cookie, "逐月核验结果")
		})
		fresh := ids[200:]
		var next sync.Mutex
		figures["grid-first-view"] = runLoad(b, 32, d, func(int, int) error {
			next.Lock()
			if len(fresh) == 0 {
				next.Unlock()
				return errLoadDone
			}
			id := fresh[0]
			fresh = fresh[1:]
			next.Unlock()
			return get(fmt.Sprintf("/placements/%d", id), cookie, "逐月核验结果")
		})
		figures["list-50-of-1000"] = runLoad(b, 32, d, func(w, i int) error {
			return get(fmt.Sprintf("/placements?year=2025&page=%d", 1+(w+i)%20), cookie, `id="sum-persons">1000 人`)
		})
		// The API's list as an old client calls it (no paging parameters: the first page and a next link).
		figures["api-list-50-of-1000"] = runLoad(b, 32, d, func(int, int) error {
			return get("/api/v1/years/2025/placements", cookie, `"total":1000`)
		})
		before := db.Transactions()
		figures["save-8-employers"] = runLoad(b, 8, d, func(w, i int) error {
			sv := savers[w]
			req, err := http.NewRequest(http.MethodPut, fmt.Sprintf("%s/api/v1/placements/%d/months", base, sv.id), strings.NewReader(`{"selected":[]}`))
			if err != nil {
				return err
			}
			req.Header.Set("Cookie", sv.cookie)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("save: %d %s", resp.StatusCode, body)
			}
			return nil
		})
		saves := figures["save-8-employers"].requests
		perSave := float64(db.Transactions()-before) / float64(saves)
		baseline := figures["static-anonymous"].perSecond
		for _, name := range order {
			f := figures[name]
			b.Logf("%-8s %-18s %8.0f req/s  %5.2f× static  p50 %6.1f ms  p99 %6.1f ms  (%d requests)", db.Dialect(), name,
				f.perSecond, f.perSecond/baseline, ms(f.p50), ms(f.p99), f.requests)
			b.ReportMetric(f.perSecond, name+"-req/s")
			b.ReportMetric(f.perSecond/baseline, name+"-ratio")
			b.ReportMetric(ms(f.p99), name+"-p99-ms")
		}
		b.Logf("%-8s transactions per save (session included): %.2f", db.Dialect(), perSave)
		b.ReportMetric(perSave, "tx/save")
	})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// sessionCookie is the Cookie header of a signed-in test client.
func sessionCookie(b *testing.B, base string, c *client) string {
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	var parts []string
	for _, ck := range c.c.Jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	if len(parts) == 0 {
		b.Fatal("the client has no session cookie")
	}
	return strings.Join(parts, "; ")
}
