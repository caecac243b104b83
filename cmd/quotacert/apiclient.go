package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"quotacert/internal/actor"
	"quotacert/internal/apiclient"
	"quotacert/internal/apperr"
	"quotacert/internal/store"
)

const apiClientUsage = `usage: quotacert apiclient add --name NAME [--tax-office CODE] [--db …] [--data …]
       quotacert apiclient rotate --id N [--db …] [--data …]
       quotacert apiclient revoke --id N [--db …] [--data …]`

// cmdAPIClient runs "quotacert apiclient": registers a tax bureau's API client (issue 15), or
// rotates or revokes its token, as the system (for provisioning; admins use the console). The new
// token is printed once, on stdout alone, so that it can be piped into a secret store.
func cmdAPIClient(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "add" && args[0] != "rotate" && args[0] != "revoke") {
		fmt.Fprintln(stderr, apiClientUsage)
		return 2
	}
	verb := args[0]
	fs := newFlagSet("apiclient "+verb, stderr)
	var dbf dbFlags
	dbf.register(fs, getenv)
	name := fs.String("name", "", "add: the client's name, e.g. 国家税务总局长春市税务局征收系统")
	taxOffice := fs.String("tax-office", "", "add: the tax office code whose region subtree it reads; empty = the whole province")
	id := fs.Int64("id", 0, "rotate, revoke: the client's id")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	fail := func(err error) int {
		e := apperr.As(err)
		if e.Code == apperr.Internal {
			fmt.Fprintf(stderr, "quotacert apiclient %s: %v\n", verb, err)
			return 1
		}
		fmt.Fprintf(stderr, "quotacert apiclient %s: %s\n", verb, e.Message)
		for field, msg := range e.Fields {
			if field == "taxOffice" {
				field = "tax-office"
			}
			fmt.Fprintf(stderr, "  --%s: %s\n", field, msg)
		}
		return 2
	}
	if verb != "add" && *id <= 0 {
		fmt.Fprintln(stderr, apiClientUsage)
		return 2
	}
	k, err := dbf.openKeyed(ctx, getenv("QUOTACERT_KEY"), func(msg string) { fmt.Fprintln(stderr, "quotacert apiclient:", msg) })
	if err != nil {
		fmt.Fprintf(stderr, "quotacert apiclient %s: %v\n", verb, err)
		return 1
	}
	defer k.Close()
	svc := apiclient.NewService(store.APIClientRunner(k.db))
	sys := actor.System("apiclient " + verb)
	var c apiclient.Client
	var token string
	switch verb {
	case "add":
		c, token, err = svc.Register(ctx, sys, apiclient.Input{Name: *name, TaxOffice: *taxOffice})
	case "rotate":
		c, token, err = svc.Rotate(ctx, sys, *id)
	case "revoke":
		if err = svc.Revoke(ctx, sys, *id); err == nil {
			fmt.Fprintf(stderr, "revoked api client %d\n", *id)
			return 0
		}
	}
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stderr, "api client %s (id %s) reads %s; the token below is shown this once — store it now\n",
		c.Name, strconv.FormatInt(c.ID, 10), c.Scope())
	fmt.Fprintln(stdout, token)
	return 0
}
