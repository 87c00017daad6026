// Package redistest runs a real redis-server for tests: on a free loopback
// port, with no persistence (or, from StartPersistent, an append-only file
// synced on every write), in a temporary folder, stopped when the test
// ends. It never skips: a machine without redis-server fails the test with
// the command that installs it.
package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is one redis-server process started by StartServer. Its methods
// are safe for concurrent use.
type Server struct {
	// Addr is the server's "127.0.0.1:PORT"; it stays the same across
	// Restart.
	Addr string

	t    testing.TB
	bin  string
	dir  string
	port int
	args []string // persistence and other settings

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	runs int
}

// Start starts a redis-server for the test and returns its address
// ("127.0.0.1:PORT"). The server is stopped in t.Cleanup.
func Start(t testing.TB) (addr string) {
	t.Helper()
	return StartServer(t).Addr
}

// StartServer is Start for tests that also need to kill or restart the
// server (to see what a client does when Redis goes away).
func StartServer(t testing.TB) *Server {
	t.Helper()
	return start(t, noPersistence)
}

// StartPersistent is StartServer for a server that keeps its data across
// Restart: appendonly yes with appendfsync always, so that even a SIGKILL
// loses no acknowledged write.
func StartPersistent(t testing.TB) *Server {
	t.Helper()
	return start(t, []string{"--save", "", "--appendonly", "yes", "--appendfsync", "always"})
}

var noPersistence = []string{"--save", "", "--appendonly", "no"}

func start(t testing.TB, args []string) *Server {
	t.Helper()
	s, err := launchWith(t.TempDir(), args)
	if errors.Is(err, ErrNotInstalled) {
		t.Fatal("redis-server not found: run make deps (or apt-get install -y redis-server)")
	}
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	s.t = t
	t.Cleanup(s.Stop)
	return s
}

// ErrNotInstalled is Launch's error when redis-server is not on PATH.
var ErrNotInstalled = errors.New("redis-server not found (apt-get install -y redis-server)")

// Launch starts a redis-server outside a test (the benchmarks use it): on a
// free loopback port, no persistence, its files and log in dir. The caller
// stops it with Stop. Kill and Restart are for servers from StartServer.
func Launch(dir string) (*Server, error) { return launchWith(dir, noPersistence) }

func launchWith(dir string, args []string) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNotInstalled
	}
	s := &Server{bin: bin, dir: dir, args: args}
	var lastErr error
	for range 5 { // the free port may be taken between the probe and the start
		port, err := redistestFreePort()
		if err != nil {
			return nil, err
		}
		s.port, s.Addr = port, net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if lastErr = s.launch(); lastErr == nil {
			return s, nil
		}
	}
	return nil, lastErr
}

// Kill stops the server at once with SIGKILL, as a crash or a lost network
// would look to its clients. Killing a stopped server does nothing.
func (s *Server) Kill() {
	s.t.Helper()
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-done
}

// Restart starts a stopped (killed) server again on the same address, in
// the same folder. A server from StartServer comes back empty; one from
// StartPersistent comes back with every write it acknowledged.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	if err := s.launch(); err != nil {
		s.t.Fatalf("redistest: restart: %v", err)
	}
}

// launch starts redis-server on s.port and waits until it answers PING.
func (s *Server) launch() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runs++
	logPath := filepath.Join(s.dir, fmt.Sprintf("redis-%d.log", s.runs))
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logf.Close()
	args := append(slices.Clone(s.args), "--dir", s.dir,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--daemonize", "no", "--protected-mode", "no")
	cmd := exec.Command(s.bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := redistestPing(s.Addr); err == nil {
			s.cmd, s.done = cmd, done
			return nil
		}
		select {
		case <-done:
			out, _ := os.ReadFile(logPath)
			return fmt.Errorf("redis-server on port %d exited at start:\n%s", s.port, out)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			out, _ := os.ReadFile(logPath)
			return fmt.Errorf("redis-server on port %d did not answer PING within 10s:\n%s", s.port, out)
		}
	}
}

// Stop ends the server politely (SIGTERM), then forcefully. Stopping a
// stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// redistestFreePort asks the kernel for a free loopback port.
func redistestFreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// redistestPing sends PING in the inline protocol and expects +PONG.
func redistestPing(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}
