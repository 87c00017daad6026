// Package sqltest runs real database servers for tests: MariaDB and
// PostgreSQL, each on a free loopback port with its files in a temporary
// folder, stopped in t.Cleanup. A machine without the server skips the
// test, except under CI (env CI set), where it fails: `make deps`
// installs them (Debian mariadb-server, postgresql).
package sqltest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is one database server process. Kill and Restart are for tests
// that take the database away mid-way; the data survive a restart.
type Server struct {
	// DSN is the index address of an empty database on the server, for
	// store/index ("mysql://…" or "postgres://…").
	DSN string
	// Port is the server's loopback TCP port; it stays across Restart.
	Port int

	t    testing.TB
	name string
	// admin is the driver and source of the server's admin database, and
	// dsnOf makes the index address of a database on it.
	driver, admin string
	dsnOf         func(db string) string
	start         func() (*exec.Cmd, error)
	ping          func(ctx context.Context) error
	logPath       string
	// startHook, when set, adjusts the server's command before it starts.
	startHook func(*exec.Cmd)

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// missing skips the test, or fails it under CI, for a server not installed.
func missing(t testing.TB, what, pkg string) {
	t.Helper()
	msg := fmt.Sprintf("%s not found: run make deps (or apt-get install -y %s)", what, pkg)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("sqltest: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// shortDir makes a folder with a short path (a Unix socket's path has a
// 108-byte limit), removed in t.Cleanup.
func shortDir(t testing.TB, pattern string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		t.Fatalf("sqltest: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// run starts the server and waits until ping answers, up to a minute.
func (s *Server) run() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd, err := s.start()
	if err != nil {
		return fmt.Errorf("start %s: %w", s.name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := s.ping(ctx)
		cancel()
		if err == nil {
			s.cmd, s.done = cmd, done
			return nil
		}
		select {
		case <-done:
			out, _ := os.ReadFile(s.logPath)
			return fmt.Errorf("%s on port %d exited at start: %v\n%s", s.name, s.Port, err, out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			out, _ := os.ReadFile(s.logPath)
			return fmt.Errorf("%s on port %d did not answer within a minute: %v\n%s", s.name, s.Port, err, out)
		}
	}
}

// Kill stops the server at once with SIGKILL, as a crash would. Killing a
// stopped server does nothing.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	killGroup(cmd, done)
}

// Restart kills the server and starts it again, on the same port, with
// its data; a failure fails the test (call it from the test's goroutine;
// elsewhere, Start).
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	if err := s.run(); err != nil {
		s.t.Fatalf("sqltest: restart: %v", err)
	}
}

// Start starts a killed server again, on the same port, with its data,
// and returns an error when it does not come up.
func (s *Server) Start() error {
	if err := s.run(); err != nil {
		return fmt.Errorf("sqltest: restart: %w", err)
	}
	return nil
}

// Stop ends the server politely, then forcefully. Stopping a stopped
// server does nothing.
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
	case <-time.After(10 * time.Second):
		killGroup(cmd, done)
	}
}

// command makes a server command with its output in the log file.
func (s *Server) command(bin string, args ...string) (*exec.Cmd, error) {
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o666)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if s.startHook != nil {
		s.startHook(cmd)
	}
	dieWithParent(cmd)
	err = cmd.Start()
	logf.Close()
	return cmd, err
}

// ping opens driver's source and pings it.
func ping(ctx context.Context, driver, source string) error {
	db, err := sql.Open(driver, source)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.PingContext(ctx)
}

// exec runs one statement on driver's source.
func execOn(driver, source, stmt string) error {
	db, err := sql.Open(driver, source)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

// newest returns the last of the paths pattern matches (the highest
// version, for /usr/lib/postgresql/*/bin/x), or "" for none.
func newest(pattern string) string {
	m, _ := filepath.Glob(pattern)
	if len(m) == 0 {
		return ""
	}
	sort.Strings(m)
	return m[len(m)-1]
}

// NewDatabase creates an empty database on the server and returns its
// index address, for a test that needs one of its own.
func (s *Server) NewDatabase(t testing.TB, name string) string {
	t.Helper()
	dsn, err := s.CreateDatabase(name)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// CreateDatabase creates an empty database on the server and returns its
// index address.
func (s *Server) CreateDatabase(name string) (string, error) {
	if err := execOn(s.driver, s.admin, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("sqltest: create database %s: %w", name, err)
	}
	return s.dsnOf(name), nil
}
