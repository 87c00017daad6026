package sqltest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	_ "github.com/go-sql-driver/mysql" // "mysql"
)

// StartMariaDB starts a MariaDB server for the test (mariadb-install-db
// into a temporary folder, then mariadbd on a free loopback port) with an
// empty database "imgcrawl"; Server.DSN is its mysql:// address (user
// root, no password). It is stopped in t.Cleanup.
func StartMariaDB(t testing.TB) *Server {
	t.Helper()
	install, err := exec.LookPath("mariadb-install-db")
	if err != nil {
		missing(t, "mariadb-install-db", "mariadb-server")
	}
	server := "/usr/sbin/mariadbd"
	if p, err := exec.LookPath("mariadbd"); err == nil {
		server = p
	}
	if _, err := os.Stat(server); err != nil {
		missing(t, "mariadbd", "mariadb-server")
	}
	dir := shortDir(t, "mdb")
	data := filepath.Join(dir, "data")
	s := &Server{t: t, name: "mariadbd", Port: freePort(t), logPath: filepath.Join(dir, "log")}
	user := []string{}
	if os.Geteuid() == 0 {
		user = []string{"--user=root"} // mariadbd refuses to run as root otherwise
	}
	args := append([]string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal",
		"--skip-test-db", "--skip-name-resolve"}, user...)
	if out, err := exec.Command(install, args...).CombinedOutput(); err != nil {
		t.Fatalf("sqltest: mariadb-install-db: %v\n%s", err, out)
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
		t.Fatalf("sqltest: %v", err)
	}
	t.Cleanup(s.stop)
	s.driver, s.admin = "mysql", source
	s.dsnOf = func(db string) string { return fmt.Sprintf("mysql://root@127.0.0.1:%d/%s", s.Port, db) }
	s.DSN = s.NewDatabase(t, "imgcrawl")
	return s
}
