package testsite

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Site is a deterministic synthetic web site: an http.Handler serving HTML
// pages, images and a robots.txt, that also knows what a correct crawl of it
// finds (Expected, ExpectedPages) and counts the requests it receives.
//
// Create one with New; the zero Site is not usable. A Site is safe for
// concurrent use.
type Site struct {
	opt   Options // with defaults resolved
	n     int     // numbered pages
	nImg  int     // distinct generic images
	links []int32 // random links: opt.LinksPerPage per numbered page
	refs  []int32 // generic image references: opt.ImagesPerPage per numbered page

	decos      []decoration
	decoByPage map[int][]int // numbered page -> indexes into decos
	decoLinks  [][]int32     // per decoration: followable pages it links to
	decoImgs   [][]imageRef  // per decoration: the images it references
	extras     []extraPage
	extraLinks [][]int32
	extraImgs  [][]imageRef
	extraNorm  []string
	byLookup   map[string]resource // feature pages and images, robots.txt
	byNorm     map[string]resource // feature pages and images, by normalized key

	depth  []int32 // BFS depth by page index (numbered, then extras); -1: not reached
	images *imageCache

	mu   sync.Mutex
	reqs map[string]int
	hook atomic.Pointer[func(*http.Request)]
}

type resKind uint8

const (
	resNone     resKind = iota
	resPage             // id: page index (numbered pages first, then extras)
	resImage            // id: content id (generic images first, then features)
	resNotImage         // an HTML document labelled as an image
	resRobots
)

type resource struct {
	kind resKind
	id   int
}

// imageRef is one image reference of a page, resolved.
type imageRef struct {
	norm    string // normalized path+query
	content int    // content id, or -1 if the URL does not serve an image
	allowed bool   // robots.txt allows it
}

// New builds the site described by opt (zero fields take their defaults).
// It precomputes the link graph and its BFS depths; image bytes are
// generated on first use and cached.
func New(opt Options) *Site {
	opt = opt.withDefaults()
	s := &Site{
		opt:    opt,
		n:      opt.Pages,
		nImg:   opt.DistinctImages,
		reqs:   make(map[string]int),
		byNorm: make(map[string]resource),
	}
	rng := rand.New(rand.NewPCG(uint64(opt.Seed), 0x696d67637261776c))
	s.links = make([]int32, s.n*opt.LinksPerPage)
	for i := range s.links {
		s.links[i] = int32(rng.IntN(s.n))
	}
	s.refs = make([]int32, s.n*opt.ImagesPerPage)
	for i := range s.refs {
		s.refs[i] = int32(rng.IntN(s.nImg))
	}
	s.byLookup = map[string]resource{"/robots.txt": {kind: resRobots}}
	if opt.Features {
		s.addFeatures()
	}
	s.images = newImageCache(newImageGen(opt.Seed, opt.ImageBytes), s.nImg+len(featureImagesIf(opt.Features)), s.formatOf)
	s.depth = s.bfs()
	return s
}

func featureImagesIf(on bool) []featureImage {
	if on {
		return featureImages
	}
	return nil
}

// addFeatures registers the feature pages and images and resolves the
// references of every feature block.
func (s *Site) addFeatures() {
	s.extras = extraPages
	for i, e := range s.extras {
		s.register(e.declared, resource{resPage, s.n + i})
		norm, _ := declaredKeys(e.declared)
		s.extraNorm = append(s.extraNorm, norm)
	}
	for i, fi := range featureImages {
		for _, p := range fi.paths {
			s.register(p, resource{resImage, s.nImg + i})
		}
	}
	s.register(notImagePath, resource{kind: resNotImage})

	s.decos = buildDecorations(s.n)
	s.decoByPage = make(map[int][]int)
	for i, d := range s.decos {
		s.decoByPage[d.page] = append(s.decoByPage[d.page], i)
		s.decoLinks = append(s.decoLinks, s.resolveLinks(d.links))
		s.decoImgs = append(s.decoImgs, s.resolveImages(d.images))
	}
	for _, e := range s.extras {
		s.extraLinks = append(s.extraLinks, s.resolveLinks(e.links))
		s.extraImgs = append(s.extraImgs, s.resolveImages(e.images))
	}
}

