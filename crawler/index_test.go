package crawler

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/sqltest"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"github.com/imgcrawl/imgcrawl/store/index"
	"github.com/imgcrawl/imgcrawl/store/state/bolt"
)

func openIndex(t *testing.T, dsn string) *index.Index {
	t.Helper()
	ix, err := index.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// TestIndexRowsFollowTheManifest: every image the manifest records is a row,
// saying the same, and every page a page row.
func TestIndexRowsFollowTheManifest(t *testing.T) {
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()
	out := t.TempDir()
	ix := openIndex(t, "sqlite:"+filepath.Join(t.TempDir(), "index.db"))
	c, err := New(Config{Seeds: []string{base + "/"}, Depth: 2, Out: out, Index: ix})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	id := sqltest.CheckIndex(t, ix, out)
	if id != sum.CrawlID || id == "" {
		t.Errorf("rows of crawl %q, the summary says %q", id, sum.CrawlID)
	}
	pages, err := ix.Pages(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	parsed := 0
	for _, p := range pages {
		if p.Status == Parsed {
			parsed++
		}
	}
	if int64(parsed) != sum.Pages {
		t.Errorf("%d parsed page rows, %d pages parsed", parsed, sum.Pages)
	}
	if sum.Indexed == 0 {
		t.Error("Summary.Indexed is 0")
	}
}

// TestIndexResyncsFromTheState: rows lost from the index (a crash between
// the state's acknowledgement and the write) come back when the crawl is
// resumed, under the same crawl id, and no row is doubled.
func TestIndexResyncsFromTheState(t *testing.T) {
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()
	out := t.TempDir()
	ix := openIndex(t, "sqlite:"+filepath.Join(t.TempDir(), "index.db"))
	statePath := filepath.Join(t.TempDir(), "state.db")
	run := func() Summary {
		st, err := bolt.Open(statePath, bolt.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		c, err := New(Config{Seeds: []string{base + "/"}, Depth: 1, Out: out, Index: ix, State: st})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := c.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	first := run()
	if _, err := ix.DB().Exec("DELETE FROM images WHERE id % 2 = 0"); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.DB().Exec("UPDATE images SET status = 'failed', sha256 = ''"); err != nil {
		t.Fatal(err)
	}
	second := run()
	if !second.Resumed || second.CrawlID != first.CrawlID {
		t.Fatalf("second run: resumed %v, crawl %q; want resumed, crawl %q", second.Resumed, second.CrawlID, first.CrawlID)
	}
	sqltest.CheckIndex(t, ix, out)
}

// TestIndexDatabaseDownMidCrawl kills the database server while the crawl
// runs and brings it back a little later: the crawl pauses with a warning
// when its buffer is full, goes on, and no row is lost.
func TestIndexDatabaseDownMidCrawl(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a database server")
	}
	srv := sqltest.StartPostgres(t)
	opt := testsite.DefaultOptions()
	opt.Latency = 5 * time.Millisecond
	site := testsite.New(opt)
	base, stop := site.Start()
	defer stop()
	out := t.TempDir()
	ix := openIndex(t, srv.DSN)
	var log syncBuffer
	var once sync.Once
	var restarted sync.WaitGroup
	c, err := New(Config{Seeds: []string{base + "/"}, Depth: 3, Out: out, Index: ix, IndexBuffer: 10,
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn})),
		OnEvent: func(ev Event) {
			if ev.Kind == KindImage {
				once.Do(func() {
					srv.Kill()
					restarted.Go(func() {
						time.Sleep(1500 * time.Millisecond)
						srv.Restart()
					})
				})
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	restarted.Wait()
	for _, want := range []string{"write failed, trying again", "the crawl waits"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	sqltest.CheckIndex(t, ix, out)
}

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
