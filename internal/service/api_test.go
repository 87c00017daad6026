package service

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"github.com/imgcrawl/imgcrawl/store"
)

// TestCrawlJob runs a crawl job to its end through the API: it saves what
// the command saves, and every endpoint shows it: the job, the list, the
// manifest, the files by manifest path, the gallery, the thumbnails and
// the metrics.
func TestCrawlJob(t *testing.T) {
	s, base := site(t, 0)
	h := newHarness(t, Config{})
	id := h.create(map[string]any{"kind": "crawl", "urls": []string{base + "/"}, "options": map[string]any{"depth": 1}})
	st := h.waitState(id, Done)
	want := expectedShas(s, 1)
	if st.Crawl == nil || st.Crawl.Counts.Saved != int64(len(want)) || st.Run.Images != int64(len(want)) {
		t.Errorf("status: saved %+v, run %+v, want %d images", st.Crawl, st.Run, len(want))
	}

	code, body := h.do("GET", "/api/jobs", nil)
	var list []Status
	if code != 200 || json.Unmarshal(body, &list) != nil || len(list) != 1 || list[0].ID != id {
		t.Errorf("GET /api/jobs: %d %s", code, body)
	}

	code, body = h.do("GET", "/api/jobs/"+id+"/manifest", nil)
	entries, err := store.ReadManifest(bytes.NewReader(body))
	if code != 200 || err != nil {
		t.Fatalf("manifest: %d %v", code, err)
	}
	got := map[string]bool{}
	for _, e := range entries {
		if e.Status != "saved" {
			continue
		}
		code, file := h.do("GET", "/api/jobs/"+id+"/files/"+e.Path, nil)
		sum := sha256.Sum256(file)
		if code != 200 || hex.EncodeToString(sum[:]) != e.SHA256 {
			t.Errorf("files/%s: %d, sha256 %x, manifest says %s", e.Path, code, sum[:4], e.SHA256[:8])
		}
		got[e.SHA256] = true
	}
	for sha := range want {
		if !got[sha] {
			t.Errorf("image %s not in the manifest", sha[:12])
		}
	}

	code, body = h.do("GET", "/api/jobs/"+id+"/gallery?page=1", nil)
	var g Gallery
	if code != 200 || json.Unmarshal(body, &g) != nil || g.Total != len(want) || len(g.Images) != min(len(want), galleryPage) {
		t.Fatalf("gallery: %d %+v", code, g)
	}
	if last := entries[len(entries)-1]; last.Status == "saved" && g.Images[0].Path != last.Path {
		t.Errorf("gallery starts with %s, the newest is %s", g.Images[0].Path, last.Path)
	}
	code, body = h.do("GET", "/api/jobs/"+id+"/gallery?type=image/gif&min-size=1", nil)
	if json.Unmarshal(body, &g) != nil || code != 200 {
		t.Fatalf("gallery filtered: %d %s", code, body)
	}
	for _, im := range g.Images {
		if im.ContentType != "image/gif" {
			t.Errorf("type filter let %s through", im.ContentType)
		}
	}
	png := ""
	for _, e := range entries {
		if e.ContentType == "image/png" && e.Status == "saved" {
			png = e.Path
		}
	}
	code, body = h.do("GET", "/api/jobs/"+id+"/thumbs/"+png, nil)
	if code != 200 || !bytes.HasPrefix(body, []byte{0xff, 0xd8}) {
		t.Errorf("thumbnail of %s: %d, %d bytes", png, code, len(body))
	}
	if _, err := os.Stat(thumbPath(filepath.Join(h.data, "jobs", id, "out"), png)); err != nil {
		t.Errorf("thumbnail not cached: %v", err)
	}

	code, body = h.do("GET", "/metrics", nil)
	m := string(body)
	for _, line := range []string{
		`imgcrawl_requests_total{kind="image",outcome="saved"} ` + strconv.Itoa(len(want)),
		`imgcrawl_requests_total{kind="page",outcome="parsed"}`,
		"imgcrawl_fetch_duration_seconds_count", "imgcrawl_image_bytes_total", "imgcrawl_jobs_queued 0",
	} {
		if code != 200 || !strings.Contains(m, line) {
			t.Errorf("/metrics lacks %q", line)
		}
	}
	for _, path := range []string{"/", "/jobs/" + id, "/static/app.js", "/healthz"} {
		if code, _ := h.do("GET", path, nil); code != 200 {
			t.Errorf("GET %s: %d", path, code)
		}
	}
}

