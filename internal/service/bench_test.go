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

// BenchmarkServeVsCLI crawls one site as the command does (crawler.New and
// Run on a bbolt state) and as a job of the service with the dashboard
// open (the job's event stream read, the gallery asked for every second,
// thumbnails made): the two should be within noise of each other.
func BenchmarkServeVsCLI(b *testing.B) {
	opt := testsite.DefaultOptions()
	opt.Pages, opt.Features = 300, false
	s := testsite.New(opt)
	base, stop := s.Start()
	defer stop()
	want := int64(len(s.Expected(3)))

	b.Run("cli", func(b *testing.B) {
		for b.Loop() {
			out := b.TempDir()
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
			cfg.State, cfg.SnapshotInterval = st, crawler.DefaultSnapshotInterval
			cr, err := crawler.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			sum, err := cr.Run(context.Background())
			st.Close()
			if err != nil || sum.Images != want {
				b.Fatalf("saved %d of %d: %v", sum.Images, want, err)
			}
		}
		b.ReportMetric(float64(want*int64(b.N))/b.Elapsed().Seconds(), "images/s")
	})

	for _, tc := range []struct {
		name   string
		thumbs int
		open   bool
	}{{"serve", -1, false}, {"serve+dashboard", 1, true}} {
		b.Run(tc.name, func(b *testing.B) {
			h := newHarness(b, Config{ManagerConfig: ManagerConfig{Data: b.TempDir(), Thumbnails: tc.thumbs}})
			for b.Loop() {
				code, body := h.do("POST", "/api/jobs", Spec{Kind: KindCrawl, URLs: []string{base + "/"}, Options: json.RawMessage(`{"depth":3}`)})
				if code != http.StatusCreated {
					b.Fatalf("%d %s", code, body)
				}
				var st Status
				json.Unmarshal(body, &st)
				if tc.open {
					st.Run.Images = dashboard(b, h.srv.URL, st.ID)
				} else {
					for st.State != Done {
						time.Sleep(5 * time.Millisecond)
						st = h.status(st.ID)
					}
				}
				if st.Run.Images != want {
					b.Fatalf("saved %d of %d", st.Run.Images, want)
				}
			}
			b.ReportMetric(float64(want*int64(b.N))/b.Elapsed().Seconds(), "images/s")
		})
	}
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
