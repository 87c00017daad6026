package index_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/sqltest"
	"github.com/imgcrawl/imgcrawl/store/index"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// backend is one database the conformance suite runs on: start starts its
// server (for the test t, which it outlives) and returns how to make an
// empty database, and the server (nil for SQLite) to kill and restart.
type backend struct {
	name  string
	start func(t *testing.T) (newDB func(t *testing.T) string, srv *sqltest.Server)
}

var backends = []backend{
	{"sqlite", func(*testing.T) (func(*testing.T) string, *sqltest.Server) {
		return func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "index.db") }, nil
	}},
	{"mariadb", server(sqltest.StartMariaDB)},
	{"postgres", server(sqltest.StartPostgres)},
}

func server(start func(testing.TB) *sqltest.Server) func(t *testing.T) (func(*testing.T) string, *sqltest.Server) {
	return func(t *testing.T) (func(*testing.T) string, *sqltest.Server) {
		srv := start(t)
		n := 0
		return func(t *testing.T) string {
			n++
			return srv.NewDatabase(t, fmt.Sprintf("t%d", n))
		}, srv
	}
}

// TestConformance runs the same suite on SQLite, MariaDB and PostgreSQL.
func TestConformance(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			newDB, srv := b.start(t)
			for _, tc := range []struct {
				name string
				run  func(t *testing.T, dsn string)
			}{
				{"Migrate", testMigrate},
				{"RoundTrip", testRoundTrip},
				{"Upsert", testUpsert},
				{"LargeBatch", testLargeBatch},
				{"Lookups", testLookups},
				{"Writer", testWriter},
				{"ReadmeQueries", testReadmeQueries},
			} {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, newDB(t)) })
			}
			if srv != nil {
				t.Run("WriterDatabaseDown", func(t *testing.T) { testWriterDown(t, newDB(t), srv) })
			}
		})
	}
}

func open(t *testing.T, dsn string) *index.Index {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ix, err := index.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func image(crawl, url string, status state.Status) index.Image {
	return index.Image{CrawlID: crawl, URLKey: state.KeyOf(url).String(), URL: url, Status: status}
}

// testMigrate opens one database from many goroutines at once (the lock
// lets one migrate), then again: one version row, and the tables there.
func testMigrate(t *testing.T, dsn string) {
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			ix, err := index.Open(context.Background(), dsn)
			if err == nil {
				ix.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent open: %v", err)
		}
	}
	ix := open(t, dsn)
	var n, v int
	if err := ix.DB().QueryRow("SELECT COUNT(*), MAX(version) FROM imgcrawl_schema").Scan(&n, &v); err != nil {
		t.Fatal(err)
	}
	if n != 1 || v != index.SchemaVersion() {
		t.Fatalf("imgcrawl_schema holds %d rows, version %d; want 1, %d", n, v, index.SchemaVersion())
	}
	// A schema newer than this code's is refused, not written into.
	if _, err := ix.DB().Exec("INSERT INTO imgcrawl_schema (version, applied_at) VALUES (999, 'x')"); err != nil {
		t.Fatal(err)
	}
	if _, err := index.Open(context.Background(), dsn); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open of a newer schema: %v, want an error saying it is newer", err)
	}
}

// testRoundTrip writes every field and reads it back as written; text the
// database cannot hold (invalid UTF-8, NUL) is cleaned, not refused.
func testRoundTrip(t *testing.T, dsn string) {
	ix := open(t, dsn)
	at := time.Date(2026, 11, 30, 12, 34, 56, 789012000, time.UTC)
	want := index.Image{CrawlID: "crawl-1", URLKey: state.KeyOf("https://例え.jp/ä.png").String(),
		URL: "https://例え.jp/ä.png", Page: "https://例え.jp/", Depth: 2, Host: "例え.jp:8443",
		Path: "例え.jp/ä.png", OutDir: "/data/out", SHA256: strings.Repeat("ab", 32), Bytes: 123456789012,
		ContentType: "image/png", Width: 4000, Height: 3000, Status: state.Saved, Error: "",
		FetchedAt: at, ETag: `"abc"`, LastModified: "Mon, 30 Nov 2026 12:00:00 GMT"}
	bad := image("crawl-1", "https://x/bad.png", state.Failed)
	bad.Error = "bad \xff bytes\x00 here"
	if err := ix.Upsert(context.Background(), []index.Image{want, bad}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := ix.Images(context.Background(), "crawl-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d rows, want 2", len(got))
	}
	for _, g := range got {
		if g.URL == want.URL && g != want {
			t.Errorf("read back\n%+v\nwant\n%+v", g, want)
		}
		if g.URL == bad.URL && g.Error != "bad \uFFFD bytes here" {
			t.Errorf("error stored as %q", g.Error)
		}
	}
	p := index.Page{CrawlID: "crawl-1", URLKey: "k", URL: "https://x/", Depth: 1, Status: state.Parsed, FetchedAt: at}
	if err := ix.Upsert(context.Background(), nil, []index.Page{p}); err != nil {
		t.Fatal(err)
	}
	if pages, err := ix.Pages(context.Background(), "crawl-1"); err != nil || len(pages) != 1 || pages[0] != p {
		t.Fatalf("pages: %+v, %v; want [%+v]", pages, err, p)
	}
}

