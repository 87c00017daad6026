package crawler_test

import (
	"context"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/store"
)

// shop serves a tiny site on 127.0.0.1: a home page with a banner ad, an
// about page, and a catalogue whose pages are chained by "Next" buttons
// (not links). Every image is a distinct 1x1 PNG.
func shop() *httptest.Server {
	pages := map[string]string{
		"/": `<a href="/about">About</a> <a href="/shop/1">Shop</a>
			<img src="/img/logo.png"> <img src="/ads/banner.png">`,
		"/about":  `<img src="/img/team.png">`,
		"/shop/1": `<img src="/img/p1.png"> <button class="next" data-href="/shop/2">Next</button>`,
		"/shop/2": `<img src="/img/p2.png"> <button class="next" data-href="/shop/3">Next</button>`,
		"/shop/3": `<img src="/img/p3.png">`,
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if html, ok := pages[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, html)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".png") {
			c := crc32.ChecksumIEEE([]byte(r.URL.Path))
			img := image.NewNRGBA(image.Rect(0, 0, 1, 1))
			img.Set(0, 0, color.NRGBA{byte(c), byte(c >> 8), byte(c >> 16), 255})
			w.Header().Set("Content-Type", "image/png")
			png.Encode(w, img)
			return
		}
		http.NotFound(w, r)
	}))
}

// run crawls cfg into a temporary folder and returns the images saved, by
// path, sorted.
func run(cfg crawler.Config) []string {
	out, err := os.MkdirTemp("", "imgcrawl-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(out)
	cfg.Out, cfg.Manifest = out, "-"
	var mu sync.Mutex
	var saved []string
	cfg.OnEvent = func(ev crawler.Event) {
		if ev.Kind == crawler.KindImage && ev.Status == crawler.Saved {
			mu.Lock()
			saved = append(saved, ev.Path[strings.Index(ev.Path, "/"):]) // without the host folder
			mu.Unlock()
		}
	}
	c, err := crawler.New(cfg)
	if err != nil {
		panic(err)
	}
	if _, err := c.Run(context.Background()); err != nil {
		panic(err)
	}
	slices.Sort(saved)
	return saved
}

// A filter skips URLs before they are queued: here the ads, and every
// page but the home page and the about page. colly: a URLFilters or
// DisallowedURLFilters entry.
func ExampleHooks_filter() {
	site := shop()
	defer site.Close()
	saved := run(crawler.Config{
		Seeds: []string{site.URL + "/"},
		Hooks: crawler.Hooks{Filter: func(l crawler.Link) bool {
			if l.Kind == crawler.KindPage {
				return l.URL.Path == "/about"
			}
			return !strings.HasPrefix(l.URL.Path, "/ads/")
		}},
	})
	fmt.Println(strings.Join(saved, "\n"))
	// Output:
	// /img/logo.png
	// /img/team.png
}

// An HTML hook reads what the crawl does not: the catalogue's "Next"
// buttons are not links, so the hook reports their targets as pages to
// follow. colly: OnHTML("button.next", ...) with e.Request.Visit.
func ExampleHTMLHook() {
	site := shop()
	defer site.Close()
	saved := run(crawler.Config{
		Seeds: []string{site.URL + "/shop/1"},
		Depth: 5,
		Hooks: crawler.Hooks{HTML: []crawler.HTMLHook{{
			Selector: "button.next[data-href]",
			Func: func(ctx context.Context, e *crawler.Element) {
				href, _ := e.Attr("data-href")
				e.AddPage(href)
			},
		}}},
	})
	fmt.Println(strings.Join(saved, "\n"))
	// Output:
	// /img/p1.png
	// /img/p2.png
	// /img/p3.png
}

// memorySink keeps images in memory: a Sink receives each kept image once,
// complete, with its name, size and sniffed type.
type memorySink struct {
	mu   sync.Mutex
	objs map[string]store.Object
	data map[string][]byte
}

func (s *memorySink) Put(ctx context.Context, obj store.Object, r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err // nothing stored: never a partial object
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objs[obj.Name], s.data[obj.Name] = obj, b
	return nil
}

// A Sink puts the images somewhere other than the folder Out (package
// store/s3 has one for S3-compatible object storage). colly has none: its
// OnResponse would save the body itself.
func ExampleConfig_sink() {
	site := shop()
	defer site.Close()
	sink := &memorySink{objs: map[string]store.Object{}, data: map[string][]byte{}}
	run(crawler.Config{Seeds: []string{site.URL + "/"}, Sink: sink, Depth: crawler.SeedsOnly})
	for _, name := range slices.Sorted(maps.Keys(sink.objs)) {
		obj := sink.objs[name]
		fmt.Printf("%s: %s, complete: %v\n", strings.TrimPrefix(name, hostFolder(site.URL)), obj.ContentType,
			int64(len(sink.data[name])) == obj.Size)
	}
	// Output:
	// /ads/banner.png: image/png, complete: true
	// /img/logo.png: image/png, complete: true
}

// hostFolder is the mirror layout's folder for the host of base.
func hostFolder(base string) string {
	return strings.ReplaceAll(strings.TrimPrefix(base, "http://"), ":", "_")
}

// Events can be read from a channel by another goroutine: OnEvent runs on
// the crawl's one collector goroutine and must not block for long, so the
// channel is read while Run runs, and closed when it returns.
func ExampleConfig_OnEvent() {
	site := shop()
	defer site.Close()
	out, _ := os.MkdirTemp("", "imgcrawl-example-")
	defer os.RemoveAll(out)
	events := make(chan crawler.Event, 64)
	c, err := crawler.New(crawler.Config{
		Seeds: []string{site.URL + "/", site.URL + "/missing"}, Depth: crawler.SeedsOnly, Out: out,
		OnEvent: func(ev crawler.Event) { events <- ev },
	})
	if err != nil {
		panic(err)
	}
	go func() {
		defer close(events)
		c.Run(context.Background())
	}()
	var lines []string
	for ev := range events {
		lines = append(lines, fmt.Sprintf("%-5s %-7s %s", ev.Kind, ev.Status, strings.TrimPrefix(ev.URL, site.URL)))
	}
	slices.Sort(lines)
	fmt.Println(strings.Join(lines, "\n"))
	// Output:
	// image saved   /ads/banner.png
	// image saved   /img/logo.png
	// page  failed  /missing
	// page  parsed  /
}
