package service

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/options"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/state/bolt"
)

// BenchmarkServeVsCLI crawls one site three ways, in turn within each
// iteration so that they share the machine's drift: as the command does
// (crawler.New and Run on a bbolt state), as a job of the service, and as
// a job with the dashboard open (the job's event stream read, the gallery
// asked for every second, thumbnails made). It reports each way's
// milliseconds per crawl and the two ratios to the command's, which should
// be within noise of 1.
func BenchmarkServeVsCLI(b *testing.B) {
	opt := testsite.DefaultOptions()
	opt.Pages, opt.Features = 300, false
	s := testsite.New(opt)
	base, stop := s.Start()
	defer stop()
	want := int64(len(s.Expected(3)))
	plain := newHarness(b, Config{ManagerConfig: ManagerConfig{Data: b.TempDir(), Thumbnails: -1}})
	dash := newHarness(b, Config{ManagerConfig: ManagerConfig{Data: b.TempDir(), Thumbnails: 1}})
	var cli, serve, open time.Duration
	for b.Loop() {
		t0 := time.Now()
		if got := crawlAsCLI(b, base, b.TempDir()); got != want {
			b.Fatalf("command: saved %d of %d", got, want)
		}
		t1 := time.Now()
		if got := crawlAsJob(b, plain, base, false); got != want {
			b.Fatalf("job: saved %d of %d", got, want)
		}
		t2 := time.Now()
		if got := crawlAsJob(b, dash, base, true); got != want {
			b.Fatalf("job with the dashboard: saved %d of %d", got, want)
		}
		t3 := time.Now()
		cli, serve, open = cli+t1.Sub(t0), serve+t2.Sub(t1), open+t3.Sub(t2)
	}
	n := float64(b.N)
	b.ReportMetric(float64(cli.Milliseconds())/n, "cli-ms")
	b.ReportMetric(float64(serve.Milliseconds())/n, "serve-ms")
	b.ReportMetric(float64(open.Milliseconds())/n, "dashboard-ms")
	b.ReportMetric(serve.Seconds()/cli.Seconds(), "serve/cli")
	b.ReportMetric(open.Seconds()/cli.Seconds(), "dashboard/cli")
}

// crawlAsCLI crawls base to depth 3 into out as the command does, and
// returns the images saved.
func crawlAsCLI(b *testing.B, base, out string) int64 {
	cfg := crawler.Config{Seeds: []string{base + "/"}, Out: out}
	all := options.Defaults()
	all.Depth = 3
	if err := all.Apply(&cfg, true); err != nil {
		b.Fatal(err)
	}
	st, err := bolt.Open(store.StatePath(out), bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	cfg.State, cfg.SnapshotInterval = st, crawler.DefaultSnapshotInterval
	cr, err := crawler.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	sum, err := cr.Run(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return sum.Images
}

// crawlAsJob runs the same crawl as a job, watching it as the dashboard
// does when open, and returns the images saved.
func crawlAsJob(b *testing.B, h *harness, base string, open bool) int64 {
	code, body := h.do("POST", "/api/jobs", Spec{Kind: KindCrawl, URLs: []string{base + "/"}, Options: json.RawMessage(`{"depth":3}`)})
	if code != http.StatusCreated {
		b.Fatalf("%d %s", code, body)
	}
	var st Status
	json.Unmarshal(body, &st)
	if open {
		return dashboard(b, h.srv.URL, st.ID)
	}
	for st.State != Done {
		time.Sleep(5 * time.Millisecond)
		st = h.status(st.ID)
	}
	return st.Run.Images
}

// dashboard reads a job's event stream as the job page does, asking for
// the gallery every second, until the job ends; it returns the images the
// job saved.
func dashboard(b *testing.B, base, id string) int64 {
	resp, err := http.Get(base + "/api/jobs/" + id + "/events")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if r, err := http.Get(base + "/api/jobs/" + id + "/gallery"); err == nil {
					io.Copy(io.Discard, r.Body)
					r.Body.Close()
				}
			}
		}
	}()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if sc.Text() == "event: end" {
			break
		}
	}
	r, err := http.Get(base + "/api/jobs/" + id)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Body.Close()
	var st Status
	json.NewDecoder(r.Body).Decode(&st)
	return st.Run.Images
}
