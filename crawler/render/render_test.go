package render

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// newTestRenderer makes a Renderer with short waits, closed at cleanup.
func newTestRenderer(t *testing.T, load Loader) *Renderer {
	t.Helper()
	needBrowser(t)
	if load == nil {
		load = httpLoader
	}
	r, err := New(Config{Load: load, Quiet: 200 * time.Millisecond, QuietMax: 3 * time.Second,
		ScrollBudget: 10 * time.Second, PageTimeout: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// render renders the page the server mux serves at path.
func render(t *testing.T, r *Renderer, base, path, body string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := r.Render(ctx, Page{URL: base + path, ContentType: "text/html; charset=utf-8", Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRenderScriptInsertedImage(t *testing.T) {
	mux := http.NewServeMux()
	var pageHits int
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { pageHits++; t.Logf("hit %s", r.URL) })
	mux.HandleFunc("/app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, `const i = document.createElement('img'); i.src = '/pics/a.png'; document.body.appendChild(i);
			const d = document.createElement('div'); d.style.backgroundImage = 'url(/pics/bg.jpg)'; d.style.height = '10px';
			document.body.appendChild(d);`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	r := newTestRenderer(t, nil)
	res := render(t, r, srv.URL, "/page.html", `<!doctype html><html><body><p>hi</p><script src="/app.js"></script></body></html>`)
	if !strings.Contains(string(res.HTML), `src="/pics/a.png"`) {
		t.Errorf("rendered DOM lacks the inserted image:\n%s", res.HTML)
	}
	if !slices.Contains(res.Images, srv.URL+"/pics/a.png") {
		t.Errorf("images asked for: %q", res.Images)
	}
	if !slices.Contains(res.Backgrounds, srv.URL+"/pics/bg.jpg") {
		t.Errorf("backgrounds: %q", res.Backgrounds)
	}
	if pageHits != 0 {
		t.Errorf("the page was fetched %d times by the browser; it must be given the document", pageHits)
	}
	if res.URL != srv.URL+"/page.html" || res.Tries != 1 {
		t.Errorf("URL %q, tries %d", res.URL, res.Tries)
	}
}
