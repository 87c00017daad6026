package sqltest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	_ "github.com/go-sql-driver/mysql" // "mysql"
)

// ErrNoMariaDB is LaunchMariaDB's error when MariaDB is not installed.
var ErrNoMariaDB = errors.New("mariadb-install-db or mariadbd not found (apt-get install -y mariadb-server)")

// StartMariaDB starts a MariaDB server for the test (mariadb-install-db
// into a temporary folder, then mariadbd on a free loopback port) with an
// empty database "imgcrawl"; Server.DSN is its mysql:// address (user
// root, no password). It is stopped in t.Cleanup.
func StartMariaDB(t testing.TB) *Server {
	t.Helper()
	s, err := LaunchMariaDB(shortDir(t, "mdb"))
	if errors.Is(err, ErrNoMariaDB) {
		missing(t, "mariadb-install-db and mariadbd", "mariadb-server")
	}
	if err != nil {
		t.Fatalf("sqltest: %v", err)
	}
	s.t = t
	t.Cleanup(s.Stop)
	return s
}

// LaunchMariaDB starts a MariaDB server outside a test (the benchmarks use
// it), its files in dir (keep its path short: the server's Unix socket is
// there). The caller stops it with Stop.
func LaunchMariaDB(dir string) (*Server, error) {
	install, err := exec.LookPath("mariadb-install-db")
	if err != nil {
		return nil, ErrNoMariaDB
	}
	server := "/usr/sbin/mariadbd"
	if p, err := exec.LookPath("mariadbd"); err == nil {
		server = p
	}
	if _, err := os.Stat(server); err != nil {
		return nil, ErrNoMariaDB
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	s := &Server{name: "mariadbd", Port: port, logPath: filepath.Join(dir, "log")}
	user := []string{}
	if os.Geteuid() == 0 {
		user = []string{"--user=root"} // mariadbd refuses to run as root otherwise
	}
	args := append([]string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal",
		"--skip-test-db", "--skip-name-resolve"}, user...)
	if out, err := exec.Command(install, args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("mariadb-install-db: %v\n%s", err, out)
	}
	source := fmt.Sprintf("root@tcp(127.0.0.1:%d)/", s.Port)
	s.start = func() (*exec.Cmd, error) {
		return s.command(server, append([]string{"--no-defaults", "--datadir=" + data,
			"--port=" + strconv.Itoa(s.Port), "--bind-address=127.0.0.1", "--socket=" + filepath.Join(dir, "sock"),
			"--pid-file=" + filepath.Join(dir, "pid"), "--skip-grant-tables", "--skip-name-resolve",
			"--skip-log-bin", "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M",
			"--innodb-flush-log-at-trx-commit=1"}, user...)...)
	}
	s.ping = func(ctx context.Context) error { return ping(ctx, "mysql", source) }
	if err := s.run(); err != nil {
		return nil, err
	}
	s.driver, s.admin = "mysql", source
	s.dsnOf = func(db string) string { return fmt.Sprintf("mysql://root@127.0.0.1:%d/%s", s.Port, db) }
	if s.DSN, err = s.CreateDatabase("imgcrawl"); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}
