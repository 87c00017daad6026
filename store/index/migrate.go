package index

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// A migration is one version of the schema: the statements that bring the
// version before it up to it, per dialect. Versions are never edited once
// released, only added.
type migration struct {
	version int
	stmts   map[Dialect][]string
}

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

var migrations = []migration{
	{1, map[Dialect][]string{
		SQLite: {
			`CREATE TABLE images (
				id INTEGER PRIMARY KEY,
				crawl_id TEXT NOT NULL, url_key TEXT NOT NULL, url TEXT NOT NULL,
				page TEXT NOT NULL DEFAULT '', depth INTEGER NOT NULL DEFAULT 0,
				host TEXT NOT NULL DEFAULT '', path TEXT NOT NULL DEFAULT '', out_dir TEXT NOT NULL DEFAULT '',
				sha256 TEXT NOT NULL DEFAULT '', bytes INTEGER NOT NULL DEFAULT 0,
				content_type TEXT NOT NULL DEFAULT '', width INTEGER NOT NULL DEFAULT 0, height INTEGER NOT NULL DEFAULT 0,
				status TEXT NOT NULL, error TEXT NOT NULL DEFAULT '', fetched_at TIMESTAMP,
				etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '',
				UNIQUE (crawl_id, url_key))`,
			`CREATE INDEX images_url_key ON images (url_key, status)`,
			`CREATE INDEX images_host_width ON images (host, width)`,
			`CREATE INDEX images_sha256 ON images (sha256)`,
			`CREATE INDEX images_page_fetched ON images (page, fetched_at)`,
			`CREATE TABLE pages (
				id INTEGER PRIMARY KEY,
				crawl_id TEXT NOT NULL, url_key TEXT NOT NULL, url TEXT NOT NULL,
				depth INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, fetched_at TIMESTAMP,
				UNIQUE (crawl_id, url_key))`,
		},
		MySQL: {
			`CREATE TABLE images (
				id BIGINT AUTO_INCREMENT PRIMARY KEY,
				crawl_id VARCHAR(64) NOT NULL, url_key CHAR(32) NOT NULL, url TEXT NOT NULL,
				page TEXT NOT NULL, depth INT NOT NULL DEFAULT 0,
				host VARCHAR(255) NOT NULL DEFAULT '', path TEXT NOT NULL, out_dir TEXT NOT NULL,
				sha256 CHAR(64) NOT NULL DEFAULT '', bytes BIGINT NOT NULL DEFAULT 0,
				content_type VARCHAR(127) NOT NULL DEFAULT '', width INT NOT NULL DEFAULT 0, height INT NOT NULL DEFAULT 0,
				status VARCHAR(16) NOT NULL, error TEXT NOT NULL, fetched_at DATETIME(6) NULL,
				etag VARCHAR(255) NOT NULL DEFAULT '', last_modified VARCHAR(64) NOT NULL DEFAULT '',
				UNIQUE KEY images_crawl_url (crawl_id, url_key),
				KEY images_url_key (url_key, status),
				KEY images_host_width (host, width),
				KEY images_sha256 (sha256),
				KEY images_page_fetched (page(255), fetched_at)
			) DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`,
			`CREATE TABLE pages (
				id BIGINT AUTO_INCREMENT PRIMARY KEY,
				crawl_id VARCHAR(64) NOT NULL, url_key CHAR(32) NOT NULL, url TEXT NOT NULL,
				depth INT NOT NULL DEFAULT 0, status VARCHAR(16) NOT NULL, fetched_at DATETIME(6) NULL,
				UNIQUE KEY pages_crawl_url (crawl_id, url_key)
			) DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`,
		},
		Postgres: {
			`CREATE TABLE images (
				id BIGSERIAL PRIMARY KEY,
				crawl_id TEXT NOT NULL, url_key TEXT NOT NULL, url TEXT NOT NULL,
				page TEXT NOT NULL DEFAULT '', depth INTEGER NOT NULL DEFAULT 0,
				host TEXT NOT NULL DEFAULT '', path TEXT NOT NULL DEFAULT '', out_dir TEXT NOT NULL DEFAULT '',
				sha256 TEXT NOT NULL DEFAULT '', bytes BIGINT NOT NULL DEFAULT 0,
				content_type TEXT NOT NULL DEFAULT '', width INTEGER NOT NULL DEFAULT 0, height INTEGER NOT NULL DEFAULT 0,
				status TEXT NOT NULL, error TEXT NOT NULL DEFAULT '', fetched_at TIMESTAMPTZ,
				etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '',
				UNIQUE (crawl_id, url_key))`,
			`CREATE INDEX images_url_key ON images (url_key, status)`,
			`CREATE INDEX images_host_width ON images (host, width)`,
			`CREATE INDEX images_sha256 ON images (sha256)`,
			`CREATE INDEX images_page_fetched ON images (page text_pattern_ops, fetched_at)`,
			`CREATE TABLE pages (
				id BIGSERIAL PRIMARY KEY,
				crawl_id TEXT NOT NULL, url_key TEXT NOT NULL, url TEXT NOT NULL,
				depth INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, fetched_at TIMESTAMPTZ,
				UNIQUE (crawl_id, url_key))`,
		},
	}},
}