// TestGetJob runs a get job: the listed images, each once.
func TestGetJob(t *testing.T) {
	s, base := site(t, 0)
	var urls []string
	want := map[string]bool{}
	for _, e := range s.Expected(0)[:5] {
		urls = append(urls, base+e.Paths[0])
		want[e.SHA256] = true
	}
	h := newHarness(t, Config{})
	urls[0] = strings.Replace(urls[0], "http://", "http://user:pw@", 1)
	id := h.create(Spec{Kind: KindGet, URLs: urls, Options: json.RawMessage(`{"header":["Authorization: Bearer zzz"]}`)})
	st := h.waitState(id, Done)
	for _, path := range []string{"/api/jobs/" + id, "/api/jobs"} {
		if _, body := h.do("GET", path, nil); bytes.Contains(body, []byte("zzz")) || bytes.Contains(body, []byte("pw@")) {
			t.Errorf("GET %s shows credentials: %s", path, body)
		}
	}
	if fi, err := os.Stat(filepath.Join(h.data, "jobs", id, "job.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("job.json: %v %v, want mode 0600", fi.Mode(), err)
	}
	if st.Run.Images != 5 {
		t.Errorf("saved %d images, want 5", st.Run.Images)
	}
	files, _ := testsite.SavedImages(filepath.Join(h.data, "jobs", id, "out"))
	for _, sha := range files {
		delete(want, sha)
	}
	if len(want) != 0 || len(files) != 5 {
		t.Errorf("saved %v, missing %v", files, want)
	}
}

// TestBadJobs: a bad request is a 400 naming the field or option, as the
// command line names the flag; an oversized body is a 413.
func TestBadJobs(t *testing.T) {
	h := newHarness(t, Config{})
	ok := `"kind":"crawl","urls":["http://127.0.0.1:1/"]`
	for _, tc := range []struct {
		name, body, field string
	}{
		{"bad json", `{`, ""},
		{"unknown field", `{` + ok + `,"depth":1}`, "depth"},
		{"bad kind", `{"kind":"scrape","urls":["http://127.0.0.1:1/"]}`, "kind"},
		{"no urls", `{"kind":"get","urls":[]}`, "urls"},
		{"bad url", `{"kind":"get","urls":["http://[::1/"]}`, "urls"},
		{"bad layout", `{` + ok + `,"layout":"tree"}`, "layout"},
		{"options not object", `{` + ok + `,"options":[1]}`, "options"},
		{"unknown option", `{` + ok + `,"options":{"perhost":1}}`, "perhost"},
		{"mistyped option", `{` + ok + `,"options":{"per-host":"two"}}`, "per-host"},
		{"zero per-host", `{` + ok + `,"options":{"per-host":0}}`, "per-host"},
		{"negative depth", `{` + ok + `,"options":{"depth":-1}}`, "depth"},
		{"bad size", `{` + ok + `,"options":{"max-size":"12parsecs"}}`, "max-size"},
		{"bad duration", `{` + ok + `,"options":{"idle-timeout":"soon"}}`, "idle-timeout"},
		{"bad regexp", `{` + ok + `,"options":{"include":["("]}}`, "include"},
		{"bad header", `{` + ok + `,"options":{"header":["novalue"]}}`, "header"},
		{"bad scope", `{` + ok + `,"options":{"scope":"planet"}}`, "scope"},
		{"allow-private", `{` + ok + `,"options":{"allow-private":true}}`, "allow-private"},
		{"cookies", `{` + ok + `,"options":{"cookies":"/etc/passwd"}}`, "cookies"},
		{"bad render", `{` + ok + `,"options":{"render":"maybe"}}`, "render"},
		{"bad render-match", `{` + ok + `,"options":{"render":"auto","render-match":"("}}`, "render-match"},
		{"browser", `{` + ok + `,"options":{"browser":"/bin/sh"}}`, "browser"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := h.do("POST", "/api/jobs", tc.body)
			var e apiError
			if code != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.Field != tc.field || e.Error == "" {
				t.Errorf("%d %s, want 400 naming %q", code, body, tc.field)
			}
		})
	}
	big := `{"kind":"get","urls":["` + strings.Repeat("a", maxBody) + `"]}`
	if code, body := h.do("POST", "/api/jobs", big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d %s", code, body)
	}
	if entries, _ := os.ReadDir(filepath.Join(h.data, "jobs")); len(entries) != 0 {
		t.Errorf("bad requests made jobs: %v", entries)
	}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/api/jobs/nope"}, {"POST", "/api/jobs/nope/cancel"}, {"GET", "/api/jobs/nope/files/a.png"},
		{"GET", "/api/nothing"},
	} {
		if code, _ := h.do(tc.method, tc.path, nil); code != http.StatusNotFound {
			t.Errorf("%s %s: %d, want 404", tc.method, tc.path, code)
		}
	}
}

