package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// plan is what one workload fetches, computed from the same deterministic
// site the server process serves.
type plan struct {
	urls     []string        // every request, robots.txt first: the baseline's list
	pages    int             // pages among urls
	images   int             // image URLs among urls
	wantSums map[string]bool // distinct image contents a correct run saves
	getURLs  []string        // modeGet and modeLarge: the URLs given to imgcrawl get
	tinyURL  string          // modeLarge: a small image for the reference get
	bytes    int64           // bytes of all bodies (set from the first baseline run)
}

// makePlan computes the plan of w for a server at base.
func makePlan(w workload, base string) plan {
	site := testsite.New(w.site)
	p := plan{urls: []string{base + "/robots.txt"}, wantSums: map[string]bool{}}
	switch w.mode {
	case modeCrawl:
		pages := site.ExpectedPages(w.depth)
		keys := make([]string, 0, len(pages))
		for k := range pages {
			keys = append(keys, k)
		}
		// Breadth-first order, as a crawler discovers them.
		slices.SortFunc(keys, func(a, b string) int {
			if pages[a] != pages[b] {
				return pages[a] - pages[b]
			}
			return strings.Compare(a, b)
		})
		for _, k := range keys {
			p.urls = append(p.urls, base+k)
		}
		p.pages = len(keys)
		seen := map[string]bool{}
		for _, e := range site.Expected(w.depth) {
			p.wantSums[e.SHA256] = true
			for _, path := range e.Paths {
				if !seen[path] {
					seen[path] = true
					p.urls = append(p.urls, base+path)
				}
			}
		}
		p.images = len(seen)
	case modeGet:
		for _, ref := range site.ImageList() {
			if len(p.getURLs) == w.get {
				break
			}
			if ref.Disallowed {
				continue
			}
			p.getURLs = append(p.getURLs, base+ref.Path)
			p.wantSums[ref.SHA256] = true
		}
		p.urls = append(p.urls, p.getURLs...)
		p.images = len(p.getURLs)
	case modeLarge:
		p.getURLs = []string{base + testsite.LargeImagePath}
		p.urls = append(p.urls, p.getURLs...)
		p.images = 1
		list := site.ImageList()
		p.tinyURL = base + list[0].Path
	}
	return p
}

// writeLines writes lines, one per line, to a new file dir/name and returns
// its path.
func writeLines(dir, name string, lines []string) (string, error) {
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("bench: write %s: %w", path, err)
	}
	return path, nil
}