// schemaTable records the versions applied, one row each.
const schemaTable = "imgcrawl_schema"

// migrate brings the schema up to SchemaVersion, holding a lock that
// keeps two processes opening one index at once from both migrating: an
// advisory lock on MySQL (GET_LOCK) and PostgreSQL (pg_advisory_lock), a
// write transaction on SQLite. A schema newer than this package's is an
// error: an older imgcrawl must not write into it.
func migrate(ctx context.Context, db *sql.DB, d Dialect) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	unlock, err := lock(ctx, conn, d)
	if err != nil {
		return fmt.Errorf("index: lock the schema: %w", err)
	}
	defer func() {
		if uerr := unlock(err); err == nil && uerr != nil {
			err = fmt.Errorf("index: commit the schema: %w", uerr)
		}
	}()
	create := "CREATE TABLE IF NOT EXISTS " + schemaTable + " (version INTEGER NOT NULL PRIMARY KEY, applied_at VARCHAR(40) NOT NULL)"
	if _, err := conn.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("index: create %s: %w", schemaTable, err)
	}
	var have sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT MAX(version) FROM "+schemaTable).Scan(&have); err != nil {
		return fmt.Errorf("index: read the schema version: %w", err)
	}
	if int(have.Int64) > SchemaVersion() {
		return fmt.Errorf("index: the schema is at version %d, newer than this imgcrawl's %d: upgrade imgcrawl", have.Int64, SchemaVersion())
	}
	for _, m := range migrations {
		if m.version <= int(have.Int64) {
			continue
		}
		if err := apply(ctx, conn, d, m); err != nil {
			return fmt.Errorf("index: migrate to version %d: %w", m.version, err)
		}
	}
	return nil
}

// apply runs one migration and records it, in one transaction where the
// database can roll DDL back (PostgreSQL; on SQLite the lock's transaction
// holds all; MySQL commits each statement).
func apply(ctx context.Context, conn *sql.Conn, d Dialect, m migration) error {
	run := func(ex interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}) error {
		for _, s := range m.stmts[d] {
			if _, err := ex.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		ins := d.bind("INSERT INTO " + schemaTable + " (version, applied_at) VALUES (?, ?)")
		_, err := ex.ExecContext(ctx, ins, m.version, time.Now().UTC().Format(time.RFC3339))
		return err
	}
	if d == SQLite {
		return run(conn)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := run(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// lockName names the advisory lock, the same for every imgcrawl.
const lockName = "imgcrawl_schema"

// lock takes the schema lock on conn; unlock releases it (on SQLite it
// commits what was done, or rolls it back after an error).
func lock(ctx context.Context, conn *sql.Conn, d Dialect) (unlock func(error) error, err error) {
	bg := context.WithoutCancel(ctx)
	switch d {
	case MySQL:
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 60)", lockName).Scan(&got); err != nil {
			return nil, err
		}
		if got.Int64 != 1 {
			return nil, fmt.Errorf("another process holds lock %s", lockName)
		}
		return func(error) error {
			_, err := conn.ExecContext(bg, "SELECT RELEASE_LOCK(?)", lockName)
			return err
		}, nil
	case Postgres:
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(hashtext($1))", lockName); err != nil {
			return nil, err
		}
		return func(error) error {
			_, err := conn.ExecContext(bg, "SELECT pg_advisory_unlock(hashtext($1))", lockName)
			return err
		}, nil
	}
	// SQLite: a write transaction from the start, so a second process
	// waits (busy_timeout) and then reads the version this one wrote.
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, err
	}
	return func(err error) error {
		end := "COMMIT"
		if err != nil {
			end = "ROLLBACK"
		}
		_, xerr := conn.ExecContext(bg, end)
		return xerr
	}, nil
}
