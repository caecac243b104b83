package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"quotacert/internal/report"
	"strings"
	"syscall"
	"testing"
	"time"

	"quotacert/internal/store/storetest"
)

// buildBinary builds the real command once per test so that start-up, flags and signals are tested
// as an operator meets them.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "quotacert")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startServer runs "quotacert serve" and returns its base URL once it listens.
func startServer(t *testing.T, bin string, env []string, args ...string) (string, *exec.Cmd, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout)
	}()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("server did not start\n%s", logs.String())
			}
			if !strings.Contains(line, "serving on ") {
				continue // --demo prints its accounts first
			}
			go func() {
				for range lines {
				}
			}()
			return strings.TrimSpace(line[strings.Index(line, "http://"):]), cmd, &logs
		case <-deadline:
			t.Fatalf("server did not start within 30s\n%s", logs.String())
		}
	}
}

func TestServeStartHealthStop(t *testing.T) {
	bin := buildBinary(t)
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			data := t.TempDir()
			args := []string{"--data", data, "--captcha", "off"}
			if db == "postgres" {
				args = append(args, "--db", storetest.PGSchemaDSN(t))
			}
			start := time.Now()
			base, cmd, logs := startServer(t, bin, nil, args...)
			res, err := http.Get(base + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
				t.Fatalf("healthz = %d %s", res.StatusCode, body)
			}
			t.Logf("cold start to first healthy answer: %v", time.Since(start))
			if db == "sqlite" {
				if _, err := os.Stat(filepath.Join(data, "quotacert.db")); err != nil {
					t.Errorf("SQLite file not created: %v", err)
				}
			}
			if st, err := os.Stat(filepath.Join(data, "files")); err != nil || !st.IsDir() {
				t.Errorf("files directory not created: %v", err)
			}
			if !strings.Contains(logs.String(), "CAPTCHA IS OFF") {
				t.Errorf("--captcha off was not logged loudly")
			}
			if !strings.Contains(logs.String(), "NO --base-url") || !strings.Contains(logs.String(), "NO LETTER SIGNING KEY") {
				t.Errorf("serve without --base-url and signing key did not warn:\n%s", logs.String())
			}
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
				}
			case <-time.After(15 * time.Second):
				t.Fatal("server did not stop within 15s of SIGTERM")
			}
			if !strings.Contains(logs.String(), `"msg":"stopped"`) {
				t.Errorf("no clean stop logged:\n%s", logs.String())
			}
		})
	}
}

