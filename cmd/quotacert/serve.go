package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/admin"
	"quotacert/internal/attachment"
	"quotacert/internal/blob"
	"quotacert/internal/demo"
	"quotacert/internal/employer"
	"quotacert/internal/message"
	"quotacert/internal/metrics"
	"quotacert/internal/notice"
	"quotacert/internal/overview"
	"quotacert/internal/placement"
	"quotacert/internal/report"
	"quotacert/internal/rules"
	"quotacert/internal/smtpmail"
	"quotacert/internal/stats"
	"quotacert/internal/store"
	"quotacert/internal/web"
)

func cmdServe(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", stderr)
	var dbf dbFlags
	dbf.register(fs, getenv)
	addr := fs.String("addr", envOr(getenv, "QUOTACERT_ADDR", "127.0.0.1:8080"), "listen address (QUOTACERT_ADDR)")
	demo := fs.Bool("demo", false, "load the demo dataset (idempotent) and print the demo accounts")
	captcha := fs.String("captcha", envOr(getenv, "QUOTACERT_CAPTCHA", "on"), "on|off: off only for automated tests or behind a unified identity platform (QUOTACERT_CAPTCHA)")
	trusted := fs.String("trusted-proxy", getenv("QUOTACERT_TRUSTED_PROXY"), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed (QUOTACERT_TRUSTED_PROXY)")
	fonts := fs.String("fonts", envOr(getenv, "QUOTACERT_FONTS", strings.Join(report.DefaultFontPaths, ":")), "TrueType fonts of the certification letter, in order of preference, separated by ':' (QUOTACERT_FONTS)")
	baseURL := fs.String("base-url", getenv("QUOTACERT_BASE_URL"), "public base URL, printed under the letter's QR code (letters are refused without it); https://… makes session cookies Secure behind a TLS proxy (QUOTACERT_BASE_URL)")
	var letters letterFlags
	letters.register(fs, getenv)
	staffMFA := fs.String("staff-mfa", getenv("QUOTACERT_STAFF_MFA"), "required|optional: whether reviewers and admins must use a TOTP second factor; default required, optional with --demo (QUOTACERT_STAFF_MFA)")
	dbf.registerServing(fs, getenv)
	metricsAddr := fs.String("metrics-addr", getenv("QUOTACERT_METRICS_ADDR"), "serve /metrics on this address of its own (e.g. 127.0.0.1:9090) and not on --addr; empty: /metrics on --addr (QUOTACERT_METRICS_ADDR)")
	maxSessions := fs.Int("max-sessions", envInt(getenv, "QUOTACERT_MAX_SESSIONS", 5), "concurrent sessions per user; the oldest ends (QUOTACERT_MAX_SESSIONS)")
	smtpAddr := fs.String("smtp-addr", getenv("QUOTACERT_SMTP_ADDR"), "SMTP server host:port of the message center's e-mail; empty: no e-mail (QUOTACERT_SMTP_ADDR; the password only in QUOTACERT_SMTP_PASSWORD)")
	smtpFrom := fs.String("smtp-from", getenv("QUOTACERT_SMTP_FROM"), "sender address of the e-mail, e.g. 残联认证系统 <noreply@example.gov.cn> (QUOTACERT_SMTP_FROM)")
	smtpUser := fs.String("smtp-user", getenv("QUOTACERT_SMTP_USER"), "SMTP user name; empty: no authentication (QUOTACERT_SMTP_USER)")
	smtpInsecure := fs.Bool("smtp-insecure", getenv("QUOTACERT_SMTP_INSECURE") == "true", "allow plain SMTP without STARTTLS to a server that is not on loopback (QUOTACERT_SMTP_INSECURE=true)")
	mailEvery := fs.Duration("mail-interval", envDuration(getenv, "QUOTACERT_MAIL_INTERVAL", 15*time.Second), "how often the background work mails the outbox and posts deadline reminders (QUOTACERT_MAIL_INTERVAL)")
	var pf platformFlags
	pf.register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var mailer *smtpmail.Mailer
	if *smtpAddr != "" {
		m, err := smtpmail.New(smtpmail.Config{Addr: *smtpAddr, From: *smtpFrom, User: *smtpUser,
			Password: getenv("QUOTACERT_SMTP_PASSWORD"), Insecure: *smtpInsecure})
		if err != nil {
			fmt.Fprintf(stderr, "quotacert serve: --smtp-addr/--smtp-from: %v\n", err)
			return 2
		}
		mailer = m
	}
	if *mailEvery < time.Second {
		fmt.Fprintln(stderr, "quotacert serve: --mail-interval must be at least 1s")
		return 2
	}
	if *staffMFA == "" {
		*staffMFA = "required"
		if *demo {
			*staffMFA = "optional" // the demo accounts of CONTRACT.md sign in with their passwords alone
		}
	}
	if *staffMFA != "required" && *staffMFA != "optional" {
		fmt.Fprintln(stderr, "quotacert serve: --staff-mfa must be required or optional")
		return 2
	}
	if *maxSessions < 1 {
		fmt.Fprintln(stderr, "quotacert serve: --max-sessions must be at least 1")
		return 2
	}
	proxies, err := parseCIDRs(*trusted)
	if err != nil {
		fmt.Fprintf(stderr, "quotacert serve: --trusted-proxy: %v\n", err)
		return 2
	}
	if *captcha != "on" && *captcha != "off" {
		fmt.Fprintln(stderr, "quotacert serve: --captcha must be on or off")
		return 2
	}
	platform, err := pf.settings(getenv, *baseURL)
	if err != nil {
		fmt.Fprintf(stderr, "quotacert serve: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	if err := serve(ctx, log, serveConfig{db: dbf, addr: *addr, demo: *demo, captcha: *captcha == "on", key: getenv("QUOTACERT_KEY"), getenv: getenv,
		trustedProxies: proxies, secureBase: strings.HasPrefix(*baseURL, "https://"),
		fonts: report.ParseFontPaths(*fonts), baseURL: *baseURL, letters: letters, staffMFA: *staffMFA == "required", maxSessions: *maxSessions,
		metricsAddr: *metricsAddr, mailer: mailer, mailEvery: *mailEvery, platform: platform}, stdout); err != nil {
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
	getenv  env // the S3 credentials of --blob

	staffMFA    bool // reviewers and admins must use a second factor
	maxSessions int

	trustedProxies []netip.Prefix  // X-Forwarded-For is believed only from these
	secureBase     bool            // public URL is https: Secure, __Host- cookies
	accounts       *account.Config // nil: account.DefaultConfig (tests shorten it)

	fonts   []string    // certification letter fonts (issue #8)
	baseURL string      // public base URL, printed in the letter's QR code
	letters letterFlags // the letter's signing key and seals (issue 18)

	metricsAddr string           // /metrics on a listener of its own; "" on addr
	mailer      *smtpmail.Mailer // nil: messages are not mailed (issue 19)
	mailEvery   time.Duration    // rounds of the message center's background work; 0: 15 s

	// platform: the unified identity platform (nil oidc: none) and the local register/login switches.
	platform platformSettings
}

// parseCIDRs parses a comma-separated list of CIDRs or single addresses.
func parseCIDRs(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func serve(ctx context.Context, log *slog.Logger, cfg serveConfig, stdout io.Writer) error {
	start := time.Now()
	if !cfg.captcha {
		log.Warn("CAPTCHA IS OFF: only for automated tests or deployments behind a unified identity platform")
	}
	if !cfg.staffMFA {
		log.Warn("STAFF SECOND FACTOR IS OPTIONAL (--staff-mfa optional, the default with --demo): reviewers and admins may sign in with a password alone")
	}
	k, err := cfg.db.openKeyed(ctx, cfg.key, func(msg string) { log.Warn(msg) })
	if err != nil {
		return err
	}
	defer k.Close()
	db := k.db
	blobs, err := cfg.db.openBlobs(cfg.getenv, k.key)
	if err != nil {
		return err
	}
	if err := sealAttachments(ctx, log, k, blobs); err != nil {
		return err
	}
	deps, acfg, err := wire(log, cfg, k, blobs)
	if err != nil {
		return err
	}
	if deps.Platform, err = newPlatform(ctx, log, cfg.platform.oidc, db); err != nil {
		return err
	}
	if cfg.demo {
		if err := loadDemo(ctx, acfg, k.db, deps, stdout); err != nil {
			return err
		}
	}
	site, err := web.New(deps)
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
	if cfg.metricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.metricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen %s (metrics): %w", cfg.metricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", deps.Metrics.Handler())
		msrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = msrv.Serve(mln) }()
		defer msrv.Close()
		log.Info("metrics listening", "addr", mln.Addr().String())
	}
	log.Info("listening", "addr", ln.Addr().String(), "database", db.Dialect(), "data", cfg.db.data,
		"startup", time.Since(start).String())
	fmt.Fprintf(stdout, "quotacert is serving on http://%s\n", ln.Addr())

	go purgeExpired(ctx, log, deps.Accounts, 10*time.Minute)
	go newSender(db, cfg).Run(ctx, func(format string, args ...any) { log.Info(fmt.Sprintf(format, args...)) })
	go flushRefusals(ctx, site, time.Minute)
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

// wire builds the services and the pages' dependencies over a keyed database and the sealed blob
// store: the one place where the concrete pieces meet (tests of cmd use it too).
func wire(log *slog.Logger, cfg serveConfig, k *keyed, blobs blob.Store) (web.Deps, account.Config, error) {
	db, protector := k.db, k.pii
	acfg := account.DefaultConfig()
	if cfg.accounts != nil {
		acfg = *cfg.accounts
	}
	acfg.CaptchaRequired = cfg.captcha
	acfg.StaffMFARequired = cfg.staffMFA
	acfg.Secrets = protector
	if cfg.maxSessions > 0 {
		acfg.MaxSessions = cfg.maxSessions
	}
	acfg.Platform = cfg.platform.oidc != nil
	acfg.LocalRegister, acfg.LocalLogin = !cfg.platform.localRegisterOff, !cfg.platform.localLoginOff
	accounts, err := account.NewService(acfg, store.AccountRunner(db), db.IsUniqueViolation)
	if err != nil {
		return web.Deps{}, acfg, err
	}
	addrs := web.ClientAddrs{TrustedProxies: cfg.trustedProxies}
	cookies := &web.SessionCookies{Accounts: accounts, Addrs: addrs, SecureBase: cfg.secureBase, Log: log}
	deps := web.Deps{Log: log, DB: db, Sessions: cookies, Accounts: accounts, Cookies: cookies, Addrs: addrs}
	// Employer profile, affiliates and attachments (issue #6).
	deps.Employers = employer.NewService(store.EmployerRunner(db))
	deps.Files = attachment.NewService(store.AttachmentRunner(db), blob.Attachments(blobs))
	// Data exchange (issue #5): imports, and the official data the checks read (exchange.Source).
	deps.Exchange = exchangeService(db, protector)
	// 残疾人安置管理 (issue #7).
	deps.Placements = placement.NewService(store.PlacementRunner(db), deps.Exchange, protector, time.Now)
	// Review, declaration, certification letter and tax export (issue #8).
	if err := wireDeclaration(log, db, cfg, protector, blobs, &deps); err != nil {
		return web.Deps{}, acfg, err
	}
	// Notices and the administrator's console (issue #9).
	deps.Notices = notice.NewService(store.NoticeRunner(db))
	deps.Admin = admin.NewService(store.AdminRunner(db))
	deps.Overview = overview.NewService(store.OverviewRunner(db))
	// Metrics and readiness (issue 15).
	deps.Metrics = metrics.New("")
	deps.Metrics.DB(db.Stats)
	deps.Metrics.LoginQueue(accounts.LoginQueue)
	deps.MetricsPublic = cfg.metricsAddr == ""
	deps.Ready = readyChecks(db, deps.Files, deps.Letters != nil)
	// The back office (issue 19): statistics and the employers' message center.
	deps.Stats = stats.NewService(store.StatsRunner(db), time.Now)
	deps.Messages = message.NewService(store.MessageRunner(db))
	return deps, acfg, nil
}

// readyChecks are the conditions of GET /readyz: no migration running, the schema of this release
// present, the database taking a write, the attachment store answering and the letter fonts loaded
// (without them no certification letter can be issued).
func readyChecks(db *store.DB, files *attachment.Service, fonts bool) []web.ReadyCheck {
	return []web.ReadyCheck{
		{Name: "fonts", Check: func(context.Context) error {
			if !fonts {
				return errors.New("no certification letter font could be loaded (--fonts)")
			}
			return nil
		}},
		{Name: "migrations", Check: func(ctx context.Context) error {
			busy, err := db.Migrating(ctx)
			if err == nil && busy {
				err = errors.New("a migration holds the migration lock")
			}
			return err
		}},
		{Name: "schema", Check: db.SchemaCurrent},
		{Name: "storage", Check: func(ctx context.Context) error { return db.WriteProbe(ctx, "") }},
		{Name: "blobs", Check: files.Ready},
	}
}

// newSender is the message center's background work: mail of the outbox (when SMTP is configured)
// and the deadline reminders. Each instance names itself in its claims by host and process id.
func newSender(db *store.DB, cfg serveConfig) *message.Sender {
	host, _ := os.Hostname()
	var m message.Mailer
	if cfg.mailer != nil {
		m = cfg.mailer
	}
	s := message.NewSender(store.OutboxRunner(db), m, fmt.Sprintf("%s-%d", host, os.Getpid()), time.Now)
	if cfg.mailEvery > 0 {
		s.Interval = cfg.mailEvery
	}
	return s
}

// sealAttachments seals, once, the attachments an earlier release stored in clear, and removes the
// old copies an interrupted key rotation or sealing left behind. It runs before the server listens:
// a file being moved is never served half-way.
func sealAttachments(ctx context.Context, log *slog.Logger, k *keyed, blobs blob.Store) error {
	st, err := k.keys.State(ctx)
	if err != nil {
		return err
	}
	mover := blob.Mover{From: blobs, To: blobs}
	if !st.FilesSealed {
		start := time.Now()
		log.Info("sealing the attachments stored in clear by an earlier release (once)")
		rep, err := k.keys.SealFiles(ctx, mover, func(msg string, args ...any) { log.Warn(msg, args...) })
		if err != nil {
			return fmt.Errorf("seal attachments: %w", err)
		}
		log.Info("attachments sealed", "sealed", rep.BlobsMoved, "rows", rep.Files, "missing", rep.BlobsMissing,
			"removed", rep.Removed, "took", time.Since(start).String())
		return nil
	}
	if st.Retired > 0 {
		n, err := k.keys.RemoveRetired(ctx, mover)
		if err != nil {
			return fmt.Errorf("remove old attachment copies: %w", err)
		}
		log.Info("removed old attachment copies left by an interrupted key rotation", "removed", n)
	}
	return nil
}

// loadDemo loads the demo dataset through the real services. Its account service skips the captcha:
// the loader is not a browser.
func loadDemo(ctx context.Context, acfg account.Config, db *store.DB, deps web.Deps, stdout io.Writer) error {
	acfg.CaptchaRequired = false
	acfg.LocalRegister = true // the demo employer is registered locally, also behind a platform (to try linking)
	accounts, err := account.NewService(acfg, store.AccountRunner(db), db.IsUniqueViolation)
	if err != nil {
		return err
	}
	return demo.Load(ctx, demo.Services{Accounts: accounts, Employers: deps.Employers, Files: deps.Files,
		Admin: deps.Admin, Exchange: deps.Exchange, Reviews: deps.Reviews}, rules.ChinaDate(time.Now()), stdout)
}

// purgeExpired removes expired sessions, captchas and throttle counters every interval until ctx ends.
// Several instances may run it at once: the deletes are idempotent.
func purgeExpired(ctx context.Context, log *slog.Logger, accounts *account.Service, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			sessions, throttles, err := accounts.Purge(ctx)
			if err != nil {
				log.Warn("purge of expired sessions failed", "err", err)
				continue
			}
			log.Info("purged expired sessions", "sessions", sessions, "throttles", throttles)
		}
	}
}

// flushRefusals writes the per-minute summaries of repeated refusals to the audit trail.
func flushRefusals(ctx context.Context, site *web.Server, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			site.FlushRefusals(context.Background())
			return
		case <-t.C:
			site.FlushRefusals(ctx)
		}
	}
}