// TestAllowPrivateWithServeFlag: with serve --allow-private, a job may set
// allow-private.
func TestAllowPrivateWithServeFlag(t *testing.T) {
	h := newHarness(t, Config{ManagerConfig: ManagerConfig{Policy: Policy{AllowPrivate: true}}})
	id := h.create(`{"kind":"get","urls":["http://127.0.0.1:1/a.png"],"options":{"allow-private":true,"retries":0}}`)
	// Accepted and run; as the command exits 1 when no listed URL could
	// be fetched, the job fails, saying why.
	st := h.waitState(id, Failed)
	if !strings.Contains(st.Error, "no URL could be fetched") || !strings.Contains(st.Error, "127.0.0.1:1/a.png") {
		t.Errorf("error %q", st.Error)
	}
}

// TestToken: with a token, every API call, page and /metrics needs it
// (bearer or the login cookie); without, 401. /healthz stays open.
func TestToken(t *testing.T) {
	h := newHarness(t, Config{Token: "s3cret"})
	get := func(path string, mod func(*http.Request)) (*http.Response, string) {
		req, _ := http.NewRequest("GET", h.srv.URL+path, nil)
		if mod != nil {
			mod(req)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp, b.String()
	}
	for _, path := range []string{"/api/jobs", "/metrics", "/", "/jobs/x", "/api/jobs/x/files/a.png"} {
		if resp, _ := get(path, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without token: %d", path, resp.StatusCode)
		}
		if resp, _ := get(path, func(r *http.Request) { r.Header.Set("Authorization", "Bearer wrong") }); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d", path, resp.StatusCode)
		}
	}
	if resp, body := get("/", nil); !strings.Contains(body, `action="/login"`) {
		t.Errorf("page without token: %d, no login form", resp.StatusCode)
	}
	if resp, _ := get("/healthz", nil); resp.StatusCode != 200 {
		t.Errorf("/healthz: %d", resp.StatusCode)
	}
	if resp, _ := get("/api/jobs", func(r *http.Request) { r.Header.Set("Authorization", "Bearer s3cret") }); resp.StatusCode != 200 {
		t.Errorf("bearer: %d", resp.StatusCode)
	}
	login := func(tok string) *http.Response {
		req, _ := http.NewRequest("POST", h.srv.URL+"/login", strings.NewReader("token="+tok))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := login("wrong"); resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
		t.Errorf("login with a wrong token: %d %v", resp.StatusCode, resp.Cookies())
	}
	resp := login("s3cret")
	cookies := resp.Cookies()
	if resp.StatusCode != http.StatusSeeOther || len(cookies) != 1 || !cookies[0].HttpOnly ||
		cookies[0].SameSite != http.SameSiteStrictMode || strings.Contains(cookies[0].Value, "s3cret") {
		t.Fatalf("login: %d %+v", resp.StatusCode, cookies)
	}
	for _, path := range []string{"/", "/api/jobs", "/metrics"} {
		if resp, _ := get(path, func(r *http.Request) { r.AddCookie(cookies[0]) }); resp.StatusCode != 200 {
			t.Errorf("%s with the login cookie: %d", path, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("POST", h.srv.URL+"/logout", nil)
	req.AddCookie(cookies[0])
	out, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if c := out.Cookies(); out.StatusCode != http.StatusSeeOther || len(c) != 1 || c[0].MaxAge >= 0 {
		t.Errorf("logout: %d %+v", out.StatusCode, c)
	}
}

// TestCrossOrigin: a state-changing request from another origin is
// refused, whatever it carries.
func TestCrossOrigin(t *testing.T) {
	h := newHarness(t, Config{})
	for _, hdr := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "http://evil.example"},
	} {
		req, _ := http.NewRequest("POST", h.srv.URL+"/api/jobs", strings.NewReader(`{"kind":"get","urls":["http://127.0.0.1:1/a.png"]}`))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		req.Header.Set("Content-Type", "text/plain")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%v: %d, want 403", hdr, resp.StatusCode)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("CORS header set")
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(h.data, "jobs")); len(entries) != 0 {
		t.Errorf("a cross-origin request made a job")
	}
	// DNS rebinding: a page of evil.example whose name now points at
	// 127.0.0.1 is same-origin with itself; without a token the service
	// answers only to loopback host names.
	for _, host := range []string{"evil.example", "evil.example:80", "127.0.0.1.evil.example"} {
		req, _ := http.NewRequest("GET", h.srv.URL+"/api/jobs", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("Host %s: %d, want 403", host, resp.StatusCode)
		}
	}
	for _, host := range []string{"localhost", "127.0.0.1:8080", "[::1]:8080", "LOCALHOST:1"} {
		req, _ := http.NewRequest("GET", h.srv.URL+"/healthz", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("Host %s: %d, want 200", host, resp.StatusCode)
		}
	}
}

// TestFilesStayInside: the file endpoints serve only regular files inside
// the job's OUT: no "..", encoded or not, no NUL, no dotfile (the state
// folder), no symbolic link planted in the job's folder.
func TestFilesStayInside(t *testing.T) {
	_, base := site(t, 0)
	h := newHarness(t, Config{})
	id := h.create(Spec{Kind: KindCrawl, URLs: []string{base + "/"}, Options: json.RawMessage(`{"depth":0}`)})
	h.waitState(id, Done)
	out := filepath.Join(h.data, "jobs", id, "out")
	secret := filepath.Join(t.TempDir(), "secret.png")
	os.WriteFile(secret, []byte("SECRET"), 0o644)
	os.Symlink(secret, filepath.Join(out, "evil.png"))
	os.Symlink(filepath.Join(h.data, "jobs", id), filepath.Join(out, "up"))
	os.Symlink(store.PrivateDir, filepath.Join(out, "private"))
	os.Symlink("manifest.jsonl", filepath.Join(out, "inside.png"))
	os.WriteFile(filepath.Join(out, ".hidden.png"), []byte("SECRET"), 0o644)
	for _, p := range []string{
		"..%2fjob.json", "..%2F..%2F..%2Fjobs", "%2e%2e/job.json", "../job.json", "a/../../job.json",
		".imgcrawl/state.db", ".imgcrawl%2fstate.db", "%2eimgcrawl/status.json", ".hidden.png",
		"evil.png", "up/job.json", "private/state.db", "inside.png", "manifest.jsonl%00.png", "%00",
		"%2fetc%2fpasswd", "/etc/passwd", "127.0.0.1%5c..%5c..%5cjob.json",
	} {
		for _, ep := range []string{"files", "thumbs"} {
			code, body := h.do("GET", "/api/jobs/"+id+"/"+ep+"/"+p, nil)
			if code == 200 || bytes.Contains(body, []byte("SECRET")) || bytes.Contains(body, []byte(`"kind"`)) {
				t.Errorf("%s/%s: %d %.60q", ep, p, code, body)
			}
		}
	}
	if code, _ := h.do("GET", "/api/jobs/"+id+"/files/manifest.jsonl", nil); code != 200 {
		t.Errorf("a plain file inside: %d", code)
	}
}

// TestCancelResume: a canceled job stops; resumed, it completes, and no
// image saved before the cancel is requested again.
func TestCancelResume(t *testing.T) {
	s, base := site(t, 20*time.Millisecond)
	h := newHarness(t, Config{})
	id := h.create(Spec{Kind: KindCrawl, URLs: []string{base + "/"}, Options: json.RawMessage(`{"depth":2,"concurrency":2,"per-host":1}`)})
	h.wait(id, "images", func(st Status) bool { return st.Run.Images >= 3 })
	if code, body := h.do("POST", "/api/jobs/"+id+"/cancel", nil); code != 200 {
		t.Fatalf("cancel: %d %s", code, body)
	}
	h.waitState(id, Canceled)
	if code, _ := h.do("POST", "/api/jobs/"+id+"/cancel", nil); code != http.StatusConflict {
		t.Errorf("cancel twice: %d, want 409", code)
	}
	out := filepath.Join(h.data, "jobs", id, "out")
	before := savedURLs(t, out)
	counts := s.Requests()
	if code, body := h.do("POST", "/api/jobs/"+id+"/resume", nil); code != 200 {
		t.Fatalf("resume: %d %s", code, body)
	}
	st := h.waitState(id, Done)
	if st.Runs != 2 {
		t.Errorf("runs %d, want 2", st.Runs)
	}
	checkSaved(t, s, 2, out)
	after := s.Requests()
	for _, u := range before {
		target := testsite.NormalizeTarget(strings.TrimPrefix(u, base))
		if after[target] != counts[target] {
			t.Errorf("%s was saved before the cancel but requested again", target)
		}
	}
	if code, _ := h.do("POST", "/api/jobs/"+id+"/resume", nil); code != http.StatusConflict {
		t.Errorf("resume a done job: %d, want 409", code)
	}
}

// savedURLs returns the image URLs the manifest under out says were saved.
func savedURLs(t *testing.T, out string) []string {
	f, err := os.Open(filepath.Join(out, "manifest.jsonl"))
	if err != nil {
		return nil
	}
	defer f.Close()
	entries, _ := store.ReadManifest(f)
	var urls []string
	for _, e := range entries {
		if e.Status == "saved" || e.Status == "duplicate" {
			urls = append(urls, e.URL)
		}
	}
	return urls
}

// checkSaved checks that out holds exactly the site's images to depth.
func checkSaved(t *testing.T, s *testsite.Site, depth int, out string) {
	t.Helper()
	want := expectedShas(s, depth)
	files, err := testsite.SavedImages(out)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for path, sha := range files {
		if !want[sha] || got[sha] {
			t.Errorf("%s: unexpected or saved twice", path)
		}
		got[sha] = true
	}
	if len(got) != len(want) {
		t.Errorf("saved %d distinct images, want %d", len(got), len(want))
	}
}

// TestEvents: a job's event stream sends its status, then an item per
// page and image, and "end".
func TestEvents(t *testing.T) {
	s, base := site(t, 10*time.Millisecond)
	h := newHarness(t, Config{ManagerConfig: ManagerConfig{MaxJobs: 1}})
	blocker := h.create(Spec{Kind: KindGet, URLs: []string{base + s.Expected(0)[0].Paths[0]}})
	id := h.create(Spec{Kind: KindCrawl, URLs: []string{base + "/"}, Options: json.RawMessage(`{"depth":1}`)})
	req, _ := http.NewRequest("GET", h.srv.URL+"/api/jobs/"+id+"/events", nil)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	seen := map[string]int{}
	sc := bufio.NewScanner(resp.Body)
	name := ""
	for sc.Scan() {
		line := sc.Text()
		if n, ok := strings.CutPrefix(line, "event: "); ok {
			name = n
			continue
		}
		if d, ok := strings.CutPrefix(line, "data: "); ok {
			seen[name]++
			if name == "item" {
				var it ItemEvent
				if err := json.Unmarshal([]byte(d), &it); err != nil || it.URL == "" || it.Status == "" {
					t.Errorf("item %s: %v", d, err)
				}
			}
			if name == "end" {
				break
			}
		}
	}
	if seen["status"] == 0 || seen["item"] < 10 || seen["end"] != 1 {
		t.Errorf("events %v", seen)
	}
	h.waitState(blocker, Done)
}

// TestJobListEvents: the job list's stream sends every job's status.
func TestJobListEvents(t *testing.T) {
	h := newHarness(t, Config{})
	id := h.create(Spec{Kind: KindGet, URLs: []string{"http://127.0.0.1:1/a.png"}, Options: json.RawMessage(`{"retries":0}`)})
	resp, err := http.Get(h.srv.URL + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			var list []Status
			if err := json.Unmarshal([]byte(d), &list); err != nil || len(list) != 1 || list[0].ID != id {
				t.Fatalf("jobs event %s: %v", d, err)
			}
			return
		}
	}
	t.Fatal("no jobs event")
}
