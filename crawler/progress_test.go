package crawler

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"github.com/imgcrawl/imgcrawl/store/state"
)

func TestProgressLine(t *testing.T) {
	sum := Summary{Pages: 3, Images: 2, Bytes: 1536, Duplicates: 1, Failed: 1}
	counts := &state.Counts{PagesPending: 7, ImagesPending: 9}
	for _, tc := range []struct {
		name     string
		get      bool
		total    int64
		r        reading
		line     string
		bar      string
		noBarFor string
	}{
		{"crawl, before a sample", false, 0, reading{sum: sum},
			"pages 3 done; images 2 saved (1.5 KiB), 1 duplicates, 0 skipped; errors 1; 0.0 req/s, 0 B/s",
			"pages 3 · images 2 · 1 dup · 1 errors · 1.5 KiB · 0.0 req/s · 0 B/s", ""},
		{"crawl", false, 0, reading{sum: sum, counts: counts, reqRate: 12.4, byteRate: 1.25 * (1 << 20), endRate: 3, span: 9},
			"pages 3 done, 7 queued; images 2 saved (1.5 KiB), 1 duplicates, 0 skipped, 9 queued; errors 1; 12 req/s, 1.2 MiB/s",
			"pages 3 (7 queued) · images 2 (9 queued) · 1 dup · 1 errors · 1.5 KiB · 12 req/s · 1.2 MiB/s", "left"},
		{"get, rate too young for an estimate", true, 100, reading{sum: sum, counts: counts, ended: 40, endRate: 2, span: 1},
			"images 2 saved (1.5 KiB), 1 duplicates, 0 skipped, 9 queued; errors 1; 0.0 req/s, 0 B/s; 40 of 100 URLs",
			"images 2 (9 queued) · 1 dup · 1 errors · 1.5 KiB · 0.0 req/s · 0 B/s · 40/100 URLs", "left"},
		{"get with time left", true, 100, reading{sum: sum, counts: counts, ended: 40, endRate: 2, span: 5},
			"images 2 saved (1.5 KiB), 1 duplicates, 0 skipped, 9 queued; errors 1; 0.0 req/s, 0 B/s; 40 of 100 URLs, about 30s left",
			"images 2 (9 queued) · 1 dup · 1 errors · 1.5 KiB · 0.0 req/s · 0 B/s · 40/100 URLs, about 30s left", ""},
		{"get of unknown length", true, 0, reading{sum: sum, ended: 40, endRate: 2, span: 5},
			"images 2 saved (1.5 KiB), 1 duplicates, 0 skipped; errors 1; 0.0 req/s, 0 B/s",
			"images 2 · 1 dup · 1 errors · 1.5 KiB · 0.0 req/s · 0 B/s", "left"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &progress{get: tc.get, total: tc.total}
			if got := p.line(tc.r); got != tc.line {
				t.Errorf("line\ngot  %s\nwant %s", got, tc.line)
			}
			if got := p.barLine(tc.r); got != tc.bar {
				t.Errorf("bar\ngot  %s\nwant %s", got, tc.bar)
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer safe for a crawl to write while a test
// reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestProgressShowsWhatIsLeft crawls a slow site with plain lines and with
// the bar: both say what is queued (sampled from the state), the rates, and
// small sizes in KiB.
func TestProgressShowsWhatIsLeft(t *testing.T) {
	opt := testsite.DefaultOptions()
	opt.Latency = 10 * time.Millisecond
	site := testsite.New(opt)
	base, stop := site.Start()
	defer stop()
	for _, tty := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "bar"}[tty]
		t.Run(name, func(t *testing.T) {
			var out lockedBuffer
			c, err := New(Config{Retries: NoRetries, Seeds: []string{base + "/"}, Depth: 2, Out: t.TempDir(), Concurrency: 2,
				Progress: &out, ProgressTTY: tty, ProgressInterval: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			s := out.String()
			queued := "queued; images"
			if tty {
				queued = "queued) · images"
			}
			for _, want := range []string{queued, " req/s", "KiB/s", "done: pages"} {
				if !strings.Contains(s, want) {
					t.Errorf("display lacks %q:\n%s", want, tail(s, 600))
				}
			}
			if strings.Contains(s, "0.0 MiB") || strings.Contains(s, "left") {
				t.Errorf("display shows 0.0 MiB or a time left for a crawl:\n%s", tail(s, 600))
			}
		})
	}
}

func tail(s string, n int) string { return s[max(0, len(s)-n):] }
