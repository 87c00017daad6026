package crawler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// hookSite serves pages (path -> HTML) and, under /img/N.png, a PNG that
// differs for each N. An image request without the header X-Token: yes
// is refused with 403 when tokens is set.
func hookSite(t *testing.T, pages map[string]string, tokens bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if html, ok := pages[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, html)
			return
		}
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/img/%d.png", &n); err == nil {
			if tokens && r.Header.Get("X-Token") != "yes" {
				http.Error(w, "no token", http.StatusForbidden)
				return
			}
			if n >= 100 {
				w.Header().Set("X-Private", "1")
			}
			w.Header().Set("Content-Type", "image/png")
			w.Write(tinyPNG(t, n))
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// hookLog collects a crawl's events, safe for the collector goroutine.
type hookLog struct {
	mu  sync.Mutex
	evs []Event
}

func (l *hookLog) on(ev Event) { l.mu.Lock(); l.evs = append(l.evs, ev); l.mu.Unlock() }

// find returns the event whose URL ends in suffix.
func (l *hookLog) find(suffix string) (Event, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ev := range l.evs {
		if strings.HasSuffix(ev.URL, suffix) {
			return ev, true
		}
	}
	return Event{}, false
}

func hookConfig(srv *httptest.Server, t *testing.T, log *hookLog, h Hooks) Config {
	return Config{Seeds: []string{srv.URL + "/"}, Out: t.TempDir(), Manifest: "-", Retries: NoRetries,
		OnEvent: log.on, Hooks: h}
}

func TestFilterSeesEachLinkAndSkipsWhatItRefuses(t *testing.T) {
	srv := hookSite(t, map[string]string{
		"/":          `<a href="/a">a</a> <a href="/private/b">b</a> <img src="/img/1.png"> <img src="/img/2.png">`,
		"/a":         `<img src="/img/3.png">`,
		"/private/b": `<img src="/img/4.png">`,
	}, false)
	var mu sync.Mutex
	var seen []string
	log := &hookLog{}
	sum := runOnce(t, hookConfig(srv, t, log, Hooks{Filter: func(l Link) bool {
		mu.Lock()
		seen = append(seen, fmt.Sprintf("%s %s %d %s", l.Kind, l.URL.Path, l.Depth, strings.TrimPrefix(l.Page, srv.URL)))
		mu.Unlock()
		return !strings.HasPrefix(l.URL.Path, "/private/") && l.URL.Path != "/img/2.png"
	}}))
	slices.Sort(seen)
	want := []string{"image /img/1.png 0 /", "image /img/2.png 0 /", "image /img/3.png 1 /a", "page /a 1 /", "page /private/b 1 /"}
	if !slices.Equal(seen, want) {
		t.Errorf("the filter saw\n%q\nwant\n%q", seen, want)
	}
	if sum.Pages != 2 || sum.Images != 2 || sum.Failed != 0 || sum.Skipped != 0 {
		t.Errorf("summary %+v; want 2 pages, 2 images, nothing failed or skipped", sum)
	}
	if _, ok := log.find("/private/b"); ok {
		t.Error("a refused page has an event: it was crawled")
	}
}

func TestFilterRefusingEverythingLeavesTheSeeds(t *testing.T) {
	srv := hookSite(t, map[string]string{"/": `<a href="/a">a</a> <img src="/img/1.png">`, "/a": `x`}, false)
	sum := runOnce(t, hookConfig(srv, t, &hookLog{}, Hooks{Filter: func(Link) bool { return false }}))
	if sum.Pages != 1 || sum.Images != 0 || sum.Failed+sum.Skipped != 0 {
		t.Errorf("summary %+v; want the seed page alone", sum)
	}
}

