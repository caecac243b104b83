package main

import (
	"log/slog"
	"time"

	"quotacert/internal/apiclient"
	"quotacert/internal/declaration"
	"quotacert/internal/report"
	"quotacert/internal/review"
	"quotacert/internal/store"
	"quotacert/internal/web"
)

// wireDeclaration adds the reviewer workspace, the declaration, the letters and the tax export
// (issue #8). The letter fonts are checked here, at start, with a log line naming them: a missing
// font is reported now rather than as boxes in an employer's letter later. The server still starts
// without them (everything else works); letter downloads then answer with a clear error.
func wireDeclaration(log *slog.Logger, db *store.DB, cfg serveConfig, p declaration.Protector, deps *web.Deps) {
	// The review item page shows the person's grid through the placement service (deps.Placements).
	deps.Reviews = review.NewService(store.ReviewRunner(db), deps.Placements, time.Now)
	// The registry is read through the data exchange (exchange.Source), like the placements' checks.
	deps.Declarations = declaration.NewService(store.DeclarationRunner(db), deps.Exchange, p, time.Now)
	// The tax bureau's programs read the results with bearer tokens (issue 15).
	deps.APIClients = apiclient.NewService(store.APIClientRunner(db))
	deps.PublicURL = cfg.baseURL
	fonts, err := report.LoadFonts(cfg.fonts)
	if err != nil {
		log.Error("CERTIFICATION LETTER FONTS MISSING: letters cannot be generated; run scripts/setup.sh or set --fonts/QUOTACERT_FONTS",
			"err", err)
		return
	}
	for _, name := range []string{"刘喆", "杨堃"} {
		if m := fonts.Missing(name); len(m) > 0 {
			log.Warn("letter fonts lack characters of common names; add a fallback font to --fonts", "missing", string(m))
		}
	}
	log.Info("certification letter fonts", "fonts", fonts.Describe())
	deps.Letters = fonts
}
