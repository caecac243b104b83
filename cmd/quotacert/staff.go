package main

import (
	"context"
	"fmt"
	"io"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/store"
)

// cmdStaff runs "quotacert staff add": the way to create the first admin (CONTRACT.md).
func cmdStaff(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "usage: quotacert staff add --username U --password P --role reviewer|admin --office CODE [--totp-secret BASE32] [--db …] [--data …]")
		return 2
	}
	fs := newFlagSet("staff add", stderr)
	var dbf dbFlags
	dbf.register(fs, getenv)
	username := fs.String("username", "", "user name (lower-case letters, digits, . - _)")
	password := fs.String("password", "", "initial password (at least 8 characters of 3 classes)")
	role := fs.String("role", "", "reviewer or admin")
	office := fs.String("office", "", "federation office region code, e.g. 220000 = 吉林省残联")
	secret := fs.String("totp-secret", "", "enrol the TOTP second factor with this base32 secret (provisioning, automation)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	k, err := dbf.openKeyed(ctx, getenv("QUOTACERT_KEY"), func(msg string) { fmt.Fprintln(stderr, "quotacert staff add:", msg) })
	if err != nil {
		fmt.Fprintf(stderr, "quotacert staff add: %v\n", err)
		return 1
	}
	defer k.Close()
	acfg := account.DefaultConfig()
	acfg.Secrets = k.pii
	svc, err := account.NewService(acfg, store.AccountRunner(k.db), k.db.IsUniqueViolation)
	if err != nil {
		fmt.Fprintf(stderr, "quotacert staff add: %v\n", err)
		return 1
	}
	id, err := svc.CreateStaff(ctx, actor.System("staff add"), account.StaffInput{Username: *username,
		Password: *password, Role: actor.Role(*role), Office: *office, TOTPSecret: *secret})
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Internal {
			fmt.Fprintf(stderr, "quotacert staff add: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "quotacert staff add: %s\n", e.Message)
		for field, msg := range e.Fields {
			if field == "totpSecret" {
				field = "totp-secret"
			}
			fmt.Fprintf(stderr, "  --%s: %s\n", field, msg)
		}
		return 2
	}
	fmt.Fprintf(stdout, "created %s %s (id %d) for office %s\n", *role, *username, id, *office)
	if *secret != "" {
		fmt.Fprintln(stdout, "second factor enrolled (TOTP); the account has no recovery codes until it enrols again")
	}
	return 0
}
