package index_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/imgcrawl/imgcrawl/internal/sqltest"
	"github.com/imgcrawl/imgcrawl/store/index"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// BenchmarkWriter measures the rows per second a Writer sustains into each
// database, rows as a crawl writes them (all columns filled).
func BenchmarkWriter(b *testing.B) {
	for _, db := range []struct {
		name string
		dsn  func(b *testing.B) string
	}{
		{"sqlite", func(b *testing.B) string { return "sqlite:" + filepath.Join(b.TempDir(), "i.db") }},
		{"mariadb", func(b *testing.B) string { return sqltest.StartMariaDB(b).DSN }},
		{"postgres", func(b *testing.B) string { return sqltest.StartPostgres(b).DSN }},
	} {
		b.Run(db.name, func(b *testing.B) {
			ix, err := index.Open(context.Background(), db.dsn(b))
			if err != nil {
				b.Fatal(err)
			}
			defer ix.Close()
			ctx := context.Background()
			w := index.NewWriter(ix, index.WriterConfig{})
			b.ResetTimer()
			for i := range b.N {
				u := fmt.Sprintf("https://img.example.com/a/b/c/%d.jpg", i)
				im := index.Image{CrawlID: "bench", URLKey: state.KeyOf(u).String(), URL: u,
					Page: "https://www.example.com/products/page.html", Depth: 3, Host: "img.example.com",
					Path: "img.example.com/a/b/c/x.jpg", OutDir: "/data/out", SHA256: fmt.Sprintf("%064x", i),
					Bytes: 65536, ContentType: "image/jpeg", Width: 1024, Height: 768, Status: state.Saved,
					ETag: `"0123456789abcdef"`, LastModified: "Mon, 30 Nov 2026 12:00:00 GMT"}
				if err := w.Image(ctx, im); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
