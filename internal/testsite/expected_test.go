package testsite

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"testing"
)

func TestCrawlMatchesExpected(t *testing.T) {
	tests := []struct {
		name   string
		opt    Options
		depths []int
	}{
		{"default", DefaultOptions(), []int{0, 1, 2, 3, -1}},
		{"no features", Options{Pages: 40}, []int{1, -1}},
		{"tree only", Options{Pages: 100, LinksPerPage: -1, ImagesPerPage: 2, Features: true}, []int{2, -1}},
		{"one page", Options{Pages: 1, Features: true}, []int{0, 1, -1}},
		{"dense", Options{Pages: 150, LinksPerPage: 8, ImagesPerPage: 3, DistinctImages: 20, Seed: 7,
			ImageBytes: 500, Features: true}, []int{1, 2, -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.opt)
			base, stop := s.Start()
			defer stop()
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			for _, d := range tt.depths {
				t.Run("depth "+strconv.Itoa(d), func(t *testing.T) {
					s.ResetRequests()
					got := crawlRef(t, client, base, d)
					compareCrawl(t, s, got, d)
					if n := s.Requests()["/private/secret.html"]; n != 0 {
						t.Errorf("/private/secret.html requested %d times", n)
					}
				})
			}
		})
	}
}

func TestExpectedRootByHand(t *testing.T) {
	// With one page every feature block sits on "/"; without generic images
	// the root's images are exactly the feature references there, minus
	// data: URIs, the 404, the HTML posing as a JPEG and /private/hidden.png.
	s := New(Options{Pages: 1, ImagesPerPage: -1, Features: true})
	root := [][]string{
		{"/img/og.jpg"}, {"/img/twitter.png"}, {"/img/x1.png"}, {"/img/x2.png"},
		{"/img/a/photo.png"}, {"/img.php?id=7,8"}, {"/img/w800.jpg"},
		{"/img/lazy-src.png"}, {"/img/lazy-set-1x.png"}, {"/img/lazy-set-2x.jpg"}, {"/img/lazy.gif"},
		{"/img/image-src.gif"}, {"/img/source.png"}, {"/img/fallback.jpg"}, {"/img/button.gif"},
		{"/img/bg-block.png"}, {"/img/bg-inline.jpg"}, {"/p/sub/pic.gif"},
		{"/dup/1.png", "/dup/2.png"}, {"/img/b/photo.png"}, {"/private/open.png"},
		{"/img.php?id=3&size=l"}, {"/img/~tilde.png"},
	}
	depth1 := [][]string{
		{"/p/sub/img/leaf.jpg"}, {"/img/caf%C3%A9.png"}, {"/img/area.png"}, {"/img/frame.gif"},
	}
	pages1 := map[string]int{"/": 0, "/p/list?a=1&b=2": 1, "/p/sub/leaf.html": 1,
		"/p/latin1.html": 1, "/p/area.html": 1, "/p/frame.html": 1}
	tests := []struct {
		name     string
		maxDepth int
		want     [][]string
		pages    map[string]int
	}{
		{"depth 0", 0, root, map[string]int{"/": 0}},
		{"depth 1", 1, append(slices.Clone(root), depth1...), pages1},
		{"no limit", -1, append(slices.Clone(root), depth1...), pages1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Expected(tt.maxDepth)
			var gotPaths [][]string
			for _, e := range got {
				gotPaths = append(gotPaths, e.Paths)
				wantDepth := 0
				if slices.ContainsFunc(depth1, func(p []string) bool { return slices.Equal(p, e.Paths) }) {
					wantDepth = 1
				}
				if e.Depth != wantDepth {
					t.Errorf("%v at depth %d, want %d", e.Paths, e.Depth, wantDepth)
				}
			}
			cmp := func(a, b []string) int { return slices.Compare(a, b) }
			want := slices.Clone(tt.want)
			slices.SortFunc(want, cmp)
			slices.SortFunc(gotPaths, cmp)
			if !slices.EqualFunc(gotPaths, want, slices.Equal) {
				t.Errorf("Expected(%d) paths\n got %q\nwant %q", tt.maxDepth, gotPaths, want)
			}
			if pages := s.ExpectedPages(tt.maxDepth); !maps.Equal(pages, tt.pages) {
				t.Errorf("ExpectedPages(%d) = %v, want %v", tt.maxDepth, pages, tt.pages)
			}
		})
	}
}

func TestExpectedPagesBFS(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
	}{
		{"default", DefaultOptions()},
		{"sparse", Options{Pages: 300, LinksPerPage: 1, ImagesPerPage: -1, Seed: 3, Features: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.opt)
			base, stop := s.Start()
			defer stop()
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			crawl := crawlRef(t, &http.Client{Transport: tr}, base, -1)
			pages := s.ExpectedPages(-1)
			if pages["/"] != 0 {
				t.Fatalf("root at depth %d", pages["/"])
			}
			// depth(p) = 1 + min depth of a fetched page linking to p.
			best := map[string]int{}
			for q, targets := range crawl.links {
				for _, p := range targets {
					if d, ok := best[p]; !ok || pages[q]+1 < d {
						best[p] = pages[q] + 1
					}
				}
			}
			shortcut := false
			for p, d := range pages {
				if p == "/" {
					continue
				}
				if b, ok := best[p]; !ok || b != d {
					t.Errorf("%s: depth %d, but 1 + least depth of its linkers is %d (linked: %v)", p, d, b, ok)
				}
				if n, ok := pageNumber(p); ok && d < treeDepth(n) {
					shortcut = true
				}
			}
			if !shortcut && tt.opt.LinksPerPage > 0 {
				t.Error("no page is reached sooner than its tree depth: random links have no effect")
			}
		})
	}
}

func pageNumber(path string) (int, bool) {
	var n int
	if _, err := fmt.Sscanf(path, "/p/%d.html", &n); err != nil {
		return 0, false
	}
	return n, true
}

func treeDepth(n int) int {
	d := 0
	for ; n > 0; n = (n - 1) / treeBranching {
		d++
	}
	return d
}
