package crawler

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// pagesAndPNGs serves the HTML pages by path, a small PNG for any other
// path ending in .png, and 404 for the rest, counting every request.
func pagesAndPNGs(t *testing.T, hits *hitCounter, pages map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.add(r.URL.Path)
		if body, ok := pages[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, body)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".png") {
			w.Header().Set("Content-Type", "image/png")
			h := fnv.New32a()
			h.Write([]byte(r.URL.Path))
			w.Write(tinyPNG(t, int(h.Sum32()^h.Sum32()>>16))) // different bytes per path
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestMetaRefreshIsFollowedLikeARedirect: a page's meta refresh is
// followed at the page's depth, not one deeper, named by the page, within
// MaxRedirects hops, in scope, and once.
func TestMetaRefreshIsFollowedLikeARedirect(t *testing.T) {
	var hits hitCounter
	refresh := func(to, rest string) string {
		return fmt.Sprintf(`<html><head><META HTTP-EQUIV="Refresh" CONTENT="3;URL='%s'"></head><body>%s</body></html>`, to, rest)
	}
	srv := pagesAndPNGs(t, &hits, map[string]string{
		"/":         refresh("/home", `<img src="/seed.png"><a href="/linked">x</a>`),
		"/home":     refresh("/", `<img src="/home.png">`), // back: seen, not requested again
		"/linked":   `<img src="/linked.png">`,
		"/chain/0":  refresh("/chain/1", ""),
		"/chain/1":  refresh("/chain/2", ""),
		"/chain/2":  refresh("/chain/3", `<img src="/chain2.png">`),
		"/chain/3":  `<img src="/chain3.png">`,
		"/out":      refresh("/excluded", ""),
		"/excluded": `<img src="/excluded.png">`,
	})
	var events eventLog
	sum := runOnce(t, Config{Retries: NoRetries, Seeds: []string{srv.URL + "/", srv.URL + "/chain/0", srv.URL + "/out"}, Depth: SeedsOnly,
		Out: t.TempDir(), Manifest: "-", MaxRedirects: 2, Exclude: []string{"excluded"}, OnEvent: events.on})

	for path, want := range map[string]int{
		"/": 1, "/home": 1, "/seed.png": 1, "/home.png": 1, "/linked": 0, // depth 0: the link is not followed
		"/chain/1": 1, "/chain/2": 1, "/chain/3": 0, "/chain2.png": 1, // two hops allowed
		"/excluded": 0, // out of scope, as a redirect would be
	} {
		if got := hits.get(path); got != want {
			t.Errorf("%s requested %d times, want %d", path, got, want)
		}
	}
	ev, ok := events.get(srv.URL + "/home")
	if !ok || ev.Status != Parsed || ev.Depth != 0 || ev.Page != srv.URL+"/" {
		t.Errorf("/home: %+v (found %v); want parsed at depth 0, named by the seed", ev, ok)
	}
	if ev, _ := events.get(srv.URL + "/"); ev.Status != Parsed {
		t.Errorf("the refreshing seed: %+v, want parsed", ev)
	}
	if sum.Pages != 6 || sum.Images != 3 || sum.Seeds != 3 || sum.Failed != 0 {
		t.Errorf("summary %+v: want 6 pages, 3 images, 3 seeds, none failed", sum)
	}
}

// TestSrcsetLargestRequestsOnlyTheLargest: with SrcsetLargest, of each
// srcset and <picture> only the largest candidate is requested; an image
// named on its own, or also outside its group, still is.
func TestSrcsetLargestRequestsOnlyTheLargest(t *testing.T) {
	const page = `<img src="/s.png" srcset="/w480.png 480w, /w960.png 960w, /w720.png 720w">
<picture><source srcset="/p1.png 1x, /p2.png 2x" type="image/webp"><img src="/p0.png"></picture>
<img src="/placeholder.png" data-src="/lazy.png">
<div data-bgset="/bg1.png 100w | /bg2.png [--wide] 200w"></div>
<img src="/solo.png"><img srcset="/x1.png 1x, /x2.png 2x"><a href="/x1.png">also linked</a>`
	all := []string{"/s.png", "/w480.png", "/w960.png", "/w720.png", "/p1.png", "/p2.png", "/p0.png",
		"/placeholder.png", "/lazy.png", "/bg1.png", "/bg2.png", "/solo.png", "/x1.png", "/x2.png"}
	largest := []string{"/w960.png", "/p2.png", "/lazy.png", "/bg2.png", "/solo.png", "/x1.png", "/x2.png"}
	var hits hitCounter
	srv := pagesAndPNGs(t, &hits, map[string]string{"/": page})
	for _, tc := range []struct {
		srcset Srcset
		want   []string
	}{{"", all}, {SrcsetAll, all}, {SrcsetLargest, largest}} {
		t.Run(cmp.Or(string(tc.srcset), "zero value"), func(t *testing.T) {
			hits.reset()
			sum := runOnce(t, Config{Depth: SeedsOnly, Retries: NoRetries, Seeds: []string{srv.URL + "/"}, Out: t.TempDir(), Manifest: "-", Srcset: tc.srcset})
			for _, p := range all {
				want := 0
				if slices.Contains(tc.want, p) {
					want = 1
				}
				if got := hits.get(p); got != want {
					t.Errorf("%s requested %d times, want %d", p, got, want)
				}
			}
			if sum.Images != int64(len(tc.want)) {
				t.Errorf("%d images saved, want %d", sum.Images, len(tc.want))
			}
		})
	}
}