// testUpsert: a row written again replaces the first; within one batch
// the last of a key wins; another crawl's row of the same URL is its own.
func testUpsert(t *testing.T, dsn string) {
	ix := open(t, dsn)
	ctx := context.Background()
	a := image("c1", "http://h/a.png", state.Failed)
	if err := ix.Upsert(ctx, []index.Image{a}, nil); err != nil {
		t.Fatal(err)
	}
	a2, a3 := a, a
	a2.Status, a3.Status, a3.Bytes = state.Skipped, state.Saved, 7
	other := a3
	other.CrawlID = "c2"
	if err := ix.Upsert(ctx, []index.Image{a2, a3, other}, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := ix.Images(ctx, "c1")
	if len(got) != 1 || got[0].Status != state.Saved || got[0].Bytes != 7 {
		t.Fatalf("c1 rows %+v, want one saved row of 7 bytes", got)
	}
	if got, _ := ix.Images(ctx, "c2"); len(got) != 1 {
		t.Fatalf("c2 rows %+v, want one", got)
	}
}

// testLargeBatch writes more rows than one statement takes.
func testLargeBatch(t *testing.T, dsn string) {
	ix := open(t, dsn)
	rows := make([]index.Image, 5000)
	for i := range rows {
		rows[i] = image("big", fmt.Sprintf("http://h/%d.png", i), state.Saved)
	}
	if err := ix.Upsert(context.Background(), rows, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := ix.Images(context.Background(), "big"); len(got) != len(rows) {
		t.Fatalf("%d rows, want %d", len(got), len(rows))
	}
}

// testLookups: Saved and BySHA256 find saved rows of any crawl, and only
// saved ones.
func testLookups(t *testing.T, dsn string) {
	ix := open(t, dsn)
	ctx := context.Background()
	saved := image("c1", "http://h/a.png", state.Saved)
	saved.SHA256, saved.Path = strings.Repeat("1", 64), "h/a.png"
	dup := image("c2", "http://h/b.png", state.Duplicate)
	dup.SHA256 = saved.SHA256
	failed := image("c2", "http://h/c.png", state.Failed)
	if err := ix.Upsert(ctx, []index.Image{saved, dup, failed}, nil); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := ix.Saved(ctx, saved.URLKey, ""); err != nil || !ok || got.CrawlID != "c1" {
		t.Fatalf("Saved(a) = %+v, %v, %v", got, ok, err)
	}
	if _, ok, err := ix.Saved(ctx, saved.URLKey, "c1"); err != nil || ok {
		t.Fatalf("Saved(a) but for crawl c1 = %v, %v; want not found", ok, err)
	}
	if _, ok, err := ix.Saved(ctx, failed.URLKey, ""); err != nil || ok {
		t.Fatalf("Saved(failed) = %v, %v; want not found", ok, err)
	}
	if got, ok, err := ix.BySHA256(ctx, saved.SHA256, "c2"); err != nil || !ok || got.Path != "h/a.png" {
		t.Fatalf("BySHA256 = %+v, %v, %v", got, ok, err)
	}
	if _, ok, _ := ix.BySHA256(ctx, saved.SHA256, "c1"); ok {
		t.Fatal("BySHA256 found the excepted crawl's row")
	}
	if _, ok, _ := ix.BySHA256(ctx, strings.Repeat("2", 64), ""); ok {
		t.Fatal("BySHA256 found an unknown hash")
	}
}

// testWriter hands a writer more rows than its buffer holds; Close leaves
// every one written.
func testWriter(t *testing.T, dsn string) {
	ix := open(t, dsn)
	var log bytes.Buffer
	w := index.NewWriter(ix, index.WriterConfig{Buffer: 50, Batch: 100, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	ctx := context.Background()
	for i := range 3000 {
		if err := w.Image(ctx, image("w", fmt.Sprintf("http://h/%d.png", i), state.Saved)); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			if err := w.Page(ctx, index.Page{CrawlID: "w", URLKey: fmt.Sprint(i), URL: "http://h/", Status: state.Parsed}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if w.Written() != 3300 {
		t.Fatalf("Written() = %d, want 3300", w.Written())
	}
	if got, _ := ix.Images(ctx, "w"); len(got) != 3000 {
		t.Fatalf("%d image rows, want 3000", len(got))
	}
	if got, _ := ix.Pages(ctx, "w"); len(got) != 300 {
		t.Fatalf("%d page rows, want 300", len(got))
	}
}

// testWriterDown kills the server while a writer has rows for it: the
// buffer fills, the producer blocks (with a warning), nothing is dropped,
// and once the server is back every row is written.
func testWriterDown(t *testing.T, dsn string, srv *sqltest.Server) {
	ix := open(t, dsn)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // a failure, not a hang
	defer cancel()
	var log syncBuffer
	w := index.NewWriter(ix, index.WriterConfig{Buffer: 20, Batch: 10, RetryMin: 10 * time.Millisecond,
		RetryMax: 100 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	for i := range 10 {
		w.Image(ctx, image("down", fmt.Sprintf("http://h/%d.png", i), state.Saved))
	}
	srv.Kill()
	restarted := make(chan error, 1)
	go func() {
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(log.String(), "the crawl waits") && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		restarted <- srv.Start()
	}()
	for i := 10; i < 200; i++ {
		if err := w.Image(ctx, image("down", fmt.Sprintf("http://h/%d.png", i), state.Saved)); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-restarted; err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"write failed, trying again", "the crawl waits", "writing again"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	if got, err := ix.Images(ctx, "down"); err != nil || len(got) != 200 {
		t.Fatalf("%d rows (%v), want 200", len(got), err)
	}
}

// syncBuffer is a bytes.Buffer safe for the writer's goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testReadmeQueries runs the README's example queries, in each dialect's
// words for "last week", on rows made for them.
func testReadmeQueries(t *testing.T, dsn string) {
	ix := open(t, dsn)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	row := func(url, page, ct string, width int, sum string, age time.Duration) index.Image {
		im := image("q", url, state.Saved)
		im.Page, im.ContentType, im.Width, im.SHA256, im.FetchedAt = page, ct, width, sum, now.Add(-age)
		im.Host = strings.Split(strings.TrimPrefix(url, "https://"), "/")[0]
		return im
	}
	day := 24 * time.Hour
	rows := []index.Image{
		row("https://cdn.example.com/big.jpg", "https://shop.example/products/1", "image/jpeg", 4000, strings.Repeat("a", 64), day),
		row("https://cdn.example.com/small.jpg", "https://shop.example/products/2", "image/jpeg", 800, strings.Repeat("b", 64), day),
		row("https://cdn.example.com/old.jpg", "https://shop.example/products/3", "image/jpeg", 3000, strings.Repeat("c", 64), 30*day),
		row("https://cdn.example.com/p.png", "https://shop.example/products/4", "image/png", 3000, strings.Repeat("d", 64), day),
		row("https://other.example/x.jpg", "https://shop.example/about/", "image/jpeg", 2500, strings.Repeat("e", 64), day),
	}
	if err := ix.Upsert(ctx, rows, nil); err != nil {
		t.Fatal(err)
	}
	lastWeek := map[index.Dialect]string{
		index.SQLite:   "datetime('now', '-7 days')",
		index.MySQL:    "UTC_TIMESTAMP() - INTERVAL 7 DAY",
		index.Postgres: "now() - interval '7 days'",
	}[ix.Dialect()]
	for _, q := range []struct {
		name, sql string
		want      []string
	}{
		{"wider than 2000 px", `SELECT url FROM images WHERE host = 'cdn.example.com' AND width > 2000 AND status = 'saved' ORDER BY url`,
			[]string{"https://cdn.example.com/big.jpg", "https://cdn.example.com/old.jpg", "https://cdn.example.com/p.png"}},
		{"sha256 saved before", `SELECT url FROM images WHERE sha256 = '` + strings.Repeat("e", 64) + `' AND status = 'saved'`,
			[]string{"https://other.example/x.jpg"}},
		{"JPEGs under /products/ last week", `SELECT url FROM images WHERE content_type = 'image/jpeg' AND page LIKE 'https://shop.example/products/%' AND fetched_at >= ` + lastWeek + ` ORDER BY url`,
			[]string{"https://cdn.example.com/big.jpg", "https://cdn.example.com/small.jpg"}},
	} {
		rs, err := ix.DB().QueryContext(ctx, q.sql)
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		var got []string
		for rs.Next() {
			var u string
			rs.Scan(&u)
			got = append(got, u)
		}
		rs.Close()
		if strings.Join(got, " ") != strings.Join(q.want, " ") {
			t.Errorf("%s: got %v, want %v", q.name, got, q.want)
		}
	}
}
