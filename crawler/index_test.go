package crawler

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
	var restartErr error
	c, err := New(Config{Seeds: []string{base + "/"}, Depth: 3, Out: out, Index: ix, IndexBuffer: 10,
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn})),
		OnEvent: func(ev Event) {
			if ev.Kind == KindImage {
				once.Do(func() {
					srv.Kill()
					restarted.Go(func() {
						time.Sleep(1500 * time.Millisecond)
						restartErr = srv.Start()
					})
				})
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // a failure, not a hang
	defer cancel()
	_, err = c.Run(ctx)
	restarted.Wait()
	if restartErr != nil || err != nil {
		t.Fatal(restartErr, err)
	}
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

// TestSkipKnownAndRevalidate: a second crawl of the same site into another
// folder with SkipKnown requests no image the first saved and writes no
// file; a third with Revalidate sends conditional requests for them and
// rewrites nothing unchanged.
func TestSkipKnownAndRevalidate(t *testing.T) {
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()
	ix := openIndex(t, "sqlite:"+filepath.Join(t.TempDir(), "index.db"))
	crawl := func(out string, skip, revalidate bool) Summary {
		c, err := New(Config{Seeds: []string{base + "/"}, Depth: 1, Out: out, Index: ix, SkipKnown: skip, Revalidate: revalidate})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := c.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	out1 := t.TempDir()
	first := crawl(out1, false, false)
	saved, err := ix.Images(context.Background(), first.CrawlID)
	if err != nil {
		t.Fatal(err)
	}
	savedTargets := map[string]bool{}
	for _, im := range saved {
		if im.Status == Saved {
			savedTargets[testsite.NormalizeTarget(strings.TrimPrefix(im.URL, base))] = true
		}
	}
	if len(savedTargets) == 0 {
		t.Fatal("the first crawl saved nothing")
	}

	site.ResetRequests()
	out2 := t.TempDir()
	second := crawl(out2, true, false)
	for target, n := range site.Requests() {
		if savedTargets[target] && n > 0 {
			t.Errorf("second crawl requested %s, saved by the first", target)
		}
	}
	if files := savedFiles(t, out2); len(files) != 0 {
		t.Errorf("second crawl wrote %d files, want none: %v", len(files), files)
	}
	if second.Skipped < int64(len(savedTargets)) {
		t.Errorf("second crawl skipped %d, want at least the %d known", second.Skipped, len(savedTargets))
	}
	sqltest.CheckCrawl(t, ix, second.CrawlID, out2)

	site.ResetRequests()
	out3 := t.TempDir()
	third := crawl(out3, false, true)
	for target := range savedTargets {
		if site.Requests()[target] != 1 {
			t.Errorf("third crawl requested %s %d times, want once (conditionally)", target, site.Requests()[target])
		}
	}
	if files := savedFiles(t, out3); len(files) != 0 {
		t.Errorf("third crawl wrote %d files, want none (nothing changed)", len(files))
	}
	rows, _ := ix.Images(context.Background(), third.CrawlID)
	notModified := 0
	for _, im := range rows {
		if strings.HasPrefix(im.Error, "not modified") {
			notModified++
		}
	}
	if notModified != len(savedTargets) {
		t.Errorf("%d rows not modified, want %d", notModified, len(savedTargets))
	}
}

// TestSkipKnownContentIsADuplicateOfTheEarlierFile: an image whose bytes
// another crawl saved (under another URL, into another folder) is not
// kept: it is a duplicate of that file, named by its absolute path.
func TestSkipKnownContentIsADuplicateOfTheEarlierFile(t *testing.T) {
	png := tinyPNG(t, 7)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	}))
	defer srv.Close()
	ix := openIndex(t, "sqlite:"+filepath.Join(t.TempDir(), "index.db"))
	get := func(out, url string) Event {
		urls := make(chan string, 1)
		urls <- url
		close(urls)
		var last Event
		c, err := New(Config{Images: urls, Out: out, Index: ix, SkipKnown: true, OnEvent: func(ev Event) { last = ev }})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return last
	}
	out1, out2 := t.TempDir(), t.TempDir()
	first := get(out1, srv.URL+"/a.png")
	if first.Status != Saved {
		t.Fatalf("first get: %s %v", first.Status, first.Err)
	}
	second := get(out2, srv.URL+"/b.png")
	want := filepath.Join(out1, filepath.FromSlash(first.Path))
	if second.Status != Duplicate || second.Path != want {
		t.Fatalf("second get: %s %q, want duplicate of %q", second.Status, second.Path, want)
	}
	if files := savedFiles(t, out2); len(files) != 0 {
		t.Errorf("second get kept %v", files)
	}
}
