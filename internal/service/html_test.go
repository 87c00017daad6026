package service

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
)

// page is a written page, parsed as a browser would.
type page struct {
	raw string
	doc *xhtml.Node
}

func writePage(t *testing.T, f func(*strings.Builder, pageData), d pageData) page {
	t.Helper()
	var b strings.Builder
	f(&b, d)
	doc, err := xhtml.Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return page{b.String(), doc}
}

// all returns the elements for which match is true, in document order.
func (p page) all(match func(*xhtml.Node) bool) []*xhtml.Node {
	var out []*xhtml.Node
	for n := range p.doc.Descendants() {
		if n.Type == xhtml.ElementNode && match(n) {
			out = append(out, n)
		}
	}
	return out
}

func (p page) tag(name string) []*xhtml.Node {
	return p.all(func(n *xhtml.Node) bool { return n.Data == name })
}

// byID returns the element with the id, or nil; it fails the test when
// more than one has it.
func (p page) byID(t *testing.T, id string) *xhtml.Node {
	t.Helper()
	ns := p.all(func(n *xhtml.Node) bool { return attr(n, "id") == id })
	if len(ns) > 1 {
		t.Errorf("%d elements with id %q", len(ns), id)
	}
	if len(ns) == 0 {
		return nil
	}
	return ns[0]
}

func (p page) ids() []string {
	var ids []string
	for _, n := range p.all(func(n *xhtml.Node) bool { return attr(n, "id") != "" }) {
		ids = append(ids, attr(n, "id"))
	}
	return ids
}

func attr(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *xhtml.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == xhtml.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

// hostile is a value that breaks out of text, of a quoted attribute and of
// a URL path segment when not escaped.
const hostile = `<script>alert("x")</script>' onclick='a&b' "><img src=x onerror=alert(1)>&amp;/..?#`

// checkPage checks what every page must be: one script, the dashboard's,
// no event handler attribute, and the title's text.
func checkPage(t *testing.T, p page, title string) {
	t.Helper()
	if s := p.tag("script"); len(s) != 1 || attr(s[0], "src") != "/static/app.js" {
		t.Errorf("scripts: want only /static/app.js, got %d:\n%s", len(s), p.raw)
	}
	if img := p.all(func(n *xhtml.Node) bool { return n.Data == "img" && attr(n, "id") != "viewer-img" }); len(img) != 0 {
		t.Errorf("%d stray img elements:\n%s", len(img), p.raw)
	}
	for _, n := range p.all(func(*xhtml.Node) bool { return true }) {
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s %s=%q>: an event handler attribute", n.Data, a.Key, a.Val)
			}
		}
	}
	if ts := p.tag("title"); len(ts) != 1 || text(ts[0]) != title+" · imgcrawl" {
		t.Errorf("title: want %q", title+" · imgcrawl")
	}
	if l := p.tag("link"); len(l) != 1 || attr(l[0], "href") != "/static/app.css" || attr(l[0], "rel") != "stylesheet" {
		t.Errorf("want the one style sheet /static/app.css")
	}
	if p.byID(t, "main") == nil {
		t.Error("no main element")
	}
}

