package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/exchange"
	"quotacert/internal/exchange/exchangegen"
	"quotacert/internal/pii"
	"quotacert/internal/store"
)

// exchangeService wires the data-exchange service (serve and import share it).
func exchangeService(db *store.DB, p *pii.Protector) *exchange.Service {
	return exchange.NewService(store.ExchangeRunner(db), p)
}

// parseInterspersed parses flags that may come before, between or after the positional
// arguments, as CONTRACT.md writes `import KIND FILE [--db …]`.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func cmdImport(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) int {
	fs := newFlagSet("import", stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: quotacert import certificates|wages|social|medical|minwage FILE.csv|FILE.xlsx [--db …] [--data …]")
		fs.PrintDefaults()
	}
	var dbf dbFlags
	dbf.register(fs, getenv)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 2 {
		fs.Usage()
		return 2
	}
	kind, err := exchange.ParseKind(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "quotacert import: %v\n", err)
		return 2
	}
	f, err := os.Open(pos[1])
	if err != nil {
		fmt.Fprintf(stderr, "quotacert import: 无法打开文件: %v\n", err)
		return 2
	}
	defer f.Close()
	k, err := dbf.openKeyed(ctx, getenv("QUOTACERT_KEY"), func(msg string) { fmt.Fprintln(stderr, "quotacert import:", msg) })
	if err != nil {
		fmt.Fprintf(stderr, "quotacert import: %v\n", err)
		return 1
	}
	defer k.Close()
	svc := exchangeService(k.db, k.pii)
	prog := newProgress(stderr)
	res, err := svc.Import(ctx, actor.System("import"), kind, filepath.Base(pos[1]), f, exchange.Options{Progress: prog.update})
	prog.done()
	if err != nil && apperr.CodeOf(err) == apperr.Invalid {
		for _, e := range res.Errors {
			fmt.Fprintln(stderr, e.String())
		}
		if more := res.ErrorCount - len(res.Errors); more > 0 {
			fmt.Fprintf(stderr, "… and %d more bad rows (only the first %d are listed)\n", more, exchange.MaxListedErrors)
		}
		if res.ErrorCount == 0 {
			fmt.Fprintln(stderr, apperr.As(err).Message)
		}
		fmt.Fprintf(stderr, "rejected: %d errors in %s, nothing imported\n", res.ErrorCount, filepath.Base(pos[1]))
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "quotacert import: %v\n", err)
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "interrupted: nothing imported")
		}
		return 1
	}
	fmt.Fprintf(stdout, "imported %d rows\n", res.Rows)
	return 0
}

// progress draws "rows, rows/s" on one terminal line, at most five times a second, and only when
// stderr is a terminal: logs and pipes get the summary line alone.
type progress struct {
	w     io.Writer
	on    bool
	start time.Time
	last  time.Time
	drawn bool
}

func newProgress(stderr io.Writer) *progress {
	p := &progress{w: stderr, start: time.Now()}
	if f, ok := stderr.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

func (p *progress) update(rows int) {
	if !p.on || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	secs := p.last.Sub(p.start).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(rows) / secs
	}
	fmt.Fprintf(p.w, "\r导入中：已读 %d 行，%.0f 行/秒   ", rows, rate)
	p.drawn = true
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprint(p.w, "\n")
	}
}

// cmdGenWages writes a synthetic wages file for performance measurements (hidden: not in usage).
func cmdGenWages(args []string, stderr io.Writer) int {
	var n int
	if len(args) != 2 {
		fmt.Fprintln(stderr, "usage: quotacert gen-wages N FILE")
		return 2
	}
	if _, err := fmt.Sscanf(args[0], "%d", &n); err != nil || n < 0 || n > 100_000_000 {
		fmt.Fprintln(stderr, "quotacert gen-wages: N must be a row count")
		return 2
	}
	f, err := os.Create(args[1])
	if err != nil {
		fmt.Fprintf(stderr, "quotacert gen-wages: %v\n", err)
		return 1
	}
	if err := exchangegen.Wages(f, n); err != nil {
		f.Close()
		fmt.Fprintf(stderr, "quotacert gen-wages: %v\n", err)
		return 1
	}
	if err := f.Close(); err != nil {
		fmt.Fprintf(stderr, "quotacert gen-wages: %v\n", err)
		return 1
	}
	return 0
}
