package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/idnum"
	"quotacert/internal/loadgen"
	"quotacert/internal/pii"
	"quotacert/internal/report"
	"quotacert/internal/store"
)

// cmdScale runs "quotacert scale" (issue 15): fills a PostgreSQL database through COPY with N
// employers, their placements (persons with sealed ID numbers, registry certificates), declarations
// with letters and pending review items, then starts the server on it in this process and measures
// the pages with vegeta (internal/loadgen), each as a ratio to a static asset of the same run.
func cmdScale(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) int {
	fs := newFlagSet("scale", stderr)
	var dbf dbFlags
	dbf.register(fs, getenv)
	employers := fs.Int("employers", 100000, "employers to add")
	placements := fs.Int("placements", 1000000, "placements to add, spread over the employers (the measured employer gets 1,000 of them)")
	duration := fs.Duration("duration", 5*time.Second, "length of each measurement")
	workers := fs.Int("workers", 32, "concurrent connections of each measurement")
	exports := fs.Int("exports", 3, "results exports of each format to time (0: none)")
	doFill := fs.Bool("fill", true, "fill the database first; --fill=false measures a database an earlier run filled (the same fill for two builds)")
	pages := fs.Bool("pages", true, "measure the pages; --pages=false times the results exports alone")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !strings.HasPrefix(dbf.db, "postgres") || *employers < 1 || *placements < 1000 {
		fmt.Fprintln(stderr, "usage: quotacert scale --db postgres://… [--employers N] [--placements M ≥ 1000] [--duration 5s] [--workers 32]")
		return 2
	}
	fail := func(err error) int { fmt.Fprintf(stderr, "quotacert scale: %v\n", err); return 1 }
	k, err := dbf.openKeyed(ctx, getenv("QUOTACERT_KEY"), func(msg string) { fmt.Fprintln(stderr, "quotacert scale:", msg) })
	if err != nil {
		return fail(err)
	}
	// The harness registers its accounts itself: no captcha to solve.
	cfg := account.DefaultConfig()
	cfg.CaptchaRequired = false
	cfg.Secrets = k.pii
	acc, err := account.NewService(cfg, store.AccountRunner(k.db), k.db.IsUniqueViolation)
	if err != nil {
		k.Close()
		return fail(err)
	}
	start := time.Now()
	var f filled
	if *doFill {
		f, err = fillScale(ctx, k.db, k.pii, acc, *employers, *placements)
	} else {
		f, err = filledScale(ctx, k.db)
	}
	if err == nil {
		// Measured as autovacuum keeps a database: the fill's one transaction left a row version
		// for each counter bump (review_counts: 20 MB for 70 rows), an earlier run's saves leave
		// theirs, and a server without autovacuum (this machine's test server) measured them. The
		// tables are named, the fill's and those its triggers write, so that only this schema is
		// vacuumed (the tests run the harness in a schema of a shared database). The checkpoint
		// writes the pages the vacuum dirtied before the measurement instead of during it (it
		// needs superuser or pg_checkpoint; without them the run says so and goes on).
		if _, err = k.db.SQL().ExecContext(ctx, `VACUUM (ANALYZE) employers, persons, registry_certificates, placements,
            declarations, letters, letter_snapshots, letter_persons, review_items, review_counts, view_generations,
            result_feed, sessions, users`); err != nil {
			err = fmt.Errorf("vacuum: %w", err)
		} else if _, cerr := k.db.SQL().ExecContext(ctx, `CHECKPOINT`); cerr != nil {
			fmt.Fprintf(stdout, "no checkpoint before the measurement (%v): the vacuum's writes may fall into it\n", cerr)
		}
	}
	k.Close()
	if err != nil {
		return fail(err)
	}
	if *doFill {
		fmt.Fprintf(stdout, "filled in %v: %d employers, %d placements and persons, %d registry certificates, %d letters, %d pending review items\n",
			time.Since(start).Round(time.Second), f.employers, f.placements, f.placements, f.letters, f.reviews)
	} else {
		fmt.Fprintf(stdout, "measuring an earlier fill: %d employers, %d placements, %d letters, %d pending review items\n",
			f.employers, f.placements, f.letters, f.reviews)
	}

	// The server, in this process, on a loopback port.
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	pr, pw := io.Pipe()
	served := make(chan error, 1)
	go func() {
		log := slog.New(slog.NewJSONHandler(io.Discard, nil))
		served <- serve(sctx, log, serveConfig{db: dbf, addr: "127.0.0.1:0", key: getenv("QUOTACERT_KEY"), getenv: getenv,
			maxSessions: 5, fonts: report.DefaultFontPaths}, pw)
		pw.Close()
	}()
	base, err := servingURL(pr)
	if err != nil {
		return fail(err)
	}
	go io.Copy(io.Discard, pr)
	m := &scaleRun{base: base, duration: *duration, workers: *workers, out: stdout, pages: *pages}
	if err := m.measure(ctx, f, *exports); err != nil {
		return fail(err)
	}
	stop()
	<-served
	return 0
}

