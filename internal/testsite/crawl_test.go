package testsite

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html/charset"
)

// refCrawl is the result of a reference crawl over HTTP, made without the
// site's model: it parses what the server sends, as a crawler would.
type refCrawl struct {
	pages  map[string]int            // fetched pages: normalized path -> depth
	links  map[string][]string       // page -> in-scope link targets (normalized)
	images map[string]*ExpectedImage // by SHA-256
}

type refCrawler struct {
	t        *testing.T
	client   *http.Client
	host     string
	rules    []robotsRule
	imgCache map[string]*ExpectedImage // normalized URL -> image, nil if not an image
}

// crawlRef crawls base from "/" to maxDepth (negative: no limit), obeying
// the imgcrawl group of robots.txt.
func crawlRef(t *testing.T, client *http.Client, base string, maxDepth int) refCrawl {
	t.Helper()
	root, err := url.Parse(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	c := &refCrawler{t: t, client: client, host: root.Host, imgCache: make(map[string]*ExpectedImage)}
	c.rules = parseRobotsRef(c.fetch(base + "/robots.txt").body)
	out := refCrawl{pages: map[string]int{}, links: map[string][]string{}, images: map[string]*ExpectedImage{}}
	type item struct {
		u     *url.URL
		depth int
	}
	queue := []item{{root, 0}}
	seen := map[string]bool{"/": true}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		res := c.fetch(it.u.String())
		if res.code != http.StatusOK || !strings.HasPrefix(res.ctype, "text/html") {
			continue
		}
		utf8Body, err := charset.NewReader(bytes.NewReader(res.body), res.ctype)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(utf8Body)
		if err != nil {
			t.Fatal(err)
		}
		page := NormalizeTarget(it.u.RequestURI())
		out.pages[page] = it.depth
		baseURL := it.u
		if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
			if b, err := it.u.Parse(href); err == nil {
				baseURL = b
			}
		}
		for _, raw := range extractLinks(doc) {
			u := c.resolve(baseURL, raw)
			if u == nil {
				continue
			}
			n := NormalizeTarget(u.RequestURI())
			out.links[page] = append(out.links[page], n)
			if (maxDepth < 0 || it.depth < maxDepth) && !seen[n] && !c.disallowed(n) {
				seen[n] = true
				queue = append(queue, item{u, it.depth + 1})
			}
		}
		for _, raw := range extractImages(doc) {
			u := c.resolve(baseURL, raw)
			if u == nil {
				continue
			}
			n := NormalizeTarget(u.RequestURI())
			if c.disallowed(n) {
				continue
			}
			img := c.image(u, n)
			if img == nil {
				continue
			}
			e := out.images[img.SHA256]
			if e == nil {
				e = &ExpectedImage{SHA256: img.SHA256, Depth: it.depth, Bytes: img.Bytes}
				out.images[img.SHA256] = e
			}
			e.Depth = min(e.Depth, it.depth)
			if !slices.Contains(e.Paths, n) {
				e.Paths = append(e.Paths, n)
				slices.Sort(e.Paths)
			}
		}
	}
	return out
}

type refResponse struct {
	code  int
	ctype string
	body  []byte
}

func (c *refCrawler) fetch(u string) refResponse {
	resp, err := c.client.Get(u)
	if err != nil {
		c.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("GET %s: %v", u, err)
	}
	return refResponse{resp.StatusCode, resp.Header.Get("Content-Type"), body}
}

// resolve resolves a reference; it returns nil for other schemes and hosts.
func (c *refCrawler) resolve(base *url.URL, raw string) *url.URL {
	u, err := base.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme != "http" || u.Host != c.host {
		return nil
	}
	u.Fragment = ""
	return u
}

// image fetches an image URL once; nil if it is not a decodable image.
func (c *refCrawler) image(u *url.URL, norm string) *ExpectedImage {
	if img, ok := c.imgCache[norm]; ok {
		return img
	}
	var img *ExpectedImage
	res := c.fetch(u.String())
	if res.code == http.StatusOK {
		if _, _, err := image.DecodeConfig(bytes.NewReader(res.body)); err == nil {
			sum := sha256.Sum256(res.body)
			img = &ExpectedImage{SHA256: hex.EncodeToString(sum[:]), Bytes: len(res.body)}
		}
	}
	c.imgCache[norm] = img
	return img
}

func (c *refCrawler) disallowed(path string) bool {
	best, allow := -1, true
	for _, r := range c.rules {
		if strings.HasPrefix(path, r.prefix) && (len(r.prefix) > best || len(r.prefix) == best && r.allow) {
			best, allow = len(r.prefix), r.allow
		}
	}
	return !allow
}

