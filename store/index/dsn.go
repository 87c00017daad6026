package index

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Dialect names a database family.
type Dialect string

// The dialects.
const (
	SQLite   Dialect = "sqlite"
	MySQL    Dialect = "mysql" // MySQL and MariaDB
	Postgres Dialect = "postgres"
)

// DSN is a parsed index address.
type DSN struct {
	Dialect Dialect
	// Driver and Source are what sql.Open takes.
	Driver, Source string
	// redacted is the address as given, with any password replaced.
	redacted string
}

// String returns the address without its password, for errors and logs.
func (d DSN) String() string { return d.redacted }

// DSNError says why an index address was refused.
type DSNError struct {
	DSN string // redacted
	Err error
}

func (e *DSNError) Error() string { return fmt.Sprintf("index: address %q: %v", e.DSN, e.Err) }
func (e *DSNError) Unwrap() error { return e.Err }

// ParseDSN parses an index address:
//
//	sqlite:PATH                           a file, created when missing
//	mysql://USER:PASS@HOST:PORT/DB        MySQL or MariaDB (also mariadb://);
//	                                      ?socket=PATH for a Unix socket
//	postgres://USER:PASS@HOST:PORT/DB     PostgreSQL (also postgresql://),
//	                                      any parameter libpq takes
func ParseDSN(s string) (DSN, error) {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || scheme == "" {
		return DSN{}, &DSNError{redact(s), errors.New("want sqlite:PATH, mysql://USER:PASS@HOST:PORT/DB or postgres://USER:PASS@HOST:PORT/DB")}
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		return parseSQLite(s, rest)
	case "mysql", "mariadb":
		return parseMySQL(s)
	case "postgres", "postgresql":
		return parsePostgres(s)
	}
	return DSN{}, &DSNError{redact(s), fmt.Errorf("unknown database %q (want sqlite, mysql, mariadb or postgres)", scheme)}
}

// sqlitePragmas make the file fit one writer and many readers: WAL, a
// wait instead of "database is locked", and SQLite's own time format so
// that its date functions read fetched_at.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_time_format=sqlite"

func parseSQLite(s, path string) (DSN, error) {
	path = strings.TrimPrefix(path, "//")
	if path == "" {
		return DSN{}, &DSNError{s, errors.New("no file path after sqlite:")}
	}
	if strings.ContainsAny(path, "?#") {
		return DSN{}, &DSNError{s, errors.New("the file path may not hold '?' or '#'")}
	}
	return DSN{Dialect: SQLite, Driver: "sqlite", Source: "file:" + path + "?" + sqlitePragmas, redacted: s}, nil
}

func parseMySQL(s string) (DSN, error) {
	u, err := url.Parse(s)
	if err != nil {
		return DSN{}, &DSNError{redact(s), errors.New("not a URL")}
	}
	d := DSN{Dialect: MySQL, Driver: "mysql", redacted: redact(s)}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.ParseTime, cfg.Loc = true, time.UTC
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	if cfg.DBName == "" || strings.Contains(cfg.DBName, "/") {
		return DSN{}, &DSNError{d.redacted, errors.New("want one database name after the host: mysql://USER:PASS@HOST:PORT/DB")}
	}
	q := u.Query()
	if sock := q.Get("socket"); sock != "" {
		cfg.Net, cfg.Addr = "unix", sock
	} else {
		if u.Hostname() == "" {
			return DSN{}, &DSNError{d.redacted, errors.New("no host (or ?socket=PATH)")}
		}
		port := u.Port()
		if port == "" {
			port = "3306"
		}
		cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(u.Hostname(), port)
	}
	for k := range q {
		if k != "socket" {
			return DSN{}, &DSNError{d.redacted, fmt.Errorf("unknown parameter %q (only socket is taken)", k)}
		}
	}
	d.Source = cfg.FormatDSN()
	return d, nil
}

func parsePostgres(s string) (DSN, error) {
	u, err := url.Parse(s)
	if err != nil {
		return DSN{}, &DSNError{redact(s), errors.New("not a URL")}
	}
	d := DSN{Dialect: Postgres, Driver: "pgx", Source: s, redacted: redact(s)}
	if u.Host == "" && u.Query().Get("host") == "" {
		return DSN{}, &DSNError{d.redacted, errors.New("no host (or ?host=SOCKET-DIR)")}
	}
	return d, nil
}

// redact hides a password in s, when s parses as a URL.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		return "…" + s[i:]
	}
	return s
}
