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

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx"
)

// ErrNoPostgres is LaunchPostgres's error when PostgreSQL is not installed.
var ErrNoPostgres = errors.New("postgres not found in /usr/lib/postgresql/*/bin (apt-get install -y postgresql)")

// StartPostgres starts a PostgreSQL server for the test (initdb into a
// temporary folder, then postgres on a free loopback port, trusting local
// connections) with an empty database "imgcrawl"; Server.DSN is its
// postgres:// address. Run as root, the server runs as the user
// "postgres" (it refuses root). It is stopped in t.Cleanup.
func StartPostgres(t testing.TB) *Server {
	t.Helper()
	s, err := LaunchPostgres(shortDir(t, "pg"))
	if errors.Is(err, ErrNoPostgres) {
		missing(t, "postgres (/usr/lib/postgresql/*/bin)", "postgresql")
	}
	if err != nil {
		t.Fatalf("sqltest: %v", err)
	}
	s.t = t
	t.Cleanup(s.Stop)
	return s
}

// LaunchPostgres starts a PostgreSQL server outside a test, its files in
// dir (a short path: the server's Unix socket is there; as root, dir is
// given to the user postgres). The caller stops it with Stop.
func LaunchPostgres(dir string) (*Server, error) {
	bin := newest("/usr/lib/postgresql/*/bin")
	if bin == "" {
		if p, err := exec.LookPath("postgres"); err == nil {
			bin = filepath.Dir(p)
		}
	}
	if bin == "" {
		return nil, ErrNoPostgres
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	s := &Server{name: "postgres", Port: port, logPath: filepath.Join(dir, "log")}
	asPostgres := func(cmd *exec.Cmd) {}
	if os.Geteuid() == 0 {
		uid, gid, err := lookupUser("postgres")
		if err != nil {
			return nil, fmt.Errorf("%w: no user postgres to run it as (it refuses root)", ErrNoPostgres)
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		asPostgres = func(cmd *exec.Cmd) { runAs(cmd, uid, gid) }
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"--no-sync", "-E", "UTF8", "--locale=C")
	asPostgres(initdb)
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	base := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/", s.Port)
	s.start = func() (*exec.Cmd, error) {
		return s.command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(s.Port), "-k", dir,
			"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=50")
	}
	s.startHook = asPostgres
	s.ping = func(ctx context.Context) error { return ping(ctx, "pgx", base+"postgres?sslmode=disable") }
	if err := s.run(); err != nil {
		return nil, err
	}
	s.driver, s.admin = "pgx", base+"postgres?sslmode=disable"
	s.dsnOf = func(db string) string { return base + db + "?sslmode=disable" }
	if s.DSN, err = s.CreateDatabase("imgcrawl"); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}