func (s *Site) register(declared string, r resource) {
	norm, lookup := declaredKeys(declared)
	s.byLookup[lookup] = r
	s.byNorm[norm] = r
}

func (s *Site) formatOf(id int) imgFormat {
	if id < s.nImg {
		return imgFormat(id % 3)
	}
	return featureImages[id-s.nImg].format
}

// genericImagePath returns the path of generic image id.
func (s *Site) genericImagePath(id int) string {
	return "/i/" + strconv.Itoa(id) + "." + imgFormat(id%3).ext()
}

// resolveLinks maps declared link targets to the pages they reach; targets
// on other hosts and pages that do not exist are dropped.
func (s *Site) resolveLinks(declared []string) []int32 {
	var out []int32
	for _, d := range declared {
		if !strings.HasPrefix(d, "/") {
			continue // another host, never fetched
		}
		norm, _ := declaredKeys(d)
		if r := s.routeNorm(norm); r.kind == resPage {
			out = append(out, int32(r.id))
		}
	}
	return out
}

func (s *Site) resolveImages(declared []string) []imageRef {
	out := make([]imageRef, 0, len(declared))
	for _, d := range declared {
		norm, _ := declaredKeys(d)
		ref := imageRef{norm: norm, content: -1, allowed: !robotsDisallowed(norm)}
		if r := s.routeNorm(norm); r.kind == resImage {
			ref.content = r.id
		}
		out = append(out, ref)
	}
	return out
}

// routeNorm finds the resource at a normalized path+query.
func (s *Site) routeNorm(norm string) resource {
	if r, ok := s.routeGeneric(norm); ok {
		return r
	}
	return s.byNorm[norm]
}

// routeGeneric recognises "/", "/p/N.html" and "/i/N.ext" (no query).
func (s *Site) routeGeneric(path string) (resource, bool) {
	if path == "/" {
		return resource{resPage, 0}, true
	}
	if rest, ok := strings.CutPrefix(path, "/p/"); ok {
		if num, ok := strings.CutSuffix(rest, ".html"); ok {
			if i, ok := parseIndex(num, s.n); ok && i > 0 {
				return resource{resPage, i}, true
			}
		}
		return resource{}, false
	}
	if rest, ok := strings.CutPrefix(path, "/i/"); ok {
		num, ext, _ := strings.Cut(rest, ".")
		if i, ok := parseIndex(num, s.nImg); ok && ext == imgFormat(i%3).ext() {
			return resource{resImage, i}, true
		}
	}
	return resource{}, false
}

// parseIndex parses a canonical decimal (no sign, no leading zero) below n.
func parseIndex(num string, n int) (int, bool) {
	if num == "" || len(num) > 1 && num[0] == '0' || num[0] == '+' || num[0] == '-' {
		return 0, false
	}
	i, err := strconv.Atoi(num)
	if err != nil || i >= n {
		return 0, false
	}
	return i, true
}

// route finds the resource a request reaches.
func (s *Site) route(r *http.Request) resource {
	if r.URL.RawQuery == "" {
		if res, ok := s.routeGeneric(r.URL.Path); ok {
			return res
		}
	}
	key, ok := lookupKey(r.URL.Path, r.URL.RawQuery)
	if !ok {
		return resource{}
	}
	return s.byLookup[key]
}

// OnRequest sets a function called with every request before it is served
// (and before Latency); nil removes it. fn may be called concurrently.
func (s *Site) OnRequest(fn func(r *http.Request)) {
	if fn == nil {
		s.hook.Store(nil)
		return
	}
	s.hook.Store(&fn)
}

// Requests returns how many times each request target was requested, keyed
// by NormalizeTarget of the target, /robots.txt and targets that do not
// exist included. The map is a copy.
func (s *Site) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.reqs))
	for k, v := range s.reqs {
		out[k] = v
	}
	return out
}

// ResetRequests forgets the requests counted so far.
func (s *Site) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.reqs)
}

func (s *Site) count(key string) {
	s.mu.Lock()
	s.reqs[key]++
	s.mu.Unlock()
}