func TestFilterRefusingARedirectTargetSkipsTheRedirect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<a href="/moved">m</a>`)
		case "/moved":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case "/elsewhere":
			t.Errorf("%s requested", r.URL.Path)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	log := &hookLog{}
	runOnce(t, hookConfig(srv, t, log, Hooks{Filter: func(l Link) bool { return l.URL.Path != "/elsewhere" }}))
	ev, ok := log.find("/moved")
	if !ok || ev.Status != Skipped || !errors.Is(ev.Err, ErrFiltered) {
		t.Errorf("redirect event %+v (found %v); want Skipped with ErrFiltered", ev, ok)
	}
}

func TestOnRequestAddsHeadersPerHost(t *testing.T) {
	srv := hookSite(t, map[string]string{"/": `<img src="/img/1.png"><img src="/img/2.png">`}, true)
	host := strings.TrimPrefix(srv.URL, "http://")
	sum := runOnce(t, hookConfig(srv, t, &hookLog{}, Hooks{OnRequest: func(_ context.Context, r *Request) error {
		if r.URL.Host == host && r.Kind == KindImage {
			r.Header.Set("X-Token", "yes")
		}
		return nil
	}}))
	if sum.Images != 2 || sum.Failed != 0 {
		t.Errorf("summary %+v; want both images saved with the hook's header", sum)
	}
}

func TestOnRequestSkipOrErrorEndsTheURLUnrequested(t *testing.T) {
	srv := hookSite(t, map[string]string{"/": `<img src="/img/1.png"><img src="/img/2.png">`}, false)
	log := &hookLog{}
	sum := runOnce(t, hookConfig(srv, t, log, Hooks{OnRequest: func(_ context.Context, r *Request) error {
		switch r.URL.Path {
		case "/img/1.png":
			return fmt.Errorf("not this one: %w", ErrSkip)
		case "/img/2.png":
			return errors.New("quota exceeded")
		}
		return nil
	}}))
	if sum.Images != 0 || sum.Skipped != 1 || sum.Failed != 1 {
		t.Errorf("summary %+v; want one skipped, one failed", sum)
	}
	if ev, _ := log.find("/img/2.png"); ev.Err == nil || !strings.Contains(ev.Err.Error(), "request hook: quota exceeded") {
		t.Errorf("failed image's error = %v", ev.Err)
	}
}

func TestOnRequestSkippingEverythingEndsCleanly(t *testing.T) {
	srv := hookSite(t, map[string]string{"/": `<img src="/img/1.png">`}, false)
	sum := runOnce(t, hookConfig(srv, t, &hookLog{}, Hooks{OnRequest: func(context.Context, *Request) error {
		return ErrSkip
	}}))
	if sum.Pages != 0 || sum.Images != 0 || sum.Skipped != 1 || sum.Failed != 0 {
		t.Errorf("summary %+v; want the seed skipped, nothing else", sum)
	}
}

func TestOnResponseJudgesHeaders(t *testing.T) {
	srv := hookSite(t, map[string]string{"/": `<img src="/img/1.png"><img src="/img/100.png">`}, false)
	var mu sync.Mutex
	codes := map[string]int{}
	sum := runOnce(t, hookConfig(srv, t, &hookLog{}, Hooks{OnResponse: func(_ context.Context, r *Response) error {
		mu.Lock()
		codes[r.Request.URL.Path] = r.StatusCode
		mu.Unlock()
		if r.Header.Get("X-Private") != "" {
			return ErrSkip
		}
		return nil
	}}))
	if sum.Images != 1 || sum.Skipped != 1 {
		t.Errorf("summary %+v; want one image saved, the private one skipped", sum)
	}
	if codes["/"] != 200 || codes["/img/1.png"] != 200 || codes["/img/100.png"] != 200 {
		t.Errorf("the hook saw %v", codes)
	}
}

// TestHTMLHookFollowsNextButtons: the pages chain by <button data-next>,
// which the crawl does not read; a selector hook reports them, and the
// images of <div data-full>.
func TestHTMLHookFollowsNextButtons(t *testing.T) {
	pages := map[string]string{}
	for i := range 4 {
		pages[fmt.Sprintf("/list/%d", i)] = fmt.Sprintf(
			`<base href="/list/"><div class="photo" data-full="/img/%d.png">photo</div><button class="next" data-next="%d">next</button>`, i, i+1)
	}
	srv := hookSite(t, pages, false)
	var mu sync.Mutex
	var texts []string
	cfg := hookConfig(srv, t, &hookLog{}, Hooks{HTML: []HTMLHook{
		{Selector: "button.next[data-next]", Func: func(_ context.Context, e *Element) {
			next, _ := e.Attr("data-next")
			if err := e.AddPage(next); err != nil {
				t.Error(err)
			}
			if err := e.AddPage("javascript:next()"); err == nil {
				t.Error("AddPage took a javascript: URL")
			}
			if u, err := e.Resolve("x.png"); err != nil || u.Path != "/list/x.png" {
				t.Errorf("Resolve against <base href> = %v, %v", u, err)
			}
			mu.Lock()
			texts = append(texts, fmt.Sprintf("%s@%d", e.Text(), e.Depth()))
			mu.Unlock()
		}},
		{Selector: "div.photo", Func: func(_ context.Context, e *Element) {
			full, _ := e.Attr("data-full")
			e.AddImage(full)
		}},
	}})
	cfg.Seeds, cfg.Depth = []string{srv.URL + "/list/0"}, 10
	sum := runOnce(t, cfg)
	if sum.Pages != 4 || sum.Images != 4 || sum.Failed != 1 { // /list/4 is a 404
		t.Errorf("summary %+v; want 4 pages, 4 images, 1 failed", sum)
	}
	slices.Sort(texts)
	if want := []string{"next@0", "next@1", "next@2", "next@3"}; !slices.Equal(texts, want) {
		t.Errorf("the hook read %q, want %q", texts, want)
	}
}

func TestBadSelectorIsAConfigError(t *testing.T) {
	for _, h := range []HTMLHook{
		{Selector: "div[", Func: func(context.Context, *Element) {}},
		{Selector: "div"},
	} {
		_, err := New(Config{Seeds: []string{"http://127.0.0.1/"}, Out: t.TempDir(), Hooks: Hooks{HTML: []HTMLHook{h}}})
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != "hooks" {
			t.Errorf("New with %q = %v, want a ConfigError on hooks", h.Selector, err)
		}
	}
}

// TestPanickingHookFailsOnlyItsURL: each hook panics on one URL; that URL
// fails with a *HookPanic, the crawl goes on and ends without error.
func TestPanickingHookFailsOnlyItsURL(t *testing.T) {
	srv := hookSite(t, map[string]string{
		"/":  `<a href="/a">a</a> <a href="/b">b</a> <a href="/c">c</a> <img src="/img/1.png"> <img src="/img/2.png">`,
		"/a": `<p>boom</p> <img src="/img/3.png">`,
		"/b": `<img src="/img/4.png">`,
		"/c": `<img src="/img/5.png">`,
	}, false)
	log := &hookLog{}
	sum := runOnce(t, hookConfig(srv, t, log, Hooks{
		Filter: func(l Link) bool {
			if l.URL.Path == "/img/4.png" {
				panic("filter")
			}
			return true
		},
		OnRequest: func(_ context.Context, r *Request) error {
			if r.URL.Path == "/img/2.png" {
				panic("request")
			}
			return nil
		},
		OnResponse: func(_ context.Context, r *Response) error {
			if r.Request.URL.Path == "/c" {
				panic("response")
			}
			return nil
		},
		HTML: []HTMLHook{{Selector: "p", Func: func(context.Context, *Element) { panic("html") }}},
	}))
	for path, hook := range map[string]string{"/a": "html p", "/b": "filter", "/c": "response", "/img/2.png": "request"} {
		ev, _ := log.find(path)
		var hp *HookPanic
		if ev.Status != Failed || !errors.As(ev.Err, &hp) || hp.Hook != hook || hp.Value != strings.Fields(hook)[0] {
			t.Errorf("%s: event %v %v; want Failed by a panic of the %s hook", path, ev.Status, ev.Err, hook)
		}
	}
	if sum.Pages != 1 || sum.Images != 1 || sum.Failed != 4 {
		t.Errorf("summary %+v; want the seed and /img/1.png done, 4 failed", sum)
	}
}

// TestBlockingHookEndsWithTheCrawl: a request hook that blocks until its
// ctx ends holds its workers; cancelling Run's ctx ends them, and Run
// returns promptly (goleak checks no goroutine is left).
func TestBlockingHookEndsWithTheCrawl(t *testing.T) {
	srv := hookSite(t, map[string]string{"/": `<img src="/img/1.png"><img src="/img/2.png">`}, false)
	entered := make(chan struct{}, 3)
	cfg := hookConfig(srv, t, &hookLog{}, Hooks{OnRequest: func(ctx context.Context, r *Request) error {
		if r.Kind != KindImage {
			return nil
		}
		entered <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}})
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.Run(ctx); done <- err }()
	<-entered
	<-entered
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its ctx was cancelled")
	}
}

// TestTwoCrawlersInOneProcess: two crawls of two sites run at once, each
// with its own hooks, limits and output; each saves exactly its site's
// images (nothing is shared between Crawlers).
func TestTwoCrawlersInOneProcess(t *testing.T) {
	type crawl struct {
		site *testsite.Site
		base string
		out  string
		hits atomic.Int64
		sum  Summary
		err  error
	}
	var crawls [2]*crawl
	for i := range crawls {
		opt := testsite.DefaultOptions()
		opt.Seed, opt.Pages = int64(i+1), 30
		site := testsite.New(opt)
		base, stop := site.Start()
		t.Cleanup(stop)
		crawls[i] = &crawl{site: site, base: base, out: t.TempDir()}
	}
	var wg sync.WaitGroup
	for i, cr := range crawls {
		c, err := New(Config{Seeds: []string{cr.base + "/"}, Out: cr.out, Concurrency: 2 + 2*i, PerHost: 1 + i,
			Hooks: Hooks{OnRequest: func(context.Context, *Request) error { cr.hits.Add(1); return nil }}})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { cr.sum, cr.err = c.Run(context.Background()) })
	}
	wg.Wait()
	for i, cr := range crawls {
		if cr.err != nil {
			t.Fatalf("crawl %d: %v", i, cr.err)
		}
		want := map[string]bool{}
		for _, e := range cr.site.Expected(DefaultDepth) {
			want[e.SHA256] = true
		}
		got := map[string]bool{}
		for _, sha := range savedFiles(t, cr.out) {
			got[sha] = true
		}
		if !maps.Equal(got, want) {
			t.Errorf("crawl %d saved %d distinct images, want the %d of its site", i, len(got), len(want))
		}
		if int(cr.sum.Images) != len(want) {
			t.Errorf("crawl %d: summary says %d images, want %d", i, cr.sum.Images, len(want))
		}
		if n := cr.hits.Load(); n == 0 || n > int64(len(cr.site.Requests())) {
			t.Errorf("crawl %d: its hook saw %d requests, its site %d", i, n, len(cr.site.Requests()))
		}
	}
}

// TestFilterIsAskedAboutSitemapEntries: what sitemaps list passes the
// filter too; a filter that panics on one entry fails that entry alone.
func TestFilterIsAskedAboutSitemapEntries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/sitemap.xml":
			fmt.Fprint(w, `<urlset><url><loc>/kept</loc></url><url><loc>/refused</loc></url><url><loc>/boom</loc></url></urlset>`)
		case "/", "/kept", "/refused", "/boom":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<p>page</p>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	log := &hookLog{}
	cfg := hookConfig(srv, t, log, Hooks{Filter: func(l Link) bool {
		if l.URL.Path == "/boom" {
			panic("boom")
		}
		return l.URL.Path != "/refused"
	}})
	cfg.Sitemaps = true
	sum := runOnce(t, cfg)
	if sum.Pages != 2 || sum.Failed != 1 {
		t.Errorf("summary %+v; want / and /kept parsed, /boom failed", sum)
	}
	if _, ok := log.find("/refused"); ok {
		t.Error("the refused sitemap entry was crawled")
	}
	var hp *HookPanic
	if ev, _ := log.find("/boom"); !errors.As(ev.Err, &hp) {
		t.Errorf("/boom: %v, want a HookPanic", ev.Err)
	}
}
