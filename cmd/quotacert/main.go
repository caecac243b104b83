// Command quotacert runs the 残疾人按比例就业情况联网认证 system: the web server and the
// command-line tools of CONTRACT.md. Configuration is read here, from flags and environment
// variables, and passed down explicitly; nothing below cmd reads the environment.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env reads configuration from the environment; tests pass their own.
type env func(string) string

// run is the whole program, testable without a process: it returns the exit code.
func run(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, args[1:], getenv, stdout, stderr)
	case "verify":
		return cmdVerify(stdin, stdout, stderr)
	case "staff":
		return cmdStaff(ctx, args[1:], getenv, stdout, stderr)
	case "scale":
		return cmdScale(ctx, args[1:], getenv, stdout, stderr)
	case "apiclient":
		return cmdAPIClient(ctx, args[1:], getenv, stdout, stderr)
	case "key":
		return cmdKey(ctx, args[1:], getenv, stdout, stderr)
	// Data exchange (issue #5).
	case "import":
		return cmdImport(ctx, args[1:], getenv, stdout, stderr)
	case "gen-wages": // hidden: test data for scripts/bench-import.sh
		return cmdGenWages(args[1:], stderr)
	case "load":
		return cmdLoad(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "quotacert: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: quotacert COMMAND [flags]

commands:
  serve     run the web server (--addr, --data, --db, --blob, --demo, --captcha on|off)
  migrate   apply database migrations (--data, --db)
  key rotate
            re-seal every sealed value and attachment under a new data key (--data, --db, --blob)
  verify    one verification case: JSON on stdin, the month grid as JSON on stdout
  staff add create a federation staff account (--username, --password, --role, --office)
  apiclient add|rotate|revoke
            register a tax bureau's API client and print its bearer token once (--name, --tax-office),
            or give it a new token (--id), or revoke it (--id)
  scale     fill PostgreSQL with N employers through COPY and measure the pages (--db, --employers, --placements)
  import    load a data-exchange file: import KIND FILE (--data, --db)
  load      load-test a running server on this machine (--url, --duration, --concurrency)

Run "quotacert COMMAND -h" for the flags of a command.
`)
}
