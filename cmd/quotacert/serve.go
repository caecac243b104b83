package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"quotacert/internal/pii"
	"quotacert/internal/web"
)

func cmdServe(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", stderr)
	var dbf dbFlags
	dbf.register(fs, getenv)
	addr := fs.String("addr", envOr(getenv, "QUOTACERT_ADDR", "127.0.0.1:8080"), "listen address (QUOTACERT_ADDR)")
	demo := fs.Bool("demo", false, "load the demo dataset (idempotent) and print the demo accounts")
	captcha := fs.String("captcha", envOr(getenv, "QUOTACERT_CAPTCHA", "on"), "on|off: off only for automated tests or behind a unified identity platform (QUOTACERT_CAPTCHA)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *captcha != "on" && *captcha != "off" {
		fmt.Fprintln(stderr, "quotacert serve: --captcha must be on or off")
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	if err := serve(ctx, log, serveConfig{db: dbf, addr: *addr, demo: *demo, captcha: *captcha == "on", key: getenv("QUOTACERT_KEY")}, stdout); err != nil {
		log.Error("serve failed", "err", err)
		return 1
	}
	return 0
}

type serveConfig struct {
	db      dbFlags
	addr    string
	demo    bool
	captcha bool
	key     string
}

func serve(ctx context.Context, log *slog.Logger, cfg serveConfig, stdout io.Writer) error {
	start := time.Now()
	if !cfg.captcha {
		log.Warn("CAPTCHA IS OFF: only for automated tests or deployments behind a unified identity platform")
	}
	db, err := cfg.db.openStore(ctx, time.Now)
	if err != nil {
		return err
	}
	defer db.Close()
	key, created, err := pii.LoadKey(cfg.key, cfg.db.data)
	if err != nil {
		return err
	}
	if created {
		log.Warn("created a new data key: back it up, without it the stored ID numbers cannot be read",
			"file", filepath.Join(cfg.db.data, pii.KeyFileName))
	}
	protector, err := pii.New(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(cfg.db.data, "files"), 0o750); err != nil {
		return fmt.Errorf("create files directory: %w", err)
	}
	site, err := web.New(web.Deps{Log: log, DB: db,
		Exchange: exchangeService(db, protector), // data exchange (issue #5)
	})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           site.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads of up to 10 MiB on slow links
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.addr, err)
	}
	log.Info("listening", "addr", ln.Addr().String(), "database", db.Dialect(), "data", cfg.db.data,
		"startup", time.Since(start).String())
	fmt.Fprintf(stdout, "quotacert is serving on http://%s\n", ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}
