// Package index is the SQL image index: one row per image URL of a crawl
// (table images) and per page (table pages), in SQLite (embedded, pure Go),
// MySQL/MariaDB or PostgreSQL, so that questions across crawls ("was this
// sha256 saved before?", "images from host X wider than 2000 px") are one
// query away.
//
// Files:
//   - dsn.go: ParseDSN, the "sqlite:", "mysql://" and "postgres://" forms.
//   - index.go: Open, Close, and the upserts and look-ups.
//   - dialect.go: what differs between the three databases (placeholders,
//     upserts, the schema's column types).
//   - migrate.go: the versioned schema, applied on Open under a lock.
//   - row.go: Image and Page, the rows, and ImageOf (a manifest entry's row).
//   - writer.go: Writer, the one goroutine that writes rows in batches,
//     retrying while the database is down, with a bounded buffer.
//
// An *Index is safe for concurrent use; a Writer has one owner.
package index
