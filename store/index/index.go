package index

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	_ "github.com/go-sql-driver/mysql" // "mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // "pgx"
	_ "modernc.org/sqlite"             // "sqlite"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// Index is an open image index. It is safe for concurrent use; the
// caller closes it.
type Index struct {
	db  *sql.DB
	d   Dialect
	dsn DSN
}

// Open parses dsn (see ParseDSN), connects, and brings the schema up to
// date. An SQLite file is created when missing.
func Open(ctx context.Context, dsn string) (*Index, error) {
	d, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return OpenDSN(ctx, d)
}

// OpenDSN is Open for a parsed address.
func OpenDSN(ctx context.Context, d DSN) (*Index, error) {
	db, err := sql.Open(d.Driver, d.Source)
	if err != nil {
		return nil, fmt.Errorf("index: %s: %w", d, err)
	}
	if d.Dialect == SQLite {
		// One connection writes at a time anyway; more would only wait on
		// the file lock. Readers share it (WAL).
		db.SetMaxOpenConns(4)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("index: connect to %s: %w", d, err)
	}
	if err := migrate(ctx, db, d.Dialect); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w (index %s)", err, d)
	}
	return &Index{db: db, d: d.Dialect, dsn: d}, nil
}

// Close closes the connections.
func (ix *Index) Close() error { return ix.db.Close() }

// Dialect says which database the index is in.
func (ix *Index) Dialect() Dialect { return ix.d }

// String returns the index's address without its password.
func (ix *Index) String() string { return ix.dsn.String() }

// DB returns the database handle, for queries of the caller's own.
func (ix *Index) DB() *sql.DB { return ix.db }

// Upsert writes images and pages in one transaction: a row whose crawl id
// and URL key are in the index already is replaced. Within one call, the
// last of rows with the same key wins. Upsert is idempotent.
func (ix *Index) Upsert(ctx context.Context, images []Image, pages []Page) error {
	images, pages = lastOfEach(images, func(im *Image) [2]string { return [2]string{im.CrawlID, im.URLKey} }),
		lastOfEach(pages, func(p *Page) [2]string { return [2]string{p.CrawlID, p.URLKey} })
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	defer tx.Rollback()
	if err := upsertRows(ctx, tx, ix.d, "images", imageColumns, images, (*Image).args); err != nil {
		return err
	}
	if err := upsertRows(ctx, tx, ix.d, "pages", pageColumns, pages, (*Page).args); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("index: commit: %w", err)
	}
	return nil
}

// upsertRows writes rows in statements of at most maxParams parameters.
func upsertRows[R any](ctx context.Context, tx *sql.Tx, d Dialect, table string, cols []string, rows []R, args func(*R) []any) error {
	per := maxParams / len(cols)
	for len(rows) > 0 {
		n := min(per, len(rows))
		vals := make([]any, 0, n*len(cols))
		for i := range rows[:n] {
			vals = append(vals, args(&rows[i])...)
		}
		if _, err := tx.ExecContext(ctx, d.upsert(table, cols, n), vals...); err != nil {
			return fmt.Errorf("index: write %d rows of %s: %w", n, table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// lastOfEach keeps the last row of each key, in their first order (one
// statement may not touch a row twice on PostgreSQL).
func lastOfEach[R any](rows []R, key func(*R) [2]string) []R {
	if len(rows) < 2 {
		return rows
	}
	at := make(map[[2]string]int, len(rows))
	out := rows[:0:0]
	for i := range rows {
		k := key(&rows[i])
		if j, ok := at[k]; ok {
			out[j] = rows[i]
			continue
		}
		at[k] = len(out)
		out = append(out, rows[i])
	}
	return out
}

// selectImage is the column list Image scans.
var selectImage = "SELECT " + strings.Join(imageColumns, ", ") + " FROM images "

func scanImage(sc interface{ Scan(...any) error }) (Image, error) {
	var im Image
	var status string
	var at sql.NullTime
	err := sc.Scan(&im.CrawlID, &im.URLKey, &im.URL, &im.Page, &im.Depth, &im.Host, &im.Path, &im.OutDir,
		&im.SHA256, &im.Bytes, &im.ContentType, &im.Width, &im.Height, &status, &im.Error, &at,
		&im.ETag, &im.LastModified)
	im.Status = state.Status(status)
	if at.Valid {
		im.FetchedAt = at.Time.UTC()
	}
	return im, err
}

// one returns the first row of a query of selectImage, ok false for none.
func (ix *Index) one(ctx context.Context, where string, args ...any) (Image, bool, error) {
	row := ix.db.QueryRowContext(ctx, ix.d.bind(selectImage+where), args...)
	im, err := scanImage(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Image{}, false, nil
	}
	if err != nil {
		return Image{}, false, fmt.Errorf("index: %w", err)
	}
	return im, true, nil
}

// Saved returns the latest row of any crawl but crawl except ("" for
// none) that saved the image at the URL of key urlKey (hex, as
// Image.URLKey); ok is false when none did.
func (ix *Index) Saved(ctx context.Context, urlKey, except string) (im Image, ok bool, err error) {
	return ix.one(ctx, "WHERE url_key = ? AND status = 'saved' AND crawl_id <> ? ORDER BY fetched_at DESC LIMIT 1", urlKey, except)
}

// BySHA256 returns the first row of any crawl but crawl except ("" for
// none) that saved content with this hash (hex); ok is false when none
// did.
func (ix *Index) BySHA256(ctx context.Context, sum, except string) (im Image, ok bool, err error) {
	return ix.one(ctx, "WHERE sha256 = ? AND status = 'saved' AND crawl_id <> ? ORDER BY fetched_at LIMIT 1", sum, except)
}

// Images returns every row of crawl crawlID, by URL key.
func (ix *Index) Images(ctx context.Context, crawlID string) ([]Image, error) {
	rows, err := ix.db.QueryContext(ctx, ix.d.bind(selectImage+"WHERE crawl_id = ? ORDER BY url_key"), crawlID)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	defer rows.Close()
	var out []Image
	for rows.Next() {
		im, err := scanImage(rows)
		if err != nil {
			return nil, fmt.Errorf("index: %w", err)
		}
		out = append(out, im)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	return out, nil
}

// Pages returns every page row of crawl crawlID, by URL key.
func (ix *Index) Pages(ctx context.Context, crawlID string) ([]Page, error) {
	q := ix.d.bind("SELECT " + strings.Join(pageColumns, ", ") + " FROM pages WHERE crawl_id = ? ORDER BY url_key")
	rows, err := ix.db.QueryContext(ctx, q, crawlID)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	defer rows.Close()
	var out []Page
	for rows.Next() {
		var p Page
		var status string
		var at sql.NullTime
		if err := rows.Scan(&p.CrawlID, &p.URLKey, &p.URL, &p.Depth, &status, &at); err != nil {
			return nil, fmt.Errorf("index: %w", err)
		}
		p.Status = state.Status(status)
		if at.Valid {
			p.FetchedAt = at.Time.UTC()
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	return out, nil
}
