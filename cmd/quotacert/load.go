package main

import (
	"context"
	"fmt"
	"io"
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
	if err := fs.Parse(args); err != nil {
		return 2
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