// TestPagesEscape writes each page with hostile values in every field that
// reaches it: they come out as the same text, attribute value or path
// segment, and add no element or attribute.
func TestPagesEscape(t *testing.T) {
	t.Run("index", func(t *testing.T) {
		p := writePage(t, indexHTML, pageData{Title: hostile, Auth: true})
		checkPage(t, p, hostile)
	})
	t.Run("job", func(t *testing.T) {
		st := &Status{Record: Record{ID: hostile, Spec: Spec{Kind: Kind(hostile), URLs: []string{hostile, "http://a/?q=1&r=<2>"}},
			State: State(hostile), Error: hostile}, URLCount: 2}
		p := writePage(t, jobHTML, pageData{Title: "Job " + hostile, Job: st, Auth: true})
		checkPage(t, p, "Job "+hostile)
		if c := p.tag("code"); len(c) != 1 || text(c[0]) != hostile {
			t.Errorf("heading's job id: want %q", hostile)
		}
		if sec := p.byID(t, "job"); sec == nil || attr(sec, "data-id") != hostile || attr(sec, "class") != "card" {
			t.Errorf("section#job: want data-id %q", hostile)
		}
		urls := p.all(func(n *xhtml.Node) bool { return attr(n, "class") == "urls" })
		if len(urls) != 1 {
			t.Fatalf("%d p.urls", len(urls))
		}
		if got, want := text(urls[0]), hostile+": "+hostile+" http://a/?q=1&r=<2> "; got != want {
			t.Errorf("urls: %q, want %q", got, want)
		}
		if n := p.byID(t, "state"); n == nil || text(n) != hostile {
			t.Errorf("#state: want %q", hostile)
		}
		if n := p.byID(t, "error"); n == nil || text(n) != hostile {
			t.Errorf("#error: want %q", hostile)
		}
		links := p.all(func(n *xhtml.Node) bool { return n.Data == "a" && strings.HasPrefix(attr(n, "href"), "/api/") })
		if len(links) != 1 {
			t.Fatalf("%d links to the API, want the manifest's", len(links))
		}
		href := attr(links[0], "href")
		u, err := url.Parse(href)
		if err != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("manifest link %q: %v, query %q, fragment %q", href, err, u.RawQuery, u.Fragment)
		}
		if want := "/api/jobs/" + url.PathEscape(hostile) + "/manifest"; href != want {
			t.Errorf("manifest link %q, want %q", href, want)
		}
		if seg := strings.Split(u.EscapedPath(), "/"); len(seg) != 5 {
			t.Errorf("manifest link %q: the id is not one path segment", href)
		} else if id, _ := url.PathUnescape(seg[3]); id != hostile {
			t.Errorf("manifest link's id %q, want %q", id, hostile)
		}
	})
	t.Run("login", func(t *testing.T) {
		p := writePage(t, loginHTML, pageData{Title: hostile, Message: hostile})
		checkPage(t, p, hostile)
		msg := p.all(func(n *xhtml.Node) bool { return attr(n, "role") == "alert" })
		if len(msg) != 1 || text(msg[0]) != hostile {
			t.Errorf("message: want %q", hostile)
		}
	})
}

// The ids and form fields web/static/app.js looks for.
var (
	scriptID    = regexp.MustCompile(`(?:getElementById|[^.\w]set)\("([\w-]+)"|querySelector\("#([\w-]+)`) // not q.set(…)
	scriptField = regexp.MustCompile(`\bf\.get\("([\w-]+)"\)`)
)

