// Package s3test runs a real S3-compatible server for tests: VersityGW
// (github.com/versity/versitygw, Apache-2.0) with its posix backend, on a
// free loopback port, storing objects in a temporary folder, stopped when
// the test ends. `make deps` builds the binary into bin/tools (see
// Version); a test on a machine without it is skipped, or fails when the
// environment variable CI is set.
package s3test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Version is the VersityGW release the tests run, built by `make deps` into
// bin/tools/versitygw-VERSION/versitygw.
const Version = "v1.8.0"

// The root credentials the server is started with.
const (
	AccessKey = "imgcrawl-test"
	SecretKey = "imgcrawl-test-secret"
)

// Server is one VersityGW process.
type Server struct {
	Endpoint string // "127.0.0.1:PORT"
	// Dir is the posix backend's root: each bucket is a folder in it, each
	// object a file below.
	Dir string

	cmd  *exec.Cmd
	done chan struct{}
}

// Start starts a server for the test, with one empty bucket per name in
// buckets, and stops it in t.Cleanup.
func Start(t testing.TB, buckets ...string) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("s3test: %v", err)
		}
		t.Skipf("s3test: %v", err)
	}
	dir := t.TempDir()
	for _, b := range buckets {
		if err := os.Mkdir(filepath.Join(dir, b), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var lastErr error
	for range 5 { // the free port may be taken between the probe and the start
		s, err := launch(bin, dir, t.TempDir())
		if err == nil {
			t.Cleanup(s.Stop)
			return s
		}
		lastErr = err
	}
	t.Fatalf("s3test: %v", lastErr)
	return nil
}

// Binary returns the path of the versitygw binary: bin/tools/versitygw-
// VERSION/versitygw at the top of this module, else on PATH.
func Binary() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			bin := filepath.Join(dir, "bin", "tools", "versitygw-"+Version, "versitygw")
			if _, err := os.Stat(bin); err == nil {
				return bin, nil
			}
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			break
		}
		dir = up
	}
	if bin, err := exec.LookPath("versitygw"); err == nil {
		return bin, nil
	}
	return "", errors.New("versitygw " + Version + " not found: run make deps (it runs: GOBIN=$PWD/bin/tools/versitygw-" +
		Version + " go install github.com/versity/versitygw/cmd/versitygw@" + Version + ")")
}

// launch starts the server on a free port and waits until it answers.
func launch(bin, dir, logDir string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{Endpoint: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Dir: dir, done: make(chan struct{})}
	logPath := filepath.Join(logDir, "versitygw.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	s.cmd = exec.Command(bin, "--access", AccessKey, "--secret", SecretKey, "--port", s.Endpoint, "--quiet",
		"posix", dir)
	s.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + logDir} // none of the caller's VGW_* or keys
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start versitygw: %w", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := hc.Get("http://" + s.Endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return s, nil // any answer (403 unsigned) means it serves
		}
		select {
		case <-s.done:
			out, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("versitygw on %s exited at start:\n%s", s.Endpoint, out)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("versitygw on %s did not answer within 20s", s.Endpoint)
		}
	}
}

// Stop kills the server and waits for it to exit. Safe to call twice.
func (s *Server) Stop() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
