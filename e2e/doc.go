// Package e2e holds the browser tests: the real quotacert binary on a fresh SQLite data directory,
// driven by headless Chromium through chromedp; and the three-instance test (cluster_test.go): the
// binary three times behind haproxy on PostgreSQL and MinIO, one instance killed mid-run.
package e2e
