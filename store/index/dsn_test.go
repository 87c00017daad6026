package index

import (
	"strings"
	"testing"
)

func TestParseDSN(t *testing.T) {
	for _, tc := range []struct {
		in      string
		dialect Dialect
		source  string // a part of Source
		shown   string // String()
	}{
		{"sqlite:idx.db", SQLite, "file:idx.db?_pragma=busy_timeout", "sqlite:idx.db"},
		{"sqlite:///var/lib/idx.db", SQLite, "file:/var/lib/idx.db?", "sqlite:///var/lib/idx.db"},
		{"mysql://u:secret@db.local:3307/imgs", MySQL, "u:secret@tcp(db.local:3307)/imgs?", "mysql://u:xxxxx@db.local:3307/imgs"},
		{"mariadb://u@db.local/imgs", MySQL, "u@tcp(db.local:3306)/imgs?", "mariadb://u@db.local/imgs"},
		{"mysql://u@/imgs?socket=/run/mysqld/mysqld.sock", MySQL, "u@unix(/run/mysqld/mysqld.sock)/imgs", "mysql://u@/imgs?socket=/run/mysqld/mysqld.sock"},
		{"postgres://u:pw@127.0.0.1:5433/imgs?sslmode=disable", Postgres, "postgres://u:pw@127.0.0.1:5433/imgs", "postgres://u:xxxxx@127.0.0.1:5433/imgs?sslmode=disable"},
		{"postgresql://u@h/imgs", Postgres, "postgresql://u@h/imgs", "postgresql://u@h/imgs"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			d, err := ParseDSN(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if d.Dialect != tc.dialect || !strings.Contains(d.Source, tc.source) || d.String() != tc.shown {
				t.Fatalf("got %s, %q, %q; want %s, source with %q, shown %q", d.Dialect, d.Source, d.String(), tc.dialect, tc.source, tc.shown)
			}
		})
	}
}

func TestParseDSNErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "want sqlite:PATH"},
		{"idx.db", "want sqlite:PATH"},
		{"oracle://x/y", `unknown database "oracle"`},
		{"sqlite:", "no file path"},
		{"sqlite:a?b", "may not hold"},
		{"mysql://u:secret@h:3306/", "one database name"},
		{"mysql://u:secret@/db", "no host"},
		{"mysql://u:secret@h/db?tls=true", `unknown parameter "tls"`},
		{"postgres:///db", "no host"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			_, err := ParseDSN(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseDSN(%q) = %v, want an error with %q", tc.in, err, tc.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("the error shows the password: %v", err)
			}
		})
	}
}

// FuzzParseDSN: any input parses or fails without a panic, and the
// password of a "scheme://user:PASSWORD@rest" address never reaches
// String or an error.
func FuzzParseDSN(f *testing.F) {
	for _, s := range [][2]string{{"mysql://u", "h:1/db"}, {"postgres://u", "h/db?sslmode=disable"},
		{"mariadb://u", "/db?socket=/s"}, {"mysql://u", "[::1]:3306/d"}, {"x", "y"}, {"mysql://", "@h/d"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, before, after string) {
		ParseDSN(before + after)
		const pw = "hunter2secret"
		s := before + ":" + pw + "@" + after
		d, err := ParseDSN(s)
		if err != nil && strings.Contains(err.Error(), pw) {
			t.Fatalf("ParseDSN(%q): the error shows the password: %v", s, err)
		}
		if err == nil && d.Dialect != SQLite && strings.Contains(d.String(), pw) {
			t.Fatalf("ParseDSN(%q).String() shows the password: %s", s, d)
		}
	})
}