func TestMigrateCommand(t *testing.T) {
	data := t.TempDir()
	var out, errb strings.Builder
	if code := run(t.Context(), []string{"migrate", "--data", data}, func(string) string { return "" }, nil, &out, &errb); code != 0 {
		t.Fatalf("migrate exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "up to date") {
		t.Fatalf("migrate output %q", out.String())
	}
	if code := run(t.Context(), []string{"migrate", "--db", "mysql://x"}, func(string) string { return "" }, nil, &out, &errb); code == 0 {
		t.Fatal("unsupported --db accepted")
	}
	if code := run(t.Context(), []string{"bogus"}, func(string) string { return "" }, nil, &out, &errb); code != 2 {
		t.Fatalf("unknown command exit %d, want 2", code)
	}
}

func TestVerifyCommand(t *testing.T) {
	noEnv := func(string) string { return "" }
	good := `{"year": 2025, "region": "220102", "minimumWages": [{"region": "22", "from": "2024-01", "amount": 1880}],
      "person": {"idNumber": "53010219200508011X"}, "certificates": [], "contracts": [], "wages": [],
      "socialInsurance": [], "medicalInsurance": []}`
	var out, errb strings.Builder
	if code := run(t.Context(), []string{"verify"}, noEnv, strings.NewReader(good), &out, &errb); code != 0 {
		t.Fatalf("verify exit %d: %s", code, errb.String())
	}
	var grid struct {
		PassedMonths int
		Months       []struct{ Month string }
	}
	if err := json.Unmarshal([]byte(out.String()), &grid); err != nil || grid.PassedMonths != 0 ||
		len(grid.Months) != 12 || grid.Months[0].Month != "2025-01" {
		t.Fatalf("verify output %s (%v)", out.String(), err)
	}
	out.Reset()
	errb.Reset()
	bad := strings.Replace(good, "53010219200508011X", "530102192005080119", 1)
	if code := run(t.Context(), []string{"verify"}, noEnv, strings.NewReader(bad), &out, &errb); code != 2 {
		t.Fatalf("invalid case exit %d, want 2", code)
	}
	if lines := strings.Split(strings.TrimSpace(errb.String()), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "person.idNumber") {
		t.Fatalf("stderr %q: want one line naming person.idNumber", errb.String())
	}
	if out.Len() != 0 {
		t.Fatalf("partial answer on invalid input: %q", out.String())
	}
}

// TestServeReadyAndMetricsAddr: a started server is ready (/readyz 200, or only the letter fonts
// missing on a machine without them); with --metrics-addr the figures are on their own listener and
// not on the public one; on PostgreSQL an emptied, recreated schema makes /readyz fail with the
// schema named, while /healthz (liveness) still answers.
func TestServeReadyAndMetricsAddr(t *testing.T) {
	bin := buildBinary(t)
	_, fontErr := report.LoadFonts(report.DefaultFontPaths)
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			metricsAddr := ln.Addr().String()
			ln.Close()
			args := []string{"--data", t.TempDir(), "--captcha", "off", "--metrics-addr", metricsAddr}
			var dsn string
			if db == "postgres" {
				dsn = storetest.PGSchemaDSN(t)
				args = append(args, "--db", dsn)
			}
			base, _, logs := startServer(t, bin, nil, args...)
			get := func(u string) (int, string) {
				t.Helper()
				res, err := http.Get(u)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res.StatusCode, string(b)
			}
			st, body := get(base + "/readyz")
			switch {
			case fontErr == nil && (st != 200 || body != `{"status":"ready"}`+"\n"):
				t.Errorf("readyz = %d %s\n%s", st, body, logs)
			case fontErr != nil && (st != 503 || !strings.Contains(body, `"fonts"`) || strings.Contains(body, `"schema"`)):
				t.Errorf("readyz without fonts = %d %s", st, body)
			}
			if st, _ := get(base + "/metrics"); st != 404 {
				t.Errorf("/metrics on the public listener with --metrics-addr: %d", st)
			}
			st, body = get("http://" + metricsAddr + "/metrics")
			if st != 200 || !strings.Contains(body, `quotacert_http_request_duration_seconds_count{code="200",method="GET",route="GET /readyz"}`) ||
				!strings.Contains(body, "quotacert_db_transactions_total") || !strings.Contains(body, "go_build_info") {
				t.Errorf("metrics listener: %d %.400s", st, body)
			}
			if db != "postgres" {
				return
			}
			u, err := url.Parse(dsn)
			if err != nil {
				t.Fatal(err)
			}
			schema := u.Query().Get("search_path")
			admin, err := sql.Open("pgx", storetest.PGDSN(t))
			if err != nil {
				t.Fatal(err)
			}
			defer admin.Close()
			if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
				t.Fatal(err)
			}
			if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
				t.Fatal(err)
			}
			time.Sleep(1100 * time.Millisecond) // the last readiness answer is reused for a second
			st, body = get(base + "/readyz")
			if st != 503 || !strings.Contains(body, `"schema"`) || !strings.Contains(body, `"storage"`) {
				t.Errorf("readyz on an emptied database = %d %s", st, body)
			}
			if st, _ := get(base + "/healthz"); st != 200 {
				t.Errorf("healthz on an emptied database = %d (liveness should still answer)", st)
			}
		})
	}
}
