package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"quotacert/internal/loadgen"
)

// cmdLoad drives a running server (loopback only) and prints throughput and latency per scenario,
// each as a ratio against the /healthz baseline of the same run.
func cmdLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("load", stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "server to load (loopback addresses only)")
	duration := fs.Duration("duration", 10*time.Second, "time per scenario")
	concurrency := fs.Int("concurrency", 8, "parallel clients")
	maxRequests := fs.Int("max-requests", 100000, "requests per scenario at most")
	code := fs.String("employer", "", "credit code of an employer to sign in as for the signed-in scenarios (server with --captcha off)")
	password := fs.String("password", "", "that employer's password")
	flood := fs.Int("login-flood", 0, "instead of the scenarios: this many clients log in to --employer at once, again and again, for --duration (issue 14's flood)")
	ordinary := fs.String("ordinary", "", "during the flood, USER:PASSWORD (a staff user name) logs in every second from --ordinary-from")
	ordinaryFrom := fs.String("ordinary-from", "127.0.1.1", "the ordinary user's loopback source address (another /24 than the flood's 127.0.0.1)")
	pid := fs.Int("server-pid", 0, "the server's process id, to report its peak resident memory")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *flood > 0 {
		user, pass, _ := strings.Cut(*ordinary, ":")
		r, err := loadgen.LoginFlood(ctx, loadgen.FloodConfig{BaseURL: *base, Clients: *flood, Duration: *duration,
			Timeout: 120 * time.Second, MaxRequests: *maxRequests, FloodFrom: "127.0.0.1",
			Body:         map[string]string{"creditCode": *code, "password": *password},
			OrdinaryBody: map[string]string{"username": user, "password": pass}, OrdinaryFrom: *ordinaryFrom,
			OrdinaryEvery: time.Second, MaxOrdinary: 15, ServerPID: *pid})
		if err != nil {
			fmt.Fprintf(stderr, "quotacert load: %v\n", err)
			return 1
		}
		loadgen.ReportFlood(stdout, r)
		return 0
	}
	rs, err := loadgen.Run(ctx, loadgen.Config{BaseURL: *base, Duration: *duration, Concurrency: *concurrency,
		MaxRequests: *maxRequests, CreditCode: *code, Password: *password}, loadgen.Scenarios())
	if err != nil {
		fmt.Fprintf(stderr, "quotacert load: %v\n", err)
		return 1
	}
	loadgen.Report(stdout, rs)
	return 0
}
