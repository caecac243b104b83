// Package e2e holds the browser tests: the real quotacert binary on a fresh SQLite data directory,
// driven by headless Chromium through chromedp.
package e2e