// TestPagesCarryScriptElements checks that the pages have what the
// dashboard's script and style sheet use: every id app.js looks up, on the
// page it runs on, the form fields it reads, and the parts a single
// crawl's view or a service without a token leaves out.
func TestPagesCarryScriptElements(t *testing.T) {
	js, err := staticFS.ReadFile("web/static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	st := &Status{Record: Record{ID: "a1-b2", Spec: Spec{Kind: KindCrawl, URLs: []string{"http://a/"}}, State: Running}, URLCount: 1}
	index := writePage(t, indexHTML, pageData{Title: "Jobs"})
	job := writePage(t, jobHTML, pageData{Title: "Job a1-b2", Job: st})
	login := writePage(t, loginHTML, pageData{Title: "Log in"})

	// Every id the script looks up is on a page.
	onPages := append(index.ids(), job.ids()...)
	var want []string
	for _, m := range scriptID.FindAllStringSubmatch(string(js), -1) {
		want = append(want, m[1]+m[2])
	}
	want = append(want, "cancel", "resume") // looked up in a loop over their names
	if len(want) < 20 {
		t.Fatalf("found only %d ids in app.js: %q", len(want), want)
	}
	for _, id := range want {
		if !slices.Contains(onPages, id) {
			t.Errorf("app.js looks up #%s, on no page", id)
		}
	}

	// The job list: the table app.js fills and the form it posts.
	for _, id := range []string{"jobs", "job-form", "form-error", "urls", "more", "new-job"} {
		if index.byID(t, id) == nil {
			t.Errorf("index: no #%s", id)
		}
	}
	if len(index.all(func(n *xhtml.Node) bool {
		return n.Data == "tbody" && n.Parent != nil && attr(n.Parent, "id") == "jobs"
	})) != 1 {
		t.Error("index: no #jobs tbody")
	}
	if index.byID(t, "job") != nil {
		t.Error("index has #job: app.js would take it for a job page")
	}
	form := index.byID(t, "job-form")
	for _, m := range scriptField.FindAllStringSubmatch(string(js), -1) {
		if form == nil || !hasField(form, m[1]) {
			t.Errorf("index: #job-form has no field %q", m[1])
		}
	}

	// The job page: its id for the API, the counters, the tables, the
	// gallery and its viewer.
	if sec := job.byID(t, "job"); sec == nil || attr(sec, "data-id") != "a1-b2" {
		t.Error("job: no section#job with data-id a1-b2")
	}
	for _, id := range []string{"state", "error", "progress", "c-pages", "c-images", "c-duplicates", "c-skipped", "c-failed",
		"c-pending", "c-bytes", "c-rate", "hosts", "errors", "cancel", "resume", "gallery", "gallery-filter",
		"gallery-count", "thumbs", "prev", "next", "page-of", "viewer", "viewer-title", "viewer-img", "viewer-meta"} {
		if job.byID(t, id) == nil {
			t.Errorf("job: no #%s", id)
		}
	}
	if job.byID(t, "jobs") != nil {
		t.Error("job page has #jobs")
	}
	if hosts := job.byID(t, "hosts"); hosts == nil || len(job.all(func(n *xhtml.Node) bool { return n.Data == "tbody" })) != 1 {
		t.Error("job: no #hosts tbody")
	}
	if f := job.byID(t, "gallery-filter"); f == nil || !hasField(f, "host") || !hasField(f, "type") || !hasField(f, "min-size") {
		t.Error("job: #gallery-filter lacks host, type or min-size")
	}
	if a := job.all(func(n *xhtml.Node) bool { return attr(n, "href") == "/api/jobs/a1-b2/manifest" }); len(a) != 1 {
		t.Error("job: no link to the manifest")
	}

	// A single crawl's view starts no job and cancels none; a service
	// without a token offers no log out, one with a token does.
	single := writePage(t, indexHTML, pageData{Title: "Jobs", Single: true})
	if single.byID(t, "job-form") != nil || single.byID(t, "jobs") == nil {
		t.Error("single index: want #jobs and no #job-form")
	}
	singleJob := writePage(t, jobHTML, pageData{Title: "Job a1-b2", Job: st, Single: true})
	if singleJob.byID(t, "cancel") != nil || singleJob.byID(t, "resume") != nil || singleJob.byID(t, "thumbs") == nil {
		t.Error("single job: want the gallery and no cancel or resume")
	}
	logout := func(p page) int {
		return len(p.all(func(n *xhtml.Node) bool { return n.Data == "form" && attr(n, "action") == "/logout" }))
	}
	if logout(index) != 0 || logout(job) != 0 {
		t.Error("a log out form without a token")
	}
	if logout(writePage(t, indexHTML, pageData{Title: "Jobs", Auth: true})) != 1 || logout(writePage(t, jobHTML, pageData{Title: "Job", Job: st, Auth: true})) != 1 {
		t.Error("no log out form with a token")
	}

	// The login form, as auth.go reads it.
	lf := login.all(func(n *xhtml.Node) bool { return n.Data == "form" && attr(n, "action") == "/login" })
	if len(lf) != 1 || attr(lf[0], "method") != "post" || !hasField(lf[0], "token") {
		t.Error("login: no form posting token to /login")
	}
	if len(login.all(func(n *xhtml.Node) bool { return attr(n, "role") == "alert" })) != 0 {
		t.Error("login: a message without one")
	}
}

// hasField reports whether form has a field (input, select or textarea)
// of that name.
func hasField(form *xhtml.Node, name string) bool {
	for n := range form.Descendants() {
		if n.Type == xhtml.ElementNode && (n.Data == "input" || n.Data == "select" || n.Data == "textarea") && attr(n, "name") == name {
			return true
		}
	}
	return false
}

// TestPageHeaders checks the pages' answers as served: HTML, the content
// policy, not cached, and the status given.
func TestPageHeaders(t *testing.T) {
	for _, tc := range []struct {
		f    func(*strings.Builder, pageData)
		code int
	}{{indexHTML, 200}, {jobHTML, 200}, {loginHTML, http.StatusUnauthorized}} {
		w := httptest.NewRecorder()
		render(w, tc.code, tc.f, pageData{Title: "T", Job: &Status{Record: Record{ID: "x"}}})
		if w.Code != tc.code || w.Header().Get("Content-Type") != "text/html; charset=utf-8" ||
			w.Header().Get("Content-Security-Policy") != contentPolicy || w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%d %v", w.Code, w.Header())
		}
		if !strings.HasPrefix(w.Body.String(), "<!doctype html>\n") || !strings.HasSuffix(w.Body.String(), "</html>\n") {
			t.Errorf("body: %q", w.Body.String())
		}
	}
}
