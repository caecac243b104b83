package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

func cmdMigrate(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) int {
	fs := newFlagSet("migrate", stderr)
	var dbf dbFlags
	dbf.register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	db, err := dbf.openStore(ctx, time.Now)
	if err != nil {
		fmt.Fprintf(stderr, "quotacert migrate: %v\n", err)
		return 1
	}
	defer db.Close()
	fmt.Fprintf(stdout, "database (%s) is up to date\n", db.Dialect())
	return 0
}
