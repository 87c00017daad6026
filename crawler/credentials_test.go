package crawler

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// credSite is a test server that records, per path, the Authorization,
// Cookie and X-Trace headers it received.
type credSite struct {
	*httptest.Server
	base string // its URL, with the host name it is reached by
	mu   sync.Mutex
	seen map[string][]string // path -> "auth|cookie|trace" of each request
}

// newCredSite serves handler on 127.0.0.1, reached as host (127.0.0.1 or
// localhost: two host names of this machine).
func newCredSite(t *testing.T, host string, handler func(s *credSite, w http.ResponseWriter, r *http.Request)) *credSite {
	s := &credSite{seen: map[string][]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := r.Header.Get("Authorization") + "|" + r.Header.Get("Cookie") + "|" + r.Header.Get("X-Trace")
		s.seen[r.URL.Path] = append(s.seen[r.URL.Path], h)
		s.mu.Unlock()
		handler(s, w, r)
	}))
	t.Cleanup(s.Close)
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	s.base = "http://" + net.JoinHostPort(host, port)
	return s
}

// check fails unless the site saw exactly paths, each with (want true) or
// without the credentials, and always with X-Trace.
func (s *credSite) check(t *testing.T, name string, want bool, paths ...string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var got []string
	for p, hs := range s.seen {
		got = append(got, p)
		for _, h := range hs {
			creds := h == "Bearer s3cret|session=1|t1"
			if creds != want || !strings.HasSuffix(h, "|t1") {
				t.Errorf("%s %s saw %q; credentials wanted: %v", name, p, h, want)
			}
		}
	}
	sort.Strings(got)
	sort.Strings(paths)
	if fmt.Sprint(got) != fmt.Sprint(paths) {
		t.Errorf("%s served %v, want %v", name, got, paths)
	}
}

func credFetch() fetch.Config {
	return fetch.Config{AllowPrivate: true, Header: http.Header{
		"Authorization": {"Bearer s3cret"}, "Cookie": {"session=1"}, "X-Trace": {"t1"}}}
}

func credServe(s *credSite, w http.ResponseWriter, r *http.Request, pages map[string]string) {
	switch body, ok := pages[r.URL.Path]; {
	case ok && strings.HasPrefix(body, "->"):
		http.Redirect(w, r, strings.TrimPrefix(body, "->"), http.StatusFound)
	case ok:
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, body)
	default:
		http.NotFound(w, r) // robots.txt and images: what matters is the request
	}
}

// TestCredentialsStayWithTheSeedHost: -H credentials go to the seed's host
// only; an image on another host, a redirect there and that host's
// robots.txt never see them.
func TestCredentialsStayWithTheSeedHost(t *testing.T) {
	other := newCredSite(t, "localhost", func(s *credSite, w http.ResponseWriter, r *http.Request) {
		credServe(s, w, r, map[string]string{"/page": `<img src="/from-page.png">`})
	})
	seed := newCredSite(t, "127.0.0.1", func(s *credSite, w http.ResponseWriter, r *http.Request) {
		credServe(s, w, r, map[string]string{
			"/":          fmt.Sprintf(`<img src="/own.png"><img src="%s/cdn.png"><img src="/moved.png"><a href="/away">x</a>`, other.base),
			"/moved.png": "->" + other.base + "/moved.png",
			"/away":      "->" + other.base + "/page",
		})
	})
	c, err := New(Config{Retries: NoRetries, Seeds: []string{seed.base + "/"}, Out: t.TempDir(), Manifest: "-",
		Scope: ScopeAll, Depth: 1, Fetch: credFetch()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	seed.check(t, "the seed host", true, "/robots.txt", "/", "/own.png", "/moved.png", "/away")
	other.check(t, "the other host", false, "/robots.txt", "/cdn.png", "/moved.png", "/page", "/from-page.png")
}

// TestCredentialsGoToListedHosts: in a get, the listed URLs' origins get
// the credentials, those read from a stored list included; the target of a
// redirect to another host does not.
func TestCredentialsGoToListedHosts(t *testing.T) {
	other := newCredSite(t, "localhost", func(s *credSite, w http.ResponseWriter, r *http.Request) {
		credServe(s, w, r, nil)
	})
	listed := newCredSite(t, "127.0.0.1", func(s *credSite, w http.ResponseWriter, r *http.Request) {
		credServe(s, w, r, map[string]string{"/moved.png": "->" + other.base + "/moved.png"})
	})
	st := state.NewMemory()
	// Listed in an earlier run, on another origin than this run's list:
	// the same server by another name.
	stored := strings.Replace(listed.base, "127.0.0.1", "localhost", 1) + "/stored.png"
	if _, err := st.Add(context.Background(), []state.Item{{Key: state.KeyOf(stored), URL: stored, Kind: state.KindImage}}); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 2)
	urls <- listed.base + "/moved.png"
	close(urls)
	c, err := New(Config{Depth: SeedsOnly, Retries: NoRetries, Images: urls, State: st, Out: t.TempDir(), Manifest: "-", Fetch: credFetch()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	listed.check(t, "the listed host", true, "/robots.txt", "/stored.png", "/moved.png")
	other.check(t, "the redirect's host", false, "/robots.txt", "/moved.png")
}
