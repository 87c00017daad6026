package render

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestIsTracker(t *testing.T) {
	for host, want := range map[string]bool{
		"www.google-analytics.com":  true,
		"google-analytics.com":      true,
		"googletagmanager.com.":     true,
		"stats.g.doubleclick.net":   true,
		"example.com":               false,
		"notgoogle-analytics.com":   false,
		"google-analytics.com.evil": false,
		"":                          false,
	} {
		if got := isTracker(host); got != want {
			t.Errorf("isTracker(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestRenderRefusesFontsMediaTrackersAndPosts renders a page that asks for
// a font, a video, a tracker's script and a POST: none reaches the Loader
// or the server, and the page still renders.
func TestRenderRefusesFontsMediaTrackersAndPosts(t *testing.T) {
	var mu sync.Mutex
	var hits, loads []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits = append(hits, r.Method+" "+r.URL.Path)
		mu.Unlock()
		if r.URL.Path == "/ok.js" {
			w.Header().Set("Content-Type", "text/javascript")
			w.Write([]byte(`document.body.dataset.ran = 'yes';`))
		}
	}))
	defer srv.Close()
	load := func(ctx context.Context, r Request) (Response, error) {
		mu.Lock()
		loads = append(loads, r.URL)
		mu.Unlock()
		return httpLoader(ctx, r)
	}
	r := newTestRenderer(t, load)
	res := render(t, r, srv.URL, "/", `<html><head><style>
@font-face { font-family: F; src: url(/font.woff2) format("woff2"); }
body { font-family: F; }
</style>
<script src="https://www.google-analytics.com/analytics.js"></script>
</head><body>text<video src="/movie.mp4" autoplay muted></video><audio src="/song.mp3" autoplay></audio>
<script src="/ok.js"></script>
<script>fetch('/post', {method: 'POST', body: 'x'}).catch(() => {});</script>
</body></html>`)
	mu.Lock()
	defer mu.Unlock()
	if len(hits) != 1 || hits[0] != "GET /ok.js" {
		t.Errorf("the server got %q, want only GET /ok.js", hits)
	}
	for _, u := range loads {
		if !strings.HasSuffix(u, "/ok.js") {
			t.Errorf("the Loader was asked for %s", u)
		}
	}
	if !strings.Contains(string(res.HTML), `data-ran="yes"`) || res.Blocked < 4 {
		t.Errorf("blocked %d; the allowed script did not run, or too little was refused:\n%s", res.Blocked, res.HTML)
	}
}
