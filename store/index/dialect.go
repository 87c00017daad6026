package index

import (
	"strconv"
	"strings"
)

// imageColumns are the columns of images that a row sets, in the order
// Image.args gives them. The first two are the unique key.
var imageColumns = []string{
	"crawl_id", "url_key", "url", "page", "depth", "host", "path", "out_dir", "sha256", "bytes",
	"content_type", "width", "height", "status", "error", "fetched_at", "etag", "last_modified",
}

// pageColumns are the columns of pages, in the order Page.args gives them.
var pageColumns = []string{"crawl_id", "url_key", "url", "depth", "status", "fetched_at"}

// placeholder returns the n-th (from 1) bind parameter of d.
func (d Dialect) placeholder(n int) string {
	if d == Postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// upsert returns the statement that inserts rows rows of cols into table,
// replacing the row of the same (crawl_id, url_key).
func (d Dialect) upsert(table string, cols []string, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	n := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			b.WriteString(d.placeholder(n))
		}
		b.WriteByte(')')
	}
	if d == MySQL {
		b.WriteString(" ON DUPLICATE KEY UPDATE ")
		for i, c := range cols[2:] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(c + " = VALUES(" + c + ")") // MariaDB has no row alias
		}
		return b.String()
	}
	b.WriteString(" ON CONFLICT (crawl_id, url_key) DO UPDATE SET ")
	for i, c := range cols[2:] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c + " = excluded." + c)
	}
	return b.String()
}

// bind rewrites a query written with '?' for d.
func (d Dialect) bind(q string) string {
	if d != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString(d.placeholder(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maxParams bounds the bind parameters of one statement, under the
// smallest limit of the three (SQLite's 32766).
const maxParams = 30000
