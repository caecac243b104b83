// Package testsrv starts, for tests, the real servers the system talks to — MinIO for S3 object
// storage and Mailpit for mail (SMTP, with an HTTP API to read what arrived) — on free loopback
// ports with temporary data, and stops them when the test ends. The binaries are built once from
// the Go module proxy by scripts/tools.sh and found through QUOTACERT_MINIO and QUOTACERT_MAILPIT,
// or in the cache folder that script fills. Without a binary a test skips with one line, except
// in CI (CI=true) or with QUOTACERT_REQUIRE_ALL=1, where it fails: CI never passes by skipping.
package testsrv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The versions scripts/tools.sh builds (TestToolVersions keeps the two in step).
const (
	MinIOVersion   = "v0.0.0-20260212201848-7aac2a2c5b7c"
	MailpitVersion = "v1.33.1"
)

// Required reports whether a missing server must fail the test instead of skipping it: the rule
// of storetest.Required.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("QUOTACERT_REQUIRE_ALL") == "1"
}

// ToolsDir is where scripts/tools.sh keeps the binaries: QUOTACERT_TOOLS, or
// ~/.cache/quotacert-tools.
func ToolsDir() string {
	if d := os.Getenv("QUOTACERT_TOOLS"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "quotacert-tools")
	}
	return filepath.Join(home, ".cache", "quotacert-tools")
}

// lookup finds a server binary: the path in env, else NAME-VERSION/NAME in ToolsDir.
func lookup(env, name, version string) (string, error) {
	path := os.Getenv(env)
	if path == "" {
		path = filepath.Join(ToolsDir(), name+"-"+version, name)
	}
	st, err := os.Stat(path)
	if err == nil && (st.IsDir() || st.Mode()&0o111 == 0) {
		err = errors.New("not an executable file")
	}
	if err != nil {
		return "", fmt.Errorf("%s %s not found at %s (%v): run `bash scripts/tools.sh` to build it once, or set %s",
			name, version, path, err, env)
	}
	return path, nil
}

// need returns the binary or ends the test: skipped locally, failed where servers are required.
func need(t testing.TB, env, name, version string) string {
	t.Helper()
	path, err := lookup(env, name, version)
	if err != nil {
		if Required() {
			t.Fatalf("%v; it is required here (CI)", err)
		}
		t.Skipf("%s tests skipped: %v", name, err)
	}
	return path
}

// freePort asks the kernel for a free loopback port. Another process may take it before the
// server binds it; start then tries again.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func hostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// process is a server started by a test.
type process struct {
	name   string
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{}
	once   sync.Once
}

// startProcess runs bin with args and env and waits until health answers 200. It gives up when
// the process exits first (e.g. its port was taken meanwhile) or after 60 s (a busy CI machine).
func startProcess(name, bin string, args, env []string, health string) (*process, error) {
	p := &process{name: name, out: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = procAttr()
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get(health)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("%s exited before it answered %s: %s\n%s", name, health, p.cmd.ProcessState, p.out.tail())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s did not answer %s within 60 s:\n%s", name, health, p.out.tail())
		}
	}
}

// startWithRetry starts a server on fresh ports, up to three times.
func startWithRetry(t testing.TB, try func() (*process, error)) *process {
	t.Helper()
	var err error
	for range 3 {
		var p *process
		if p, err = try(); err == nil {
			return p
		}
	}
	t.Fatal(err)
	return nil
}

// stop ends the server: SIGTERM, then SIGKILL after 10 s. Safe to call twice.
func (p *process) stop() {
	p.once.Do(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
}

// syncBuffer collects a server's output, to show when it fails.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.b.Bytes()
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// do sends a request and refuses an answer other than 2xx.
func do(ctx context.Context, method, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		resp.Body.Close()
		return nil, fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	return resp, nil
}