// parseRobotsRef returns the rules of the group for "imgcrawl", or of the
// "*" group if there is none.
func parseRobotsRef(body []byte) []robotsRule {
	groups := map[string][]robotsRule{}
	var agents []string
	inRules := false
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		switch key {
		case "user-agent":
			if inRules {
				agents, inRules = nil, false
			}
			agents = append(agents, strings.ToLower(val))
		case "allow", "disallow":
			inRules = true
			for _, a := range agents {
				groups[a] = append(groups[a], robotsRule{val, key == "allow"})
			}
		}
	}
	if g, ok := groups["imgcrawl"]; ok {
		return g
	}
	return groups["*"]
}

func extractLinks(doc *goquery.Document) []string {
	var out []string
	doc.Find("a[href], area[href]").Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.AttrOr("href", ""))
	})
	doc.Find("iframe[src], frame[src]").Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.AttrOr("src", ""))
	})
	return out
}

var cssURL = regexp.MustCompile(`url\(\s*['"]?([^'")\s]+)['"]?\s*\)`)

func extractImages(doc *goquery.Document) []string {
	var out []string
	attr := func(sel, name string, srcset bool) {
		doc.Find(sel).Each(func(_ int, s *goquery.Selection) {
			v := s.AttrOr(name, "")
			if srcset {
				out = append(out, srcsetURLs(v)...)
			} else {
				out = append(out, v)
			}
		})
	}
	attr("img[src]", "src", false)
	attr("img[srcset], source[srcset]", "srcset", true)
	attr("[data-src]", "data-src", false)
	attr("[data-srcset]", "data-srcset", true)
	attr("[data-lazy-src]", "data-lazy-src", false)
	attr(`meta[property="og:image"]`, "content", false)
	attr(`meta[name="twitter:image"]`, "content", false)
	attr(`link[rel="image_src"]`, "href", false)
	attr(`input[type="image"]`, "src", false)
	css := doc.Find("style").Text()
	doc.Find("[style]").Each(func(_ int, s *goquery.Selection) { css += "\n" + s.AttrOr("style", "") })
	for _, m := range cssURL.FindAllStringSubmatch(css, -1) {
		out = append(out, m[1])
	}
	return out
}

// srcsetURLs returns the URLs of a srcset value: each candidate is a run of
// non-space characters (trailing commas removed) and optional descriptors
// up to the next comma.
func srcsetURLs(v string) []string {
	var out []string
	for {
		v = strings.TrimLeft(v, " \t\n\r\f,")
		if v == "" {
			return out
		}
		end := strings.IndexAny(v, " \t\n\r\f")
		if end < 0 {
			end = len(v)
		}
		u := v[:end]
		v = v[end:]
		if strings.HasSuffix(u, ",") {
			u = strings.TrimRight(u, ",")
		} else if i := strings.IndexByte(v, ','); i >= 0 {
			v = v[i+1:]
		} else {
			v = ""
		}
		out = append(out, u)
	}
}

func TestSrcsetURLs(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"density", "/a.png 1x, /b.png 2x", []string{"/a.png", "/b.png"}},
		{"width with comma in url", "/img.php?id=7,8 480w, /w.jpg 800w", []string{"/img.php?id=7,8", "/w.jpg"}},
		{"no descriptors", "/a.png,/b.png", []string{"/a.png,/b.png"}},
		{"trailing comma", "/a.png, /b.png", []string{"/a.png", "/b.png"}},
		{"empty", " ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := srcsetURLs(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("srcsetURLs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// compareCrawl checks a reference crawl against the site's own answer.
func compareCrawl(t *testing.T, s *Site, got refCrawl, maxDepth int) {
	t.Helper()
	if want := s.ExpectedPages(maxDepth); !maps.Equal(got.pages, want) {
		t.Errorf("pages crawled %v\nExpectedPages %v", got.pages, want)
	}
	want := s.Expected(maxDepth)
	if len(want) != len(got.images) {
		t.Errorf("crawl saved %d images, Expected lists %d", len(got.images), len(want))
	}
	for _, w := range want {
		g := got.images[w.SHA256]
		switch {
		case g == nil:
			t.Errorf("expected image %v not found by the crawl", w.Paths)
		case g.Depth != w.Depth || g.Bytes != w.Bytes || !slices.Equal(g.Paths, w.Paths):
			t.Errorf("image %s: crawl found depth %d, %d bytes at %v; Expected says depth %d, %d bytes at %v",
				w.SHA256[:8], g.Depth, g.Bytes, g.Paths, w.Depth, w.Bytes, w.Paths)
		}
	}
	for target, n := range s.Requests() {
		if s.Disallowed(target) {
			t.Errorf("the crawl requested disallowed %s %d times", target, n)
		}
	}
}