// servingURL reads the server's "serving on http://…" line.
func servingURL(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if i := strings.Index(sc.Text(), "http://"); i >= 0 && strings.Contains(sc.Text(), "serving on") {
			return strings.TrimSpace(sc.Text()[i:]), nil
		}
	}
	return "", fmt.Errorf("the server did not start: %v", sc.Err())
}

// filled is what fillScale made: the measured accounts and one of the employer's placements.
type filled struct {
	employers, placements, letters, reviews int
	employer, password                      string
	placement                               int64
	province, county                        string // reviewer user names
}

const scalePassword = "Scale#2026a"

// filledScale finds what an earlier fillScale made, to measure the same rows again (another build
// of the server on the same fill is the comparison that means something on a shared machine).
func filledScale(ctx context.Context, db *store.DB) (filled, error) {
	f := filled{password: scalePassword, province: "scale-province", county: "scale-county", employer: scaleCreditCode(0)}
	err := db.SQL().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM employers WHERE name LIKE '规模测试%'),
        (SELECT COUNT(*) FROM placements p JOIN employers e ON e.id = p.employer_id WHERE e.name LIKE '规模测试%'),
        (SELECT COUNT(*) FROM letters), (SELECT COUNT(*) FROM review_items WHERE status = 'pending'),
        (SELECT COALESCE(MIN(p.id), 0) FROM placements p JOIN employers e ON e.id = p.employer_id WHERE e.credit_code = $1)`,
		f.employer).Scan(&f.employers, &f.placements, &f.letters, &f.reviews, &f.placement)
	if err != nil {
		return f, fmt.Errorf("read the earlier fill: %w", err)
	}
	if f.employers == 0 || f.placement == 0 {
		return f, fmt.Errorf("the database holds no earlier scale fill: run once with --fill")
	}
	return f, nil
}

// copyRows streams n generated rows to CopyRows.
type copyRows struct {
	n, i int
	row  func(i int) []any
}

func (c *copyRows) Next() bool             { c.i++; return c.i <= c.n }
func (c *copyRows) Values() ([]any, error) { return c.row(c.i - 1), nil }
func (c *copyRows) Err() error             { return nil }

// checkChar completes a 17-character code with the character that makes parse accept it.
func checkChar(prefix string, chars string, ok func(string) bool) string {
	for _, c := range chars {
		if ok(prefix + string(c)) {
			return prefix + string(c)
		}
	}
	return ""
}

func scaleCreditCode(i int) string {
	return checkChar(fmt.Sprintf("91220100%09d", i), "0123456789ABCDEFGHJKLMNPQRTUWXY", func(s string) bool {
		_, err := idnum.ParseCreditCode(s)
		return err == nil
	})
}

// scaleIDNumber is a valid resident ID number of a person born 1970–1999 in 长春市南关区.
func scaleIDNumber(i int) string {
	born := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%10950)
	prefix := fmt.Sprintf("220102%s%03d", born.Format("20060102"), i/10950%1000)
	return checkChar(prefix, "0123456789X", func(s string) bool {
		_, err := idnum.ParseResidentID(s, idnum.Date{Year: 2026, Month: 1, Day: 1})
		return err == nil
	})
}

// fillScale adds the rows in one transaction through COPY. The measured employer and reviewers are
// made through the account service (real password hashes); everything else is bulk.
func fillScale(ctx context.Context, db *store.DB, p *pii.Protector, acc *account.Service, employers, placements int) (filled, error) {
	f := filled{employers: employers, placements: placements, password: scalePassword, province: "scale-province", county: "scale-county"}
	var existing int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM employers WHERE name LIKE '规模测试%'`).Scan(&existing); err != nil {
		return f, fmt.Errorf("count employers: %w", err)
	}
	if existing > 0 {
		return f, fmt.Errorf("the database holds %d employers of an earlier scale run: use a fresh database", existing)
	}
	f.employer = scaleCreditCode(0)
	if _, err := acc.Register(ctx, account.RegisterInput{CreditCode: f.employer, Name: "规模测试单位0", ContactName: "王芳",
		ContactPhone: "13812345678", Password: scalePassword, ClientAddr: "127.0.0.1"}); err != nil {
		return f, fmt.Errorf("register the measured employer: %w %v", err, apperr.As(err).Fields)
	}
	for user, office := range map[string]string{f.province: "220000", f.county: "220102"} {
		if _, err := acc.CreateStaff(ctx, actor.System("scale"), account.StaffInput{Username: user, Password: scalePassword,
			Role: actor.Reviewer, Office: office}); err != nil {
			return f, fmt.Errorf("create reviewer %s: %w", user, err)
		}
	}
	now := time.Now().UTC()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var emp0 int64
		if err := tx.QueryRow(ctx, `SELECT id FROM employers WHERE credit_code = $1`, f.employer).Scan(&emp0); err != nil {
			return fmt.Errorf("measured employer: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE employers SET unit_nature = '企业', federation_office = '220102', tax_office = '12201020000', district = '220102',
            contact_name = '王芳', contact_phone = '13812345678', employee_count = 5000, address = '长春市南关区人民大街 1 号' WHERE id = $1`, emp0); err != nil {
			return err
		}
		type office struct{ fed, fedName, tax, taxName string }
		var offices []office
		rows, err := db.SQL().QueryContext(ctx, `SELECT f.code, f.name, t.code, t.name FROM tax_offices t JOIN federation_offices f ON f.code = t.region ORDER BY t.code`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var o office
			if err := rows.Scan(&o.fed, &o.fedName, &o.tax, &o.taxName); err != nil {
				rows.Close()
				return err
			}
			offices = append(offices, o)
		}
		rows.Close()
		var next int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM employers`).Scan(&next); err != nil {
			return err
		}
		// Employer 0 is the measured one; 1 … employers-1 are bulk.
		empID := func(i int) int64 {
			if i == 0 {
				return emp0
			}
			return next + int64(i) - 1
		}
		if _, err := tx.CopyRows(ctx, "employers", []string{"id", "credit_code", "name", "unit_nature", "federation_office", "tax_office", "district",
			"contact_name", "contact_phone", "employee_count", "address", "created_at", "updated_at"},
			&copyRows{n: employers - 1, row: func(i int) []any {
				o := offices[(i+1)%len(offices)]
				return []any{empID(i + 1), scaleCreditCode(i + 1), fmt.Sprintf("规模测试单位%d", i+1), "企业", o.fed, o.tax, o.fed, "李明", "13912345678",
					100 + i%900, "吉林省", now, now}
			}}); err != nil {
			return err
		}
		// Persons, registry certificates and placements: the measured employer gets the first 1,000.
		var person0, placement0 int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM persons`).Scan(&person0); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM placements`).Scan(&placement0); err != nil {
			return err
		}
		owner := func(i int) int64 {
			if i < 1000 {
				return emp0
			}
			return empID(1 + (i-1000)%max(1, employers-1))
		}
		if _, err := tx.CopyRows(ctx, "persons", []string{"id", "id_hash", "id_sealed", "id_masked", "name", "gender", "created_at"},
			&copyRows{n: placements, row: func(i int) []any {
				id := scaleIDNumber(i)
				return []any{person0 + int64(i), p.Hash(id), p.Seal(id), idnum.MaskID(id), fmt.Sprintf("测试%d", i), gender(id), now}
			}}); err != nil {
			return err
		}
		if _, err := tx.CopyRows(ctx, "registry_certificates", []string{"cert_hash", "cert_sealed", "cert_masked", "person_hash",
			"person_sealed", "name", "gender", "category", "level", "issued", "valid_until", "status"},
			&copyRows{n: placements, row: func(i int) []any {
				id := scaleIDNumber(i)
				cert := id + "43"
				return []any{p.Hash(cert), p.Seal(cert), idnum.MaskCertificate(cert), p.Hash(id), p.Seal(id), fmt.Sprintf("测试%d", i),
					gender(id), 4, 3, "2018-05-10", "2030-05-10", "有效"}
			}}); err != nil {
			return err
		}
		if _, err := tx.CopyRows(ctx, "placements", []string{"id", "employer_id", "year", "person_id", "status", "category", "level",
			"created_at", "updated_at"},
			&copyRows{n: placements, row: func(i int) []any {
				return []any{placement0 + int64(i), owner(i), 2025, person0 + int64(i), "confirmed", 4, 3, now, now}
			}}); err != nil {
			return err
		}
		f.placement = placement0
		// Declarations and letters for two employers in three (the results export), pending claims
		// for one placement in ten (the reviewers' queue).
		var decl0 int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM declarations`).Scan(&decl0); err != nil {
			return err
		}
		var declared []int
		for i := 1; i < employers; i++ {
			if i%3 != 0 {
				declared = append(declared, i)
			}
		}
		f.letters = len(declared)
		if _, err := tx.CopyRows(ctx, "declarations", []string{"id", "employer_id", "year", "status", "submitted_at"},
			&copyRows{n: len(declared), row: func(j int) []any {
				return []any{decl0 + int64(j), empID(declared[j]), 2025, "submitted", now}
			}}); err != nil {
			return err
		}
		// Each letter certifies its employer's placements and keeps its snapshot (migration 0150),
		// which is what the results read.
		persons := make([]int, employers)
		for i := 1000; i < placements; i++ {
			persons[1+(i-1000)%max(1, employers-1)]++
		}
		var letter0 int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM letters`).Scan(&letter0); err != nil {
			return err
		}
		if _, err := tx.CopyRows(ctx, "letters", []string{"id", "declaration_id", "number", "verify_code", "status", "persons", "counted_months",
			"weight_months", "federation_office", "issued_at"},
			&copyRows{n: len(declared), row: func(j int) []any {
				o, n := offices[declared[j]%len(offices)], persons[declared[j]]
				return []any{letter0 + int64(j), decl0 + int64(j), fmt.Sprintf("JL2025-S%07d", j), fmt.Sprintf("scale%07d", j), "valid",
					n, 12 * n, 12 * n, o.fed, now}
			}}); err != nil {
			return err
		}
		if _, err := tx.CopyRows(ctx, "letter_snapshots", []string{"letter_id", "employer_name", "credit_code", "district", "district_name",
			"federation_office", "federation_office_name", "tax_office", "tax_office_name", "employees"},
			&copyRows{n: len(declared), row: func(j int) []any {
				k := declared[j]
				o := offices[k%len(offices)]
				return []any{letter0 + int64(j), fmt.Sprintf("规模测试单位%d", k), scaleCreditCode(k), o.fed, o.fedName, o.fed, o.fedName,
					o.tax, o.taxName, 100 + (k-1)%900}
			}}); err != nil {
			return err
		}
		// The letter of employer k (k not a multiple of 3) is declared[k-1-k/3]; its persons are the
		// placements i ≥ 1000 that owner gives it, in order.
		var certified []int32
		for i := 1000; i < placements; i++ {
			if k := 1 + (i-1000)%max(1, employers-1); k%3 != 0 && k < employers {
				certified = append(certified, int32(i))
			}
		}
		position := make([]int, employers)
		if _, err := tx.CopyRows(ctx, "letter_persons", []string{"letter_id", "position", "name", "id_masked", "certificate_kind",
			"category", "level", "counted_months", "weight_months"},
			&copyRows{n: len(certified), row: func(j int) []any {
				i := int(certified[j])
				k := 1 + (i-1000)%max(1, employers-1)
				position[k]++
				return []any{letter0 + int64(k-1-k/3), position[k], fmt.Sprintf("测试%d", i), idnum.MaskID(scaleIDNumber(i)),
					"disability", 4, 3, 12, 12}
			}}); err != nil {
			return err
		}
		f.reviews = placements / 10
		if _, err := tx.CopyRows(ctx, "review_items", []string{"kind", "employer_id", "year", "placement_id", "month", "note", "created_at"},
			&copyRows{n: f.reviews, row: func(j int) []any {
				i := j * 10
				return []any{"claim", owner(i), 2025, placement0 + int64(i), "2025-03", "工资条", now.Add(-time.Duration(j) * time.Second)}
			}}); err != nil {
			return err
		}
		for _, table := range []string{"employers", "persons", "placements", "declarations", "letters"} {
			if _, err := tx.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT MAX(id) FROM %s))`, table, table)); err != nil {
				return fmt.Errorf("sequence of %s: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	return f, nil
}

// gender is the ID number's: the 17th digit is odd for men.
func gender(id string) string {
	if (id[16]-'0')%2 == 1 {
		return "男"
	}
	return "女"
}

// scaleRun measures pages of a running server.
type scaleRun struct {
	base     string
	duration time.Duration
	workers  int
	out      io.Writer
	pages    bool // measure the pages, not only the exports
}

// attack runs one measurement at full speed with the run's workers and returns its metrics.
func (m *scaleRun) attack(ctx context.Context, name string, targets ...vegeta.Target) (vegeta.Metrics, error) {
	return loadgen.Attack{Name: name, Workers: m.workers, Duration: m.duration}.Metrics(ctx, targets...)
}

func (m *scaleRun) measure(ctx context.Context, f filled, exports int) error {
	empCookie, err := loadgen.Login(ctx, m.base, map[string]string{"creditCode": f.employer, "password": f.password})
	if err != nil {
		return err
	}
	provCookie, err := loadgen.Login(ctx, m.base, map[string]string{"username": f.province, "password": f.password})
	if err != nil {
		return err
	}
	countyCookie, err := loadgen.Login(ctx, m.base, map[string]string{"username": f.county, "password": f.password})
	if err != nil {
		return err
	}
	hdr := func(cookie string, more ...string) http.Header {
		h := http.Header{"Cookie": {cookie}}
		for i := 0; i+1 < len(more); i += 2 {
			h.Set(more[i], more[i+1])
		}
		return h
	}
	save, _ := json.Marshal(map[string]any{"selected": []string{}})
	// Saves go round 32 of the employer's placements (under the limit of 60 persons shown an hour).
	var saves []vegeta.Target
	for i := range int64(32) {
		saves = append(saves, vegeta.Target{Method: "PUT", URL: fmt.Sprintf("%s/api/v1/placements/%d/months", m.base, f.placement+i),
			Body: save, Header: hdr(empCookie, "Content-Type", "application/json", "Origin", m.base)})
	}
	type measurement struct {
		name    string
		targets []vegeta.Target
	}
	runs := []measurement{
		{"static /static/style.css (baseline)", []vegeta.Target{{Method: "GET", URL: m.base + "/static/style.css"}}},
		{"employer list /placements", []vegeta.Target{{Method: "GET", URL: m.base + "/placements", Header: hdr(empCookie)}}},
		{"employer grid /placements/{id}", []vegeta.Target{{Method: "GET", URL: fmt.Sprintf("%s/placements/%d", m.base, f.placement), Header: hdr(empCookie)}}},
		{"employer save PUT /api/v1/placements/{id}/months (32 persons)", saves},
		{"reviewer queue, province /api/v1/reviews?status=pending", []vegeta.Target{{Method: "GET", URL: m.base + "/api/v1/reviews?status=pending", Header: hdr(provCookie)}}},
		{"reviewer queue, county (南关区) /api/v1/reviews?status=pending", []vegeta.Target{{Method: "GET", URL: m.base + "/api/v1/reviews?status=pending", Header: hdr(countyCookie)}}},
	}
	if !m.pages {
		runs = nil
	}
	var baseline float64
	fmt.Fprintf(m.out, "%d connections, %v each\n", m.workers, m.duration)
	for i, r := range runs {
		met, err := m.attack(ctx, r.name, r.targets...)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		if i == 0 {
			baseline = met.Throughput
		}
		fmt.Fprintf(m.out, "%-62s %8.0f req/s (%.2f× static)  p50 %v  p99 %v  success %.1f%%  codes %v\n", r.name, met.Throughput,
			met.Throughput/baseline, met.Latencies.P50.Round(time.Microsecond), met.Latencies.P99.Round(time.Microsecond), met.Success*100, met.StatusCodes)
	}
	// The results exports, one at a time, timed whole; --exports 0 times none.
	for _, e := range []struct{ name, path, accept string }{
		{"results JSON (feed, 500 a page, all pages)", "/api/v1/years/2025/results?after=0&pageSize=500", "application/json"},
		{"results CSV (whole export)", "/api/v1/years/2025/results", "text/csv"},
		{"results XLSX (whole export)", "/review/results.xlsx?year=2025", ""},
	} {
		if exports < 1 {
			break
		}
		var total time.Duration
		var bytes, before, peak int64
		for range exports {
			// The high-water mark of the resident set is reset to what the process holds now, with the
			// heap returned to the system first, so the peak is this export's (server and client).
			debug.FreeOSMemory()
			before = resetPeakRSS()
			start := time.Now()
			n, err := m.export(e.path, e.accept, provCookie)
			if err != nil {
				return fmt.Errorf("%s: %w", e.name, err)
			}
			total, bytes, peak = total+time.Since(start), n, max(peak, peakRSSkB())
		}
		fmt.Fprintf(m.out, "%-62s %v per export of %d letters, %d bytes, peak RSS %d MB (%d MB before)\n", e.name,
			(total / time.Duration(exports)).Round(time.Millisecond), f.letters, bytes, peak/1024, before/1024)
	}
	fmt.Fprintf(m.out, "peak RSS of this process (harness and server): %s\n", peakRSS())
	return nil
}

// export downloads one export; the JSON feed is followed through its next links.
func (m *scaleRun) export(path, accept, cookie string) (int64, error) {
	var total int64
	for path != "" {
		req, _ := http.NewRequest("GET", m.base+path, nil)
		req.Header.Set("Cookie", cookie)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return total, err
		}
		if resp.StatusCode != 200 {
			resp.Body.Close()
			return total, fmt.Errorf("status %d", resp.StatusCode)
		}
		next := ""
		if accept == "application/json" {
			var page struct{ Next *string }
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				resp.Body.Close()
				return total, err
			}
			total += int64(len(b))
			if err := json.Unmarshal(b, &page); err != nil {
				resp.Body.Close()
				return total, err
			}
			if page.Next != nil {
				next = *page.Next
			}
		} else {
			n, err := io.Copy(io.Discard, resp.Body)
			total += n
			if err != nil {
				resp.Body.Close()
				return total, err
			}
		}
		resp.Body.Close()
		path = next
	}
	return total, nil
}

// peakRSS is VmHWM of /proc/self/status.
func peakRSS() string {
	kb := peakRSSkB()
	if kb < 0 {
		return "unknown"
	}
	return fmt.Sprintf("%d MB", kb/1024)
}

// peakRSSkB is VmHWM of /proc/self/status in kB, -1 when unknown.
func peakRSSkB() int64 { return procStatus("VmHWM:") }

// resetPeakRSS sets VmHWM back to the current resident set (Linux: "5" in clear_refs) and returns
// that current size in kB (-1 when unknown).
func resetPeakRSS() int64 {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return procStatus("VmRSS:")
}

func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return -1
			}
			return kb
		}
	}
	return -1
}
