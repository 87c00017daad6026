package sqltest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx"
)

// StartPostgres starts a PostgreSQL server for the test (initdb into a
// temporary folder, then postgres on a free loopback port, trusting local
// connections) with an empty database "imgcrawl"; Server.DSN is its
// postgres:// address. Run as root, the server runs as the user
// "postgres" (it refuses root). It is stopped in t.Cleanup.
func StartPostgres(t testing.TB) *Server {
	t.Helper()
	bin := newest("/usr/lib/postgresql/*/bin")
	if bin == "" {
		if p, err := exec.LookPath("postgres"); err == nil {
			bin = filepath.Dir(p)
		}
	}
	if bin == "" {
		missing(t, "postgres (/usr/lib/postgresql/*/bin)", "postgresql")
	}
	dir := shortDir(t, "pg")
	data := filepath.Join(dir, "data")
	s := &Server{t: t, name: "postgres", Port: freePort(t), logPath: filepath.Join(dir, "log")}
	asPostgres := func(cmd *exec.Cmd) {}
	if os.Geteuid() == 0 {
		uid, gid, err := lookupUser("postgres")
		if err != nil {
			missing(t, "user postgres (to run the server as, not root)", "postgresql")
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatalf("sqltest: %v", err)
		}
		asPostgres = func(cmd *exec.Cmd) { runAs(cmd, uid, gid) }
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"--no-sync", "-E", "UTF8", "--locale=C")
	asPostgres(initdb)
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("sqltest: initdb: %v\n%s", err, out)
	}
	base := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/", s.Port)
	s.start = func() (*exec.Cmd, error) {
		return s.command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(s.Port), "-k", dir,
			"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=50")
	}
	s.startHook = asPostgres
	s.ping = func(ctx context.Context) error { return ping(ctx, "pgx", base+"postgres?sslmode=disable") }
	if err := s.run(); err != nil {
		t.Fatalf("sqltest: %v", err)
	}
	t.Cleanup(s.stop)
	s.driver, s.admin = "pgx", base+"postgres?sslmode=disable"
	s.dsnOf = func(db string) string { return base + db + "?sslmode=disable" }
	s.DSN = s.NewDatabase(t, "imgcrawl")
	return s
}
