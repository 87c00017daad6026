package testsite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Scripted is a small site whose images exist only once scripts run: for
// the tests of rendering (crawler.Config.Render). Its pages:
//
//   - /: links to the pages below; no image, no script.
//   - /inserted.html: a script inserts two images (one by srcset).
//   - /scroll.html: an image is inserted once the reader has scrolled
//     5,000 px down a tall page.
//   - /lazy.html: images far down the page, each named by a data-echo
//     attribute (echo.js) that an IntersectionObserver turns into src as
//     it comes into view.
//   - /infinite.html: a gallery that fetches /api/gallery?page=N (JSON)
//     for more images whenever its end comes into view, 4 pages of 3.
//   - /forbidden.html: scripts, a frame and a popup that try to reach
//     Internal, a private address and /private/ (which robots.txt
//     disallows); not linked.
//   - /hang.html: a script that never ends; not linked.
//
// Images are small PNGs, each of its own colour, under /img/. Scripted
// counts every request by path and query. It is safe for concurrent use.
type Scripted struct {
	// Internal is a base URL ("http://127.0.0.2:PORT") that forbidden.html
	// tries to reach; set it before serving.
	Internal string

	mu   sync.Mutex
	hits map[string]int
}

// ScriptedImages lists the paths of the images a rendered crawl of
// Scripted from "/" saves, sorted.
func ScriptedImages() []string {
	paths := []string{"/img/inserted-1.png", "/img/inserted-2.png", "/img/scroll-1.png"}
	for i := 1; i <= 4; i++ {
		paths = append(paths, fmt.Sprintf("/img/lazy-%d.png", i))
	}
	for p := 1; p <= galleryPages; p++ {
		for i := 1; i <= 3; i++ {
			paths = append(paths, fmt.Sprintf("/img/gallery-%d-%d.png", p, i))
		}
	}
	slices.Sort(paths)
	return paths
}

// ScriptedPages lists the paths of the pages linked from "/" (with "/").
func ScriptedPages() []string {
	return []string{"/", "/inserted.html", "/scroll.html", "/lazy.html", "/infinite.html"}
}

const galleryPages = 4

// Hits returns how many requests path (with its query, if any) received.
func (s *Scripted) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// AllHits returns a copy of the request counts by path and query.
func (s *Scripted) AllHits() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.hits))
	for k, v := range s.hits {
		out[k] = v
	}
	return out
}

func (s *Scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.hits == nil {
		s.hits = make(map[string]int)
	}
	s.hits[r.URL.RequestURI()]++
	s.mu.Unlock()
	html := func(body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>%s</title></head><body>\n%s\n</body></html>\n", r.URL.Path, body)
	}
	js := func(body string) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, body)
	}
	switch p := r.URL.Path; {
	case p == "/robots.txt":
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	case p == "/":
		var b strings.Builder
		for _, page := range ScriptedPages()[1:] {
			fmt.Fprintf(&b, "<p><a href=%q>%s</a></p>\n", page, page)
		}
		html(b.String())
	case p == "/inserted.html":
		html(`<div id="g"></div><script src="/js/inserted.js"></script>`)
	case p == "/js/inserted.js":
		js(`const g = document.getElementById('g');
const a = document.createElement('img'); a.src = '/img/' + 'inserted-1.png'; g.appendChild(a);
const b = document.createElement('img'); b.srcset = '/img/' + 'inserted-2.png 2x'; g.appendChild(b);`)
	case p == "/scroll.html":
		html(`<div style="height: 12000px">tall</div><script>
let done = false;
window.addEventListener('scroll', () => {
  if (done || window.scrollY < 5000) return;
  done = true;
  const i = document.createElement('img'); i.src = '/img/' + 'scroll-1.png';
  document.body.appendChild(i);
});
</script>`)
	case p == "/lazy.html":
		var b strings.Builder
		for i := 1; i <= 4; i++ {
			fmt.Fprintf(&b, `<div style="height: 1500px"></div><img class="echo" data-echo="%d" width="100" height="100">`+"\n", i)
		}
		b.WriteString(`<script src="/js/echo.js"></script>`)
		html(b.String())
	case p == "/js/echo.js":
		js(`const io = new IntersectionObserver((entries) => {
  for (const e of entries) {
    if (!e.isIntersecting) continue;
    e.target.src = '/img/lazy-' + e.target.getAttribute('data-echo') + '.png';
    io.unobserve(e.target);
  }
});
document.querySelectorAll('img.echo').forEach((el) => io.observe(el));`)
	case p == "/infinite.html":
		html(`<div id="gallery"></div><div id="end" style="height: 10px"></div><script src="/js/infinite.js"></script>`)
	case p == "/js/infinite.js":
		js(`let page = 0, busy = false, more = true;
async function next() {
  if (busy || !more) return;
  busy = true;
  page++;
  const r = await fetch('/api/gallery?page=' + page, {headers: {'Accept': 'application/json'}});
  const d = await r.json();
  for (const u of d.images) {
    const fig = document.createElement('figure');
    fig.style.height = '700px';
    const i = document.createElement('img'); i.src = u; fig.appendChild(i);
    document.getElementById('gallery').appendChild(fig);
  }
  more = d.more;
  busy = false;
  const end = document.getElementById('end').getBoundingClientRect();
  if (more && end.top < window.innerHeight) next();
}
new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting)) next(); }).observe(document.getElementById('end'));`)
	case p == "/api/gallery":
		n, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil || n < 1 || n > galleryPages {
			http.NotFound(w, r)
			return
		}
		var d struct {
			Images []string `json:"images"`
			More   bool     `json:"more"`
		}
		for i := 1; i <= 3; i++ {
			d.Images = append(d.Images, fmt.Sprintf("/img/gallery-%d-%d.png", n, i))
		}
		d.More = n < galleryPages
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(d) //nolint:errcheck // a test server
	case p == "/forbidden.html":
		html(fmt.Sprintf(`<script>
for (const u of [%q, 'http://10.255.255.1/x.json', '/private/secret.json']) fetch(u).catch(() => {});
window.open(%q);
</script><script src="%s/evil.js"></script><script src="/private/evil.js"></script>
<iframe src="%s/frame.html"></iframe>`, s.Internal+"/x.json", s.Internal+"/popup.html", s.Internal, s.Internal))
	case p == "/hang.html":
		html(`<script>for (;;) {}</script>`)
	case strings.HasPrefix(p, "/img/") && strings.HasSuffix(p, ".png"):
		w.Header().Set("Content-Type", "image/png")
		w.Write(scriptedPNG(p)) //nolint:errcheck // a test server
	default:
		http.NotFound(w, r)
	}
}

// scriptedPNG returns a 16x16 PNG of a colour of its own for path.
func scriptedPNG(path string) []byte {
	h := fnv.New32a()
	h.Write([]byte(path))
	v := h.Sum32()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	c := color.RGBA{uint8(v), uint8(v >> 8), uint8(v >> 16), 255}
	for y := range 16 {
		for x := range 16 {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img) //nolint:errcheck // into memory
	return buf.Bytes()
}
