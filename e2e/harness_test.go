package e2e

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"quotacert/internal/store/storetest"
)

// binary is the quotacert binary built once by TestMain for all browser tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "quotacert-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "quotacert")
	if b := os.Getenv("QUOTACERT_E2E_BINARY"); b != "" {
		// An older build, to measure a figure before a change (TestSeedFlowClicks).
		binary = b
	} else if out, err := exec.Command("go", "build", "-o", binary, "../cmd/quotacert").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic("build quotacert: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// chromiumPath is Debian's Chromium unless QUOTACERT_CHROMIUM names another.
func chromiumPath() string {
	if p := os.Getenv("QUOTACERT_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// browser starts headless Chromium with the flags this machine needs (NOTES.md) in a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if _, err := os.Stat(path); err != nil {
		if storetest.Required() {
			t.Fatalf("Chromium not found at %s, but browser tests are required here (CI)", path)
		}
		t.Skipf("browser tests skipped: no Chromium at %s (apt-get install chromium)", path)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser now, without a deadline (a deadline on the first Run would stop the browser).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// withTimeout bounds one group of browser actions.
func withTimeout(t *testing.T, ctx context.Context, d time.Duration) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, d)
	t.Cleanup(cancel)
	return c
}

// server runs "quotacert serve" on a fresh SQLite data directory and returns its base URL.
func server(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), "http://"); i >= 0 && strings.Contains(sc.Text(), "serving on") {
				found <- strings.TrimSpace(sc.Text()[i:])
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case base := <-found:
		return base
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start\n%s", logs.String())
	}
	return ""
}

// screenshot saves a JPEG of the page into QUOTACERT_SCREENSHOTS when set (the user guide in docs/
// is illustrated with them: run the browser tests with QUOTACERT_SCREENSHOTS=docs/images).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("QUOTACERT_SCREENSHOTS")
	if dir == "" {
		return
	}
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".jpg"), img, 0o644); err != nil {
		t.Fatal(err)
	}
}
