package testsite

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// get serves one request to h and returns the recorded response.
func get(t *testing.T, h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestDeterministic(t *testing.T) {
	targets := []string{"/", "/p/7.html", "/p/list?a=1&b=2", "/p/latin1.html", "/robots.txt",
		"/i/0.png", "/i/1.jpg", "/i/2.gif", "/img.php?id=7,8", "/dup/1.png"}
	a, b := New(DefaultOptions()), New(DefaultOptions())
	other := DefaultOptions()
	other.Seed = 2
	c := New(other)
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			ra, rb := get(t, a, target), get(t, b, target)
			if ra.Code != http.StatusOK {
				t.Fatalf("status %d", ra.Code)
			}
			if !bytes.Equal(ra.Body.Bytes(), rb.Body.Bytes()) {
				t.Errorf("two sites with the same Options serve different bytes")
			}
		})
	}
	t.Run("seed matters", func(t *testing.T) {
		for _, target := range []string{"/", "/i/0.png"} {
			if bytes.Equal(get(t, a, target).Body.Bytes(), get(t, c, target).Body.Bytes()) {
				t.Errorf("%s: seeds 1 and 2 serve the same bytes", target)
			}
		}
	})
	t.Run("same graph", func(t *testing.T) {
		if !maps.Equal(a.ExpectedPages(-1), b.ExpectedPages(-1)) {
			t.Error("ExpectedPages differ")
		}
		if !slices.EqualFunc(a.Expected(-1), b.Expected(-1), func(x, y ExpectedImage) bool {
			return x.SHA256 == y.SHA256 && x.Depth == y.Depth && slices.Equal(x.Paths, y.Paths)
		}) {
			t.Error("Expected differs")
		}
	})
}

func TestImagesDecode(t *testing.T) {
	for _, size := range []int{300, 4096, 30000} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			opt := DefaultOptions()
			opt.ImageBytes = size
			s := New(opt)
			seen := make(map[string]string)
			for _, ref := range s.ImageList() {
				rec := get(t, s, ref.Path)
				body := rec.Body.Bytes()
				cfg, format, err := image.DecodeConfig(bytes.NewReader(body))
				if err != nil {
					t.Fatalf("%s: %v", ref.Path, err)
				}
				if ct := rec.Header().Get("Content-Type"); ct != "image/"+format {
					t.Errorf("%s: Content-Type %q for a %s", ref.Path, ct, format)
				}
				if cfg.Width < 1 || cfg.Height < 1 {
					t.Errorf("%s: %dx%d", ref.Path, cfg.Width, cfg.Height)
				}
				if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != ref.SHA256 {
					t.Errorf("%s: ImageList hash differs from the bytes served", ref.Path)
				}
				// Formats have a floor (a GIF palette, JPEG tables); above it
				// sizes must be near the target.
				if size >= 4096 && (len(body) < size*8/10 || len(body) > size*12/10) {
					t.Errorf("%s: %d bytes, want about %d", ref.Path, len(body), size)
				}
				if prev, ok := seen[ref.SHA256]; ok && !strings.HasPrefix(prev, "/dup/") {
					t.Errorf("%s and %s serve the same bytes", prev, ref.Path)
				}
				seen[ref.SHA256] = ref.Path
			}
			if len(seen) < s.nImg || s.nImg != 80 {
				t.Errorf("%d distinct images served, %d generic ones; want at least 80", len(seen), s.nImg)
			}
		})
	}
}

