package main

import (
	"context"
	"fmt"
	"io"
)

func cmdMigrate(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) int {
	fs := newFlagSet("migrate", stderr)
	var dbf dbFlags
	dbf.register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	k, err := dbf.openKeyed(ctx, getenv("QUOTACERT_KEY"), func(msg string) { fmt.Fprintln(stderr, "quotacert migrate:", msg) })
	if err != nil {
		fmt.Fprintf(stderr, "quotacert migrate: %v\n", err)
		return 1
	}
	defer k.Close()
	fmt.Fprintf(stdout, "database (%s) is up to date\n", k.db.Dialect())
	return 0
}
