package exchange_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/exchange"
	"quotacert/internal/exchange/exchangegen"
	"quotacert/internal/store"
	"quotacert/internal/store/postgres"
	"quotacert/internal/store/sqlite"
	"quotacert/internal/store/storetest"
)

var actorEmployer = actor.Actor{UserID: 9, Name: codeE, Role: actor.Employer, EmployerID: 1}

// childEnv makes the test binary act as an importing process that the test kills mid-way.
const childEnv = "QUOTACERT_EXCHANGE_KILL_CHILD"

// stallingReader yields a generated wages file and then blocks forever, as a slow upload would,
// so the import is certainly mid-transaction when the process is killed.
type stallingReader struct{ r io.Reader }

func (s stallingReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF {
		select {} // never returns: the parent kills us here
	}
	return n, err
}

// childMain imports an endless wages file into the database named by the environment and prints
// its progress; it never finishes on its own.
func childMain() int {
	ctx := context.Background()
	target := os.Getenv(childEnv)
	var db *store.DB
	var err error
	if path, ok := strings.CutPrefix(target, "sqlite:"); ok {
		db, err = sqlite.Open(ctx, path, time.Now)
	} else {
		db, err = postgres.Open(ctx, target, time.Now)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		return 1
	}
	var buf bytes.Buffer
	if err := exchangegen.Wages(&buf, 3000); err != nil {
		fmt.Fprintln(os.Stderr, "child generate:", err)
		return 1
	}
	svc := newService(&testing.T{}, db).WithBatchSize(500)
	_, err = svc.Import(ctx, system, exchange.Wages, "endless.csv", stallingReader{&buf}, exchange.Options{
		Progress: func(rows int) { fmt.Printf("progress %d\n", rows) },
	})
	fmt.Fprintln(os.Stderr, "child: import returned", err)
	return 1
}

// TestKilledImportLeavesPreviousState runs an import in a separate process, kills it (SIGKILL)
// after several batches were written inside its transaction, and checks the database holds
// exactly the previous state and still accepts imports.
func TestKilledImportLeavesPreviousState(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		mustImport(t, svc, exchange.Wages, goodFiles[exchange.Wages])
		before := snapshot(t, db)

		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+childTarget(t, db))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		written := 0
		deadline := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
		for written < 2000 && sc.Scan() {
			fmt.Sscanf(sc.Text(), "progress %d", &written)
		}
		deadline.Stop()
		if written < 2000 {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child did not write 2000 rows before stopping (got %d); stderr: %s", written, stderr.String())
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		sameState(t, snapshot(t, db), before)
		if n := count(t, db, `SELECT COUNT(*) FROM imports`); n != 1 {
			t.Errorf("imports rows %d, want 1 (the killed import left its history row)", n)
		}
		// The database is not left locked: a new import succeeds.
		mustImport(t, svc, exchange.Social, goodFiles[exchange.Social])
	})
}

// childTarget names the test database for the child process: the SQLite file, or the PostgreSQL
// DSN bound to this test's schema.
func childTarget(t *testing.T, db *store.DB) string {
	t.Helper()
	if db.Dialect() == "sqlite" {
		var seq int
		var name, file string
		if err := db.SQL().QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
			t.Fatal(err)
		}
		return "sqlite:" + file
	}
	var schema string
	if err := db.SQL().QueryRow(`SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(storetest.PGDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