func TestResponses(t *testing.T) {
	s := New(DefaultOptions())
	full := get(t, s, "/i/3.png").Body.Bytes()
	etag := get(t, s, "/i/3.png").Header().Get("ETag")
	tests := []struct {
		name, target string
		header       []string
		code         int
		ctype        string
		body         []byte // checked when not nil
	}{
		{"root", "/", nil, 200, "text/html; charset=utf-8", nil},
		{"numbered page", "/p/59.html", nil, 200, "text/html; charset=utf-8", nil},
		{"past the last page", "/p/60.html", nil, 404, "text/plain; charset=utf-8", nil},
		{"leading zero", "/p/07.html", nil, 404, "text/plain; charset=utf-8", nil},
		{"page with a query", "/p/7.html?x=1", nil, 404, "text/plain; charset=utf-8", nil},
		{"list reordered", "/p/list?b=2&a=1", nil, 200, "text/html; charset=utf-8", nil},
		{"list other query", "/p/list?a=1", nil, 404, "text/plain; charset=utf-8", nil},
		{"robots", "/robots.txt", nil, 200, "text/plain; charset=utf-8", []byte(robotsTxt)},
		{"latin1", "/p/latin1.html", nil, 200, "text/html; charset=windows-1252", nil},
		{"not an image", "/img/fake.jpg", nil, 200, "image/jpeg", []byte(notImageBody)},
		{"generic image wrong extension", "/i/3.jpg", nil, 404, "text/plain; charset=utf-8", nil},
		{"image", "/i/3.png", nil, 200, "image/png", full},
		{"range", "/i/3.png", []string{"Range", "bytes=10-19"}, 206, "image/png", full[10:20]},
		{"suffix range", "/i/3.png", []string{"Range", "bytes=-5"}, 206, "image/png", full[len(full)-5:]},
		{"etag match", "/i/3.png", []string{"If-None-Match", etag}, 304, "", nil},
		{"comma escaped", "/img.php?id=7%2C8", nil, 200, "image/png", nil},
		{"reordered image query", "/img.php?size=l&id=3", nil, 200, "image/jpeg", nil},
		{"escaped tilde", "/img/%7Etilde.png", nil, 200, "image/png", nil},
		{"non-ascii name", "/img/caf%C3%A9.png", nil, 200, "image/png", nil},
		{"disallowed but served", "/private/hidden.png", nil, 200, "image/png", nil},
		{"missing", "/img/missing.png", nil, 404, "text/plain; charset=utf-8", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, s, tt.target, tt.header...)
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d", rec.Code, tt.code)
			}
			if ct := rec.Header().Get("Content-Type"); tt.ctype != "" && ct != tt.ctype {
				t.Errorf("Content-Type %q, want %q", ct, tt.ctype)
			}
			if tt.code != 304 && rec.Header().Get("Content-Length") != strconv.Itoa(rec.Body.Len()) {
				t.Errorf("Content-Length %q for %d bytes", rec.Header().Get("Content-Length"), rec.Body.Len())
			}
			if tt.body != nil && !bytes.Equal(rec.Body.Bytes(), tt.body) {
				t.Errorf("body %q, want %q", trim(rec.Body.Bytes()), trim(tt.body))
			}
			if strings.HasPrefix(tt.ctype, "image/") && tt.code == 200 &&
				(rec.Header().Get("ETag") == "" && tt.name != "not an image" || rec.Header().Get("Last-Modified") == "") {
				t.Errorf("image without ETag or Last-Modified: %v", rec.Header())
			}
		})
	}
	t.Run("post", func(t *testing.T) {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("status %d, want 405", rec.Code)
		}
	})
	t.Run("latin1 bytes", func(t *testing.T) {
		body := get(t, s, "/p/latin1.html").Body.Bytes()
		for _, want := range []string{`<img src="/img/caf` + "\xe9" + `.png"`, "5 \x80", "\x93na\xefve\x94"} {
			if !bytes.Contains(body, []byte(want)) {
				t.Errorf("windows-1252 body lacks %q:\n%q", want, body)
			}
		}
		if bytes.Contains(body, []byte("charset")) {
			t.Error("windows-1252 page declares a charset in its markup")
		}
	})
}

func trim(b []byte) []byte { return b[:min(len(b), 40)] }

func TestRequestsNormalized(t *testing.T) {
	tests := []struct {
		name    string
		targets []string
		key     string
	}{
		{"reordered query", []string{"/p/list?b=2&a=1", "/p/list?a=1&b=2"}, "/p/list?a=1&b=2"},
		{"escaped unreserved", []string{"/img/%7Etilde.png", "/img/~tilde.png", "/img/%7etilde.png"}, "/img/~tilde.png"},
		{"escape case", []string{"/img/caf%c3%a9.png", "/img/caf%C3%A9.png"}, "/img/caf%C3%A9.png"},
		{"missing counted", []string{"/nowhere/", "/nowhere/"}, "/nowhere/"},
		{"robots counted", []string{"/robots.txt"}, "/robots.txt"},
	}
	s := New(DefaultOptions())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.ResetRequests()
			for _, target := range tt.targets {
				get(t, s, target)
			}
			want := map[string]int{tt.key: len(tt.targets)}
			if got := s.Requests(); !maps.Equal(got, want) {
				t.Errorf("Requests() = %v, want %v", got, want)
			}
		})
	}
	t.Run("reset", func(t *testing.T) {
		get(t, s, "/")
		s.ResetRequests()
		if got := s.Requests(); len(got) != 0 {
			t.Errorf("after ResetRequests: %v", got)
		}
	})
	t.Run("hook sees range", func(t *testing.T) {
		var ranges []string
		s.OnRequest(func(r *http.Request) { ranges = append(ranges, r.Header.Get("Range")) })
		get(t, s, "/i/0.png", "Range", "bytes=0-9")
		s.OnRequest(nil)
		get(t, s, "/i/0.png", "Range", "bytes=0-1")
		if !slices.Equal(ranges, []string{"bytes=0-9"}) {
			t.Errorf("hook saw %q", ranges)
		}
	})
}

func TestDisallowed(t *testing.T) {
	s := New(DefaultOptions())
	tests := []struct {
		path string
		want bool
	}{
		{"/", false},
		{"/p/1.html", false},
		{"/private/secret.html", true},
		{"/private/hidden.png", true},
		{"/private/", true},
		{"/private", false},
		{"/private/open.png", false},
		{"/private/open.png?x=1", false},
		{"/%70rivate/hidden.png", true},
		{"/private/open.pn", true},
		{"/img/a/photo.png", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := s.Disallowed(tt.path); got != tt.want {
				t.Errorf("Disallowed(%q) = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
}
